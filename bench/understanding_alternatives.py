"""The techniques the shipped understanding was chosen over, measured on the same question
set by bench.understanding: the keyword router it replaced, fuzzy whole-message matching,
BM25 retrieval over the content, and the shipped rules without their typo fixing or with
BM25 answering where no name does. Each keeps the shipped triage, except the old router."""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz, process

from bot.core.knowledge import KnowledgeBase
from bot.core.matching import normalize, terms
from bot.core.models import Level, WarningSign
from bot.core.understanding import Understanding, Understood
from bot.core.views import Screen, View, parse_label

Answer = Callable[[str], Understood]
# BM25 scores below this are treated as no answer (tuned on the set: the best of 1-8).
BM25_FLOOR = 4.0
FUZZY_FLOOR = 85

# The router before: a bag of English keywords, warning words sending to /redflags.
_WARNING_WORDS = frozenset(
    "chest breath breathe breathing heartbeat palpitation palpitations slurred stroke "
    "swollen swelling clot numb numbness weakness weak doctor gp emergency serious "
    "dangerous worried worry hospital ambulance redflags".split()
)
_RELIEF_WORDS = frozenset(
    "now hurts hurting ouch ow relief relieve stop ease release locked stuck cramping".split()
)
_TOPIC_WORDS = (
    (frozenset("stretch stretches stretching exercise exercises yoga".split()), Screen.STRETCHES),
    (
        frozenset("lack lacking deficiency deficient missing low vitamin mineral".split()),
        Screen.CAUSES,
    ),
    (frozenset("food foods eat eating diet".split()), Screen.NUTRIENTS),
    (frozenset("why cause causes reason cramp cramps twitch spasm".split()), Screen.CAUSES),
    (frozenset("hi hello hey start menu thanks".split()), Screen.MENU),
)
# The old router had no levels: its /redflags answer counts as the most urgent one.
_ANY_WARNING = WarningSign("red-flags", Level.EMERGENCY, "Warning signs", "", (), ())


def keywords_before(kb: KnowledgeBase) -> Answer:
    """The keyword router this issue replaced (ASCII words, warning words first)."""

    def answer(text: str) -> Understood:
        said = normalize(text.encode("ascii", "ignore").decode()).split()
        present = set(said)
        if present & _WARNING_WORDS:
            return Understood(view=View(Screen.RED_FLAGS), sign=_ANY_WARNING)
        if present & _RELIEF_WORDS:
            return Understood(view=View(Screen.RELIEF))
        for word in said:
            if (nutrient := kb.nutrient(word).found) is not None:
                return Understood(view=View(Screen.NUTRIENT, nutrient.id))
            if (stretch := kb.stretch(word).found) is not None:
                return Understood(view=View(Screen.STRETCH, stretch.id))
        if (food := kb.food_word(" ".join(said))) is not None:
            return Understood(view=View(Screen.FOOD, food))
        for words, screen in _TOPIC_WORDS:
            if present & words:
                return Understood(view=View(screen))
        return Understood()

    return answer


class _NoTypoFixing(Understanding):
    def _closest(self, token: str) -> str:
        return token


def names_without_typos(kb: KnowledgeBase) -> Answer:
    """The shipped rules, but a misspelt name is not put right."""
    return _NoTypoFixing(kb).understand


def names_then_bm25(kb: KnowledgeBase) -> Answer:
    """The shipped rules; where no name answers, BM25's best screen does."""
    shipped = Understanding(kb)

    def answer(text: str) -> Understood:
        got = shipped.understand(text)
        if got.sign or got.action or got.view:
            return got
        ranked = shipped.retrieval.ranked(terms(text))
        if ranked and ranked[0][0] >= BM25_FLOOR:
            return Understood(view=ranked[0][1])
        return got

    return answer


def bm25_only(kb: KnowledgeBase) -> Answer:
    """Triage, then BM25's best screen over what each screen says (no names, no actions)."""
    shipped = Understanding(kb)

    def answer(text: str) -> Understood:
        if (sign := shipped.triage.sign(text)) is not None:
            return Understood(view=View(Screen.TRIAGE, sign.id), sign=sign)
        ranked = shipped.retrieval.ranked(terms(text))
        if ranked and ranked[0][0] >= BM25_FLOOR:
            return Understood(view=ranked[0][1])
        return Understood()

    return answer


def fuzzy_whole_message(kb: KnowledgeBase) -> Answer:
    """Triage, then rapidfuzz's WRatio of the whole message against every name."""
    shipped = Understanding(kb)
    names: dict[str, str] = {}
    for name in shipped.names():
        if name.words:
            names.setdefault(" ".join(name.words), name.target)
    choices = list(names)

    def answer(text: str) -> Understood:
        if (sign := shipped.triage.sign(text)) is not None:
            return Understood(view=View(Screen.TRIAGE, sign.id), sign=sign)
        best = process.extractOne(
            " ".join(terms(text)), choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_FLOOR
        )
        if best is None:
            return Understood()
        target = parse_label(names[best[0]])
        if isinstance(target, View):
            return Understood(view=target)
        return Understood(action=target)

    return answer


ALTERNATIVES: dict[str, Callable[[KnowledgeBase], Answer]] = {
    "before: keywords": keywords_before,
    "fuzzy whole message": fuzzy_whole_message,
    "BM25 over content": bm25_only,
    "names, no typo fixing": names_without_typos,
    "names, then BM25": names_then_bm25,
}
