"""Screens as Telegram pages: each document's HTML, paged within a message, and its buttons.

The first page is the document's first answer (one phone screen); the detail is one tap
away, behind "More ▸", on as many pages as Telegram's message limits make it. Groups get
the compact form: the same first page, with buttons that keep later answers compact too."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.documents import Button, Document, Rows, Url
from bot.core.knowledge import KnowledgeBase
from bot.core.paging import joined, paged
from bot.core.screens import Screens
from bot.core.views import View
from bot.telegram.callbacks import callback_data
from bot.telegram.html import block_html, fits

# Pages kept per view: the knowledge never changes while the bot runs, so a page is built
# once, and a command's reply is the cached page (a screen costs 100-300 us to build).
PAGE_CACHE = 1024


@dataclass(frozen=True, slots=True)
class Page:
    """One message: HTML text, its inline keyboard, and the keyboard as the JSON Telegram
    takes (serialised once, not on every reply)."""

    text: str
    keyboard: InlineKeyboardMarkup | None
    markup: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "markup", self.keyboard.to_json() if self.keyboard else None)


def inline_button(button: Button) -> InlineKeyboardButton | None:
    """The Telegram button for a document's button; None if its target does not fit in
    button data (it is left off: the screen still reads without it)."""
    target = button.target
    if isinstance(target, Url):
        return InlineKeyboardButton(button.label, url=target.address)
    data = callback_data(target)
    return InlineKeyboardButton(button.label, callback_data=data) if data else None


def keyboard(rows: Rows) -> InlineKeyboardMarkup | None:
    """Rows of buttons as an inline keyboard, without the buttons Telegram cannot carry."""
    kept = [[b for b in map(inline_button, row) if b is not None] for row in rows]
    kept = [row for row in kept if row]
    return InlineKeyboardMarkup(kept) if kept else None


def single(document: Document) -> Page:
    """A document that is one message: its first answer and its buttons."""
    return Page(joined(document.blocks, block_html), keyboard(document.buttons))


class Renderer:
    """Turns views into pages over one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.screens = Screens(kb)
        self._pages = lru_cache(maxsize=PAGE_CACHE)(self._render)

    def render(self, view: View) -> Page:
        """The page for a view; a view whose item no longer exists gets a gentle note."""
        return self._pages(view)

    def _render(self, view: View) -> Page:
        text, rows = paged(self.screens.document(view), view, block_html, fits)
        return Page(text, keyboard(rows))
