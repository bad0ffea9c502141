"""Documents' text as Telegram HTML, and splitting long answers into pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from itertools import groupby

from bot.core.documents import Block, Run

# Telegram allows 4096 UTF-16 units of parsed text and about 100 formatting entities per
# message; pages stay under both with headroom.
PAGE_LIMIT = 3900
ENTITY_LIMIT = 90
_TAG = re.compile(r"<[^>]*>")
_OPENING_TAG = re.compile(r"<[a-z]")


def esc(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=False)


def link(text: str, url: str) -> str:
    """An escaped link."""
    return f'<a href="{html.escape(url, quote=True)}">{esc(text)}</a>'


def visible_length(text: str) -> int:
    """Length of what Telegram shows for this HTML, in the UTF-16 units it counts."""
    return len(visible_text(text).encode("utf-16-le")) // 2


def visible_text(text: str) -> str:
    """What Telegram shows for this HTML: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def _runs(runs: Iterable[Run]) -> str:
    """Runs as HTML; neighbours with the same emphasis share one tag (Telegram counts tags)."""
    out = []
    for (is_bold, is_italic), group in groupby(runs, key=lambda run: (run.bold, run.italic)):
        text = "".join(link(r.text, r.url) if r.url else esc(r.text) for r in group)
        text = f"<i>{text}</i>" if is_italic else text
        out.append(f"<b>{text}</b>" if is_bold else text)
    return "".join(out)


def block_html(block: Block) -> str:
    """A document block as Telegram HTML."""
    return "\n".join(esc(mark) + _runs(line.runs) for mark, line in block.lines())


def fits(page: str) -> bool:
    """Whether HTML fits in one message page (Telegram counts visible text and entities)."""
    return visible_length(page) <= PAGE_LIMIT and len(_OPENING_TAG.findall(page)) <= ENTITY_LIMIT
