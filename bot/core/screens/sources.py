"""Where the facts come from: every source by publisher, and the sources behind one screen."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.documents import Block, Button, block, bold, bullets, fits_screen, line, link
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Source
from bot.core.screens.common import SUCH_AS, Answer, and_list, nav, publishers, without_icon
from bot.core.views import Screen, View


def all_sources(kb: KnowledgeBase, view: View) -> Answer:
    every = kb.all_sources()
    named = publishers(kb, SUCH_AS)
    such_as = f", such as {and_list(named)}" if named else ""
    head = block(
        bold("Sources"),
        f"Every fact here comes from one of {len(every)} public sources{such_as}. "
        "The wording is ours. Each answer names the sources behind it.",
    )
    by_publisher: dict[str, list[Source]] = {}
    for source in every:
        by_publisher.setdefault(source.publisher, []).append(source)
    listing = [
        block(bold(publisher), bullets([link(s.title, s.url) for s in sources]))
        for publisher, sources in by_publisher.items()
    ]
    more = f"All {len(every)} sources ▸"
    return Answer([head], nav(red_flags=False), listing, more=more)


def cited_sources(kb: KnowledgeBase, target: View, title: str, cited: Sequence[str]) -> Answer:
    """The sources behind one screen (`target`, named `title`), each with its link."""
    sources = kb.sources_of(tuple(dict.fromkeys(cited)))
    lines = [line(link(s.title, s.url), f" — {s.publisher}") for s in sources]
    head = bold(f"Sources: {without_icon(title)}")
    shown = len(lines)
    while shown > 1 and not fits_screen([block(head, bullets(lines[:shown]))]):
        shown -= 1
    none = "Nothing on that screen needs a source."
    lead: list[Block] = [block(head, bullets(lines[:shown])) if lines else block(head, none)]
    detail = [block(bullets(lines[shown:]))] if lines[shown:] else []
    rows = [
        (Button("◀ Back", target), Button("📚 All sources", View(Screen.SOURCES))),
        *nav(red_flags=False),
    ]
    return Answer(lead, rows, detail)
