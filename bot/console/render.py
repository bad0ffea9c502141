"""Documents as terminal text: bold in ANSI on a terminal only, links as 'text (url)', paged
like the chat platforms' messages, and buttons with the targets they press."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.documents import Block, Document, Rows, Run, Url
from bot.core.knowledge import KnowledgeBase
from bot.core.paging import joined, paged
from bot.core.replies import Say, Show
from bot.core.screens import Screens
from bot.core.targets import fitting
from bot.core.views import View

# A page holds as much as a Telegram or Discord message, so the console pages like them.
PAGE_LIMIT = 3900
# The console keeps button targets in memory: no platform limit applies, this only bounds
# them (every target the screens make fits).
TARGET_MAX = 1024
BOLD, PLAIN = "\033[1m", "\033[0m"
_ESCAPES = re.compile(r"\033\[[0-9;]*m")


@dataclass(frozen=True, slots=True)
class Key:
    """A button as the console shows it: `data` is the encoded target it presses; a link
    has none, only its address."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message on the terminal: its text and its rows of buttons."""

    text: str
    rows: tuple[tuple[Key, ...], ...] = ()

    def data(self) -> list[str]:
        """What each button that can be pressed presses, in the order they are numbered."""
        return [key.data for row in self.rows for key in row if key.data is not None]


def _run(run: Run, ansi: bool) -> str:
    text = f"{run.text} ({run.url})" if run.url and run.url != run.text else run.text
    return f"{BOLD}{text}{PLAIN}" if ansi and run.bold else text


def block_text(block: Block, ansi: bool) -> str:
    """A block as terminal lines."""
    return "\n".join(
        mark + "".join(_run(r, ansi) for r in line.runs) for mark, line in block.lines()
    )


def fits(page: str) -> bool:
    """Whether text fits on one page (escape codes take no room on the screen)."""
    return len(_ESCAPES.sub("", page)) <= PAGE_LIMIT


def keys(rows: Rows) -> tuple[tuple[Key, ...], ...]:
    """A document's buttons for the terminal; one whose target does not encode is left off,
    as every platform leaves it off."""
    out = []
    for row in rows:
        kept = []
        for button in row:
            target = button.target
            if isinstance(target, Url):
                kept.append(Key(button.label, url=target.address))
            elif (data := fitting(target, TARGET_MAX)) is not None:
                kept.append(Key(button.label, data))
        if kept:
            out.append(tuple(kept))
    return tuple(out)


class TerminalRenderer:
    """Turns views and documents into terminal messages over one knowledge base."""

    def __init__(self, kb: KnowledgeBase, *, ansi: bool) -> None:
        self.screens = Screens(kb)
        self.ansi = ansi

    def page(self, view: View) -> Message:
        """The page a view asks for, with Back / More and the screen's own buttons."""
        text, rows = paged(self.screens.document(view), view, self._block, fits)
        return Message(text, keys(rows))

    def single(self, document: Document) -> Message:
        """A document that is one message: its first answer and its buttons."""
        return Message(joined(document.blocks, self._block), keys(document.buttons))

    def message(self, reply: Say | Show) -> Message:
        """A service's screen or message."""
        return self.page(reply.view) if isinstance(reply, Show) else self.single(reply.document)

    def _block(self, block: Block) -> str:
        return block_text(block, self.ansi)
