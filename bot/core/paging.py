"""A document as pages within a front end's message limit: the first answer, then the
detail behind "More ▸", with the buttons that move between them. Each front end says how
a block reads in its markup and what fits in one of its messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.documents import Block, Button, Document, Rows
from bot.core.views import View


def joined(blocks: Iterable[Block], render: Callable[[Block], str]) -> str:
    """Blocks as one message in a front end's markup, a blank line apart (empty ones left
    out)."""
    return "\n\n".join(text for b in blocks if (text := render(b)))


def paginate(blocks: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Join rendered blocks with blank lines into pages that fit. A block that fits on a
    page is never split; a longer one fills pages line by line."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        parts = block.split("\n") if not fits(block) else [block]
        for index, part in enumerate(parts):
            separator = "" if not current else ("\n" if index else "\n\n")
            if current and not fits(current + separator + part):
                pages.append(current)
                current = part
            else:
                current += separator + part
    pages.append(current)
    return pages


def paged(
    document: Document,
    view: View,
    render: Callable[[Block], str],
    fits: Callable[[str], bool],
) -> tuple[str, Rows]:
    """The page `view` asks for (the last if it asks past the end) and its buttons: Back,
    More (the detail is the full form: in a group too, once asked for), the sources
    listing, then the document's own."""
    sources = document.sources
    tail = (sources.line,) if sources else ()
    first = joined((*document.blocks, *tail), render)
    rest = [render(b) for b in (*document.more, *tail)]
    pages = [first, *(paginate(rest, fits) if document.more else [])]
    index = min(view.page, len(pages) - 1)
    top: list[Button] = []
    if index > 0:
        top.append(Button("◀ Back", view.at_page(index - 1)))
    if index < len(pages) - 1:
        label = document.more_label if index == 0 else f"More ▸ {index + 2}/{len(pages)}"
        top.append(Button(label, View(view.screen, view.arg, index + 1)))
    if sources and sources.listing:
        top.append(sources.listing)
    rows = (tuple(top), *document.buttons) if top else document.buttons
    return pages[index], rows
