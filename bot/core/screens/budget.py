"""An answer as a document: the first answer within one phone screen, the rest behind "More"."""

from __future__ import annotations

from bot.core.documents import Document, fits_screen
from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import Answer, sources_line, sources_view
from bot.core.views import View


def compose(kb: KnowledgeBase, view: View, answer: Answer, title: str) -> Document:
    """The document for an answer: the sources line ends the first answer (and, in each
    front end, the last page), so the first answer fits one screen with it."""
    cited = kb.sources_of(tuple(dict.fromkeys(answer.cited)))
    sources = sources_line(cited, sources_view(View(view.screen, view.arg)))
    tail = [sources.line] if sources else []
    rows = tuple(answer.rows)
    everything = [*answer.lead, *answer.detail] if answer.whole is None else answer.whole
    if not (answer.fold and answer.detail) and fits_screen([*everything, *tail]):
        return Document(title, tuple(everything), rows, sources)
    first = list(answer.lead[:1])
    for block in answer.lead[1:]:
        if not fits_screen([*first, block, *tail]):
            break
        first.append(block)
    rest = (*answer.lead[len(first) :], *answer.detail)
    return Document(title, tuple(first), rows, sources, rest, answer.more)
