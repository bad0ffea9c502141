"""The same content answers on every front end: each renders a screen's first answer as the
same visible text, with the same buttons, whatever its markup (Telegram HTML, Discord
markdown)."""

from __future__ import annotations

from bot.core.knowledge import KnowledgeBase
from bot.discord.render import DiscordRenderer, card_view
from bot.telegram.html import visible_text
from bot.telegram.render import Renderer
from tests.core.test_documents import both_forms
from tests.discord.harness import plain


def test_telegram_and_discord_show_the_same_first_answer(kb: KnowledgeBase) -> None:
    telegram, discord = Renderer(kb), DiscordRenderer(kb)
    views = list(both_forms(kb))
    assert len(views) > 100
    for view in views:
        page, card = telegram.render(view), discord.render(view)
        assert plain(card.text) == visible_text(page.text), view
        telegram_labels = [
            b.text for row in (page.keyboard.inline_keyboard if page.keyboard else ()) for b in row
        ]
        discord_labels = [b.label for row in card.rows for b in row]
        assert discord_labels == telegram_labels, view


async def test_discord_buttons_fit_its_limits(kb: KnowledgeBase) -> None:
    discord = DiscordRenderer(kb)
    for view in both_forms(kb):
        card = discord.render(view)
        buttons = card_view(card)
        wanted = sum(len(row) for row in card.rows)
        kept = len(buttons.children) if buttons else 0
        assert kept == wanted, view  # every button fits: custom ids, 5 to a row, 5 rows
        assert len(card.text) <= 4096, view
