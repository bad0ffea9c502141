"""The same content answers on every front end: each renders a screen's first answer as the
same visible text, with the same buttons, whatever its markup (Telegram HTML, Discord
markdown, the console's plain text with link addresses)."""

from __future__ import annotations

import re

from bot.console.render import TerminalRenderer
from bot.core.knowledge import KnowledgeBase
from bot.discord.render import DiscordRenderer, card_view
from bot.telegram.html import visible_text
from bot.telegram.render import Renderer
from tests.core.test_documents import both_forms
from tests.discord.harness import plain

# The console prints a link as 'text (address)'.
_ADDRESS = re.compile(r" \(https?://[^)\s]+\)")


def test_telegram_discord_and_the_console_show_the_same_first_answer(
    kb: KnowledgeBase,
) -> None:
    telegram, discord = Renderer(kb), DiscordRenderer(kb)
    console = TerminalRenderer(kb, ansi=False)
    views = list(both_forms(kb))
    assert len(views) > 100
    for view in views:
        page, card, message = telegram.render(view), discord.render(view), console.page(view)
        shown = visible_text(page.text)
        assert plain(card.text) == shown, view
        assert _ADDRESS.sub("", message.text) == shown, view
        telegram_labels = [
            b.text for row in (page.keyboard.inline_keyboard if page.keyboard else ()) for b in row
        ]
        assert [b.label for row in card.rows for b in row] == telegram_labels, view
        assert [k.label for row in message.rows for k in row] == telegram_labels, view


async def test_discord_buttons_fit_its_limits(kb: KnowledgeBase) -> None:
    discord = DiscordRenderer(kb)
    for view in both_forms(kb):
        card = discord.render(view)
        buttons = card_view(card)
        # Every button fits (custom ids, 5 to a row, 5 rows), but one to where an earlier
        # one goes: Discord refuses two buttons with one custom id.
        wanted = len({b.target for row in card.rows for b in row})
        kept = (
            [getattr(b, "custom_id", None) or b.url for b in buttons.children] if buttons else []
        )
        assert len(kept) == wanted, view
        assert len(set(kept)) == len(kept), view
        assert len(card.text) <= 4096, view
