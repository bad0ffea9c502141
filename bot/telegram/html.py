"""Telegram HTML building blocks, and splitting long answers into pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

# Telegram allows 4096 UTF-16 units of parsed text and about 100 formatting entities per
# message; pages stay under both with headroom.
PAGE_LIMIT = 3900
ENTITY_LIMIT = 90
ECHO_LIMIT = 40
# A first answer fits one phone screen: this much visible text, on at most this many lines
# (blank lines between blocks count: they take the room of a line).
SCREEN_CHARS = 700
SCREEN_LINES = 12
_TAG = re.compile(r"<[^>]*>")
_OPENING_TAG = re.compile(r"<[a-z]")


def esc(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    """Escaped text in bold."""
    return f"<b>{esc(text)}</b>"


def italic(text: str) -> str:
    """Escaped text in italics."""
    return f"<i>{esc(text)}</i>"


def link(text: str, url: str) -> str:
    """An escaped link."""
    return f'<a href="{html.escape(url, quote=True)}">{esc(text)}</a>'


def bullets(items: Iterable[str]) -> str:
    """Escaped items as a bulleted list."""
    return "\n".join(f"• {esc(item)}" for item in items)


def numbered(items: Iterable[str], start: int = 1) -> str:
    """Escaped items as a numbered list, counting from `start`."""
    return "\n".join(f"{n}. {esc(item)}" for n, item in enumerate(items, start))


def packed(items: Sequence[str], max_lines: int) -> str:
    """Escaped items as bullets, one a line; when there are more items than lines, some
    lines hold two or more items (' · ' apart): the list stays within max_lines and no item
    is ever dropped."""
    lines = min(len(items), max(max_lines, 1))
    if not lines:
        return ""
    base, extra = divmod(len(items), lines)
    out, start = [], 0
    for index in range(lines):
        size = base + (1 if index < extra else 0)
        out.append("• " + " · ".join(esc(item) for item in items[start : start + size]))
        start += size
    return "\n".join(out)


def echo(user_text: str) -> str:
    """What the user typed, shortened, on one line and escaped: safe to quote back."""
    flat = " ".join(user_text.split())
    if len(flat) > ECHO_LIMIT:
        flat = flat[: ECHO_LIMIT - 1] + "…"
    return esc(flat)


def number(value: float) -> str:
    """156.0 -> '156', 4700 -> '4,700', 2.4 -> '2.4'."""
    return f"{value:,g}"


def visible_length(text: str) -> int:
    """Length of what Telegram shows for this HTML, in the UTF-16 units it counts."""
    return len(visible_text(text).encode("utf-16-le")) // 2


def visible_text(text: str) -> str:
    """What Telegram shows for this HTML: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def screen_size(text: str) -> tuple[int, int]:
    """Visible characters (UTF-16 units) and lines of this HTML."""
    return visible_length(text), visible_text(text).count("\n") + 1


def fits_screen(text: str) -> bool:
    """Whether this HTML fits one phone screen (SCREEN_CHARS, SCREEN_LINES)."""
    chars, lines = screen_size(text)
    return chars <= SCREEN_CHARS and lines <= SCREEN_LINES


def _fits(page: str, limit: int) -> bool:
    return visible_length(page) <= limit and len(_OPENING_TAG.findall(page)) <= ENTITY_LIMIT


def paginate(blocks: list[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Join blocks with blank lines into pages that fit in a message. A block that fits on a
    page is never split; a longer one fills pages line by line."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        parts = block.split("\n") if not _fits(block, limit) else [block]
        for index, part in enumerate(parts):
            separator = "" if not current else ("\n" if index else "\n\n")
            if current and not _fits(current + separator + part, limit):
                pages.append(current)
                current = part
            else:
                current += separator + part
    pages.append(current)
    return pages
