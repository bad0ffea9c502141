"""Screens as platform-neutral documents: plain text with emphasis, buttons and their targets.

Each front end renders a document within its own limits (markup, message size, button
data). Text here is plain, never escaped: escaping is each renderer's job. The one rule
that lives here is the phone-screen budget for a first answer, measured on plain text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from bot.core.views import View

# A first answer fits one phone screen: this much visible text, on at most this many lines
# (blank lines between blocks count: they take the room of a line).
SCREEN_CHARS = 700
SCREEN_LINES = 12
MORE = "More ▸"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of a line's text with its emphasis, and where it links to if it does."""

    text: str
    bold: bool = False
    italic: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text as runs."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    def marked(self) -> tuple[tuple[str, Line], ...]:
        """The lines with the mark each starts with (none: a line stands as it is)."""
        return (("", self),)


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bulleted list, an item a line."""

    items: tuple[Line, ...]

    def marked(self) -> tuple[tuple[str, Line], ...]:
        return tuple(("• ", item) for item in self.items)


@dataclass(frozen=True, slots=True)
class Numbered:
    """A numbered list counting from `start`, an item a line."""

    items: tuple[Line, ...]
    start: int = 1

    def marked(self) -> tuple[tuple[str, Line], ...]:
        return tuple((f"{n}. ", item) for n, item in enumerate(self.items, self.start))


Part = Line | Bullets | Numbered


@dataclass(frozen=True, slots=True)
class Block:
    """Parts one under the other; blocks stand a blank line apart and are never split
    unless one is longer than a whole message."""

    parts: tuple[Part, ...]

    def lines(self) -> tuple[tuple[str, Line], ...]:
        """Every line of the block with its mark ('• ', '2. ' or none)."""
        return tuple(marked for part in self.parts for marked in part.marked())

    @property
    def text(self) -> str:
        return "\n".join(mark + line.text for mark, line in self.lines())


class ReminderAction(StrEnum):
    """What a reminder button does; the value is its short code."""

    DRAFT = "n"  # a setup step: the draft follows
    NEW = "new"
    CANCEL = "c"
    LIST = "l"
    PAUSE = "p"
    RESUME = "r"
    EDIT = "e"
    ASK_DELETE = "d"
    DELETE = "D"
    DELETE_ALL = "A"
    FORGET = "F"
    DONE = "x"
    SNOOZE = "z"
    SKIP_TODAY = "k"


@dataclass(frozen=True, slots=True)
class Press:
    """A reminder button's target: the action and what it names."""

    action: ReminderAction
    args: tuple[int | str, ...] = ()


@dataclass(frozen=True, slots=True)
class Url:
    """A button's target outside the bot."""

    address: str


Target = View | Press | Url


@dataclass(frozen=True, slots=True)
class Button:
    """A button and what pressing it opens or does."""

    label: str
    target: Target


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Sources:
    """The line naming a screen's sources (it ends the first page and the last) and, when
    it names only some, the button to the listing of all of them."""

    line: Block
    listing: Button | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One screen: the first answer (within the screen budget), the detail behind `more`
    (each front end pages it within its own limits), the sources, and rows of buttons."""

    title: str
    blocks: tuple[Block, ...]
    buttons: Rows = ()
    sources: Sources | None = None
    more: tuple[Block, ...] = ()
    more_label: str = MORE


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


def link(text: str, url: str, *, italic: bool = False) -> Run:
    return Run(text, italic=italic, url=url)


def line(*pieces: str | Run) -> Line:
    """A line from plain strings and runs."""
    return Line(tuple(Run(piece) if isinstance(piece, str) else piece for piece in pieces))


def block(*parts: Part | str | Run) -> Block:
    """A block from parts; a string or a run is a line of its own."""
    return Block(tuple(line(p) if isinstance(p, str | Run) else p for p in parts))


def bullets(items: Sequence[str | Run | Line]) -> Bullets:
    return Bullets(tuple(item if isinstance(item, Line) else line(item) for item in items))


def numbered(items: Sequence[str | Run | Line], start: int = 1) -> Numbered:
    return Numbered(tuple(item if isinstance(item, Line) else line(item) for item in items), start)


def packed(items: Sequence[str], max_lines: int) -> Bullets:
    """Items as bullets, one a line; when there are more items than lines, some lines hold
    two or more items (' · ' apart): the list stays within max_lines and no item is ever
    dropped."""
    lines = min(len(items), max(max_lines, 1))
    base, extra = divmod(len(items), lines) if lines else (0, 0)
    out, start = [], 0
    for index in range(lines):
        size = base + (1 if index < extra else 0)
        out.append(line(" · ".join(items[start : start + size])))
        start += size
    return Bullets(tuple(out))


def grid(items: Sequence[T], per_row: int = 2) -> list[tuple[T, ...]]:
    """Items laid out `per_row` to a row."""
    return [tuple(items[i : i + per_row]) for i in range(0, len(items), per_row)]


def number(value: float) -> str:
    """156.0 -> '156', 4700 -> '4,700', 2.4 -> '2.4'."""
    return f"{value:,g}"


def joined(blocks: Sequence[Block]) -> str:
    """The plain text of blocks, a blank line apart."""
    return "\n\n".join(text for b in blocks if (text := b.text))


def screen_size(text: str) -> tuple[int, int]:
    """Characters (in UTF-16 units, as phones and Telegram count them) and lines of text."""
    return len(text.encode("utf-16-le")) // 2, text.count("\n") + 1


def fits_screen(blocks: Sequence[Block]) -> bool:
    """Whether these blocks fit one phone screen (SCREEN_CHARS, SCREEN_LINES)."""
    chars, lines = screen_size(joined(blocks))
    return chars <= SCREEN_CHARS and lines <= SCREEN_LINES
