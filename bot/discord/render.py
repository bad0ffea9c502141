"""Documents as Discord messages: an embed in Discord's markdown, paged within the embed's
limits, and buttons (5 to a row, 5 rows, 100-character custom ids) that the bot answers
from their ids alone, so no view is kept in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import discord
from discord.utils import escape_markdown

from bot.core.documents import Block, Button, Document, Rows, Run, Url
from bot.core.knowledge import KnowledgeBase
from bot.core.paging import joined, paged
from bot.core.replies import Say, Show
from bot.core.screens import Screens
from bot.core.targets import fitting
from bot.core.views import View

CUSTOM_ID_MAX = 100
LABEL_MAX = 80
PER_ROW = 5
MAX_ROWS = 5
# An embed's description holds 4 096 characters; pages stay under it with room to spare.
PAGE_LIMIT = 3900
COLOUR = discord.Colour(0x2B8A3E)
PAGE_CACHE = 1024


@dataclass(frozen=True, slots=True)
class Card:
    """One Discord message: its embed's text and its rows of buttons (as data: a discord.py
    View needs a running loop, so it is made at send time by `card_view`)."""

    text: str
    rows: Rows

    def embed(self) -> discord.Embed:
        """The message's embed."""
        return discord.Embed(description=self.text, colour=COLOUR)


def _run(run: Run) -> str:
    text = escape_markdown(run.text)
    if run.bold:
        text = f"**{text}**"
    if run.italic:
        text = f"*{text}*"
    return f"[{text}]({run.url})" if run.url else text


def block_markdown(block: Block) -> str:
    """A block in Discord's markdown, every piece of text escaped."""
    return "\n".join(mark + "".join(map(_run, line.runs)) for mark, line in block.lines())


def fits(page: str) -> bool:
    """Whether text fits in one embed's description."""
    return len(page) <= PAGE_LIMIT


def custom_id(button: Button) -> str | None:
    """A button's target as a custom id; None if it does not fit."""
    target = button.target
    return None if isinstance(target, Url) else fitting(target, CUSTOM_ID_MAX)


def layout(rows: Rows) -> list[list[Button]]:
    """The document's rows as Discord's: the buttons it can carry, rows of more than five
    wrapped; when that needs more than five rows, every button five to a row (in order),
    and what is past the 25th left off (the screen still reads without it)."""
    # Discord refuses a message whose buttons share a custom id: the first of each stays.
    seen: set[str] = set()
    kept = [[b for b in row if _first(b, seen)] for row in rows]
    wrapped = [row[i : i + PER_ROW] for row in kept for i in range(0, len(row), PER_ROW)]
    if len(wrapped) <= MAX_ROWS:
        return wrapped
    flat = [button for row in kept for button in row]
    return [flat[i : i + PER_ROW] for i in range(0, PER_ROW * MAX_ROWS, PER_ROW) if flat[i:]]


def _first(button: Button, seen: set[str]) -> bool:
    """Whether Discord can carry the button and no earlier one has the same target."""
    if isinstance(button.target, Url):
        return True
    data = custom_id(button)
    if data is None or data in seen:
        return False
    seen.add(data)
    return True


def _buttons(rows: Rows) -> Iterable[tuple[int, discord.ui.Button[discord.ui.View]]]:
    """discord.py's buttons for the rows, each with its row number."""
    for row, buttons in enumerate(layout(rows)):
        for button in buttons:
            label = button.label[:LABEL_MAX]
            if isinstance(button.target, Url):
                yield row, discord.ui.Button(label=label, url=button.target.address)
            else:
                yield row, discord.ui.Button(label=label, custom_id=custom_id(button))


def card_view(card: Card) -> discord.ui.View | None:
    """The card's buttons as a discord.py View, already stopped: presses reach the bot's
    interaction handler by custom id, and discord.py keeps no view in memory for it."""
    if not card.rows:
        return None
    view = discord.ui.View(timeout=None)
    for row, button in _buttons(card.rows):
        button.row = row
        view.add_item(button)
    view.stop()
    return view if view.children else None


def annotated(embeds: list[discord.Embed], note: str) -> discord.Embed:
    """The pressed message's embed with a line added under it."""
    text = embeds[0].description if embeds and embeds[0].description else ""
    return discord.Embed(description=f"{text}\n\n{escape_markdown(note)}", colour=COLOUR)


class DiscordRenderer:
    """Turns views and documents into cards over one knowledge base; pages cached per view
    (the knowledge never changes while the bot runs), and each card's buttons built once:
    a stopped View is only read when sent, and building one costs more than the rest of a
    reply (250 us for 16 buttons)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.screens = Screens(kb)
        self._cards = lru_cache(maxsize=PAGE_CACHE)(self._render)
        self._views = lru_cache(maxsize=PAGE_CACHE)(card_view)

    def view(self, card: Card) -> discord.ui.View | None:
        """The card's buttons as a discord.py View (call inside the bot's event loop)."""
        return self._views(card)

    def render(self, view: View) -> Card:
        """The card for a view."""
        return self._cards(view)

    def card(self, reply: Say | Show) -> Card:
        """A service's screen or message as a card."""
        if isinstance(reply, Show):
            return self.render(reply.view)
        return single(reply.document)

    def _render(self, view: View) -> Card:
        text, rows = paged(self.screens.document(view), view, block_markdown, fits)
        return Card(text, rows)


def single(document: Document) -> Card:
    """A document that is one message: its first answer and its buttons."""
    return Card(joined(document.blocks, block_markdown), document.buttons)
