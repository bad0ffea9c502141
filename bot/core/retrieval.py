"""BM25 over what each screen says: the closest topics for a question no name answers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.core.knowledge import KnowledgeBase
from bot.core.matching import terms
from bot.core.views import Screen, View

# BM25's usual constants: how fast a repeated word stops counting, and how much a long
# text's length discounts its words.
_K1 = 1.2
_B = 0.75


def _documents(kb: KnowledgeBase) -> Iterable[tuple[View, Iterable[str]]]:
    for n in kb.nutrients:
        yield View(Screen.NUTRIENT, n.id), (n.name, *n.aliases, n.role, n.cramps, *n.signs)
    for g in kb.cause_groups:
        causes = (text for c in g.causes for text in (c.name, c.detail))
        yield View(Screen.CAUSE_GROUP, g.id), (g.title, *g.aliases, g.summary, *causes)
    for s in kb.stretches:
        yield View(Screen.STRETCH, s.id), (s.name, *s.aliases, s.targets)
    for t in kb.knowledge.topics:
        yield View(Screen.TOPIC, t.id), (t.title, *t.aliases, t.summary, *t.points)
    relief = kb.relief
    yield View(Screen.RELIEF), (*relief.asked, *(p.text for p in relief.now))
    flags = kb.red_flags
    yield (
        View(Screen.RED_FLAGS),
        (*(a.intro for a in flags.levels), *(s.name for s in flags.signs)),
    )


class Retrieval:
    """Ranks screens by how well their text covers a question's words."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._docs: list[tuple[View, Counter[str], int]] = []
        for view, texts in _documents(kb):
            counts = Counter(w for text in texts for w in terms(text))
            self._docs.append((view, counts, sum(counts.values())))
        total = len(self._docs)
        frequency = Counter(w for _, counts, _ in self._docs for w in counts)
        self._idf = {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in frequency.items()}
        self._average = sum(length for *_, length in self._docs) / max(total, 1)

    def ranked(self, said: Sequence[str]) -> list[tuple[float, View]]:
        """Screens with any of the words (as `terms` gives them), best first."""
        asked = [w for w in set(said) if w in self._idf]
        scored = []
        for view, counts, length in self._docs:
            score = 0.0
            for word in asked:
                if tf := counts.get(word, 0):
                    norm = _K1 * (1 - _B + _B * length / self._average)
                    score += self._idf[word] * tf * (_K1 + 1) / (tf + norm)
            if score > 0:
                scored.append((score, view))
        scored.sort(key=lambda pair: -pair[0])
        return scored

    def closest(self, said: Sequence[str], limit: int = 3) -> tuple[View, ...]:
        """Up to `limit` screens closest to the words."""
        return tuple(view for _, view in self.ranked(said)[:limit])
