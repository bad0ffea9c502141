"""Free text to what answers it: a warning sign first, then the named item, screen or action,
else the closest topics. Rules over the content's own names and phrasings, typo-tolerant;
README's "Understanding" section gives the measurements that chose this."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from bot.core.knowledge import KnowledgeBase
from bot.core.matching import STOP_WORDS, content_words, stems, terms, words
from bot.core.models import WarningSign
from bot.core.retrieval import Retrieval
from bot.core.triage import NEGATIONS, Triage, denied
from bot.core.views import Action, Screen, View, parse_label

# Asking which foods hold a nutrient, rather than what the nutrient is.
FOOD_CUES = frozenset(
    "food foods eat eating diet rich source sources contain contains "
    "lebensmittel nahrung alimentos comida aliments alimentation alimenti cibi "
    "продукты еда".split()
)
# Asking about warning signs in general ("what are the symptoms of a clot?") rather than
# describing one's own: such a question gets every warning sign, not one sign's answer.
INFO_CUES = (
    ("symptoms", "of"),
    ("signs", "of"),
    ("sign", "of"),
    ("what", "is"),
    ("what", "are"),
    ("what", "does"),
    ("feel", "like"),
    ("can", "a"),
    ("is", "cramping"),
)
CAUSE_CUES = frozenset("cause causes causing lead leads".split())
FIRST_PERSON = frozenset(
    "i im ive me my mine myself ich mein meine mir mich yo mi me je mon ma mes moi eu meu "
    "minha io mio mia я мой моя мне меня у".split()
)
# How much each kind of name counts beside its length: an action's or a topic's words are
# more specific than a list screen's single word ("why", "stretch").
_WEIGHTS = {
    "action": 6,
    "topic": 5,
    "about": 2,  # a topic about cramps in general: any more specific name comes first
    "nutrient": 4,
    "stretch": 4,
    "cause_group": 3,
    "food": 2,
    "relief": 4,
}
_FUZZY_MIN = 6  # letters before one typo is forgiven (two from 9): 'point' is not 'joint'
MAX_GAP = 2  # common words allowed between a name's words
_ANY_QUESTION = frozenset({"what", "how"})
MAX_OTHER_WORDS = 3  # words beside common ones that a name of common words may leave out
MENU_MAX_WORDS = 4  # a greeting or "help" is the whole question only in a short message


@dataclass(frozen=True, slots=True)
class Understood:
    """What a message asks for: a warning sign's answer, a screen, an action, or nothing
    (then `suggestions` holds the closest screens)."""

    view: View | None = None
    action: Action | None = None
    sign: WarningSign | None = None
    suggestions: tuple[View, ...] = ()


@dataclass(frozen=True, slots=True)
class Name:
    """A phrase that names a target, as folded, singular words."""

    words: tuple[str, ...]
    target: str  # a label
    weight: int
    own_words: int  # words that are not common to every message
    said: tuple[str, ...]  # every word of the phrase, as a whole message would have them

    @property
    def score(self) -> tuple[int, int, int, int]:
        """Most words of its own first, then its kind, then the longest."""
        return (self.own_words, self.weight, len(self.words), sum(map(len, self.words)))


class Understanding:
    """Reads free text against one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.triage = Triage(kb.red_flags.signs)
        self._common = frozenset(w for word in kb.knowledge.common_words for w in terms(word))
        self._by_first: dict[str, list[Name]] = {}
        self._whole: dict[tuple[str, ...], str] = {}
        for name in self.names():
            self._whole.setdefault(name.said, name.target)
            # 'what' and 'how' ask about anything: a name of nothing else ('what can you
            # do') answers only a message that is just that name.
            if name.words and not set(name.words) <= _ANY_QUESTION:
                self._by_first.setdefault(name.words[0], []).append(name)
        self._vocabulary = tuple(
            sorted({w for n in self.names() for w in content_words(" ".join(n.said))})
        )
        self._known = frozenset(self._vocabulary)
        self._correct = lru_cache(maxsize=4096)(self._closest)
        self.retrieval = Retrieval(kb)

    def names(self) -> Iterator[Name]:
        """Every phrase that names a screen or an action, with its target."""
        kb = self.kb
        named: list[tuple[str, str, Iterable[str]]] = []
        for n in kb.nutrients:
            named.append(("nutrient", f"nutrient:{n.id}", (n.id, n.name, *n.aliases)))
        for g in kb.cause_groups:
            named.append(("cause_group", f"cause_group:{g.id}", (g.title, *g.aliases)))
        for s in kb.stretches:
            named.append(("stretch", f"stretch:{s.id}", (s.id, s.name, *s.aliases)))
        for t in kb.knowledge.topics:
            kind = "about" if t.kind == "about" else "topic"
            named.append((kind, f"topic:{t.id}", (t.id.replace("-", " "), t.title, *t.aliases)))
        named.append(("relief", "relief", kb.relief.asked))
        for intent in kb.knowledge.intents:
            kind = "action" if intent.target.startswith("action:") else "list"
            named.append((kind, intent.target, intent.asked))
        for kind, target, phrases in named:
            for phrase in phrases:
                yield self._name(phrase, target, _WEIGHTS.get(kind, 0))
        for food in kb.food_words():
            yield self._name(food, f"food:{food}", _WEIGHTS["food"])

    def _name(self, phrase: str, target: str, weight: int) -> Name:
        said = terms(phrase)
        own = sum(word not in self._common for word in said)
        return Name(tuple(said), target, weight, own, tuple(words(phrase)))

    def _closest(self, token: str) -> str:
        """The known word one typo away from `token` (two in long words), else `token`."""
        if len(token) < _FUZZY_MIN or token in self._known or not token.isalpha():
            return token
        allowed = 1 if len(token) < 9 else 2
        best, best_distance = token, allowed + 1
        for word in self._vocabulary:
            if abs(len(word) - len(token)) <= allowed:
                distance = Levenshtein.distance(token, word, score_cutoff=allowed)
                if distance < best_distance:
                    best, best_distance = word, distance
        return best

    def understand(self, text: str) -> Understood:
        """What `text` asks for."""
        if (sign := self.triage.sign(text)) is not None:
            if self._asks_in_general(text):
                return Understood(view=View(Screen.RED_FLAGS))
            return Understood(view=View(Screen.TRIAGE, sign.id), sign=sign)
        said, negated = self._said(text)
        label = self._whole.get(tuple(words(text))) or self._best_label(said, negated)
        target = parse_label(label) if label else None
        if isinstance(target, Action):
            return Understood(action=target)
        if target is None:
            return Understood(suggestions=self.retrieval.closest(said))
        if target.screen is Screen.NUTRIENT and FOOD_CUES & set(said):
            target = View(Screen.FOODS, target.arg)
        return Understood(view=target)

    def _said(self, text: str) -> tuple[list[str], list[bool]]:
        """The stems of the message's words, typos put right first, and whether a negation
        denies each ("no numbness, just cramps" names no nerve problem)."""
        every = words(text)
        negated = denied(every, reassured=False)  # "is twitching normal?" asks about it
        kept = [
            (self._correct(w), no)
            for w, no in zip(every, negated, strict=True)
            if w not in STOP_WORDS
        ]
        return stems([w for w, _ in kept]), [no for _, no in kept]

    def _best_label(self, said: list[str], negated: list[bool]) -> str | None:
        """The target of the best name the words hold and do not deny, if any."""
        best: Name | None = None
        lone = len(said) == 1
        # A name of common words only ('toe cramp') answers only a message with little else:
        # "does cold weather affect cramps" is not asking what to do during one.
        others = sum(bool(w) and w not in self._common and w not in NEGATIONS for w in said)
        mostly_common = others <= MAX_OTHER_WORDS
        for start, word in enumerate(said):
            if negated[start]:
                continue
            for name in self._by_first.get(word, ()):
                # One- and two-letter names ('k', 'mg', 'd') only when they are all there is.
                if len(name.words) == 1 and len(word) < 3 and not lone:
                    continue
                if not name.own_words and not mostly_common:
                    continue
                # "Hey" opens a long message about something else: the menu is no answer.
                if name.target == "menu" and len(said) > MENU_MAX_WORDS:
                    continue
                if _in_order(said, start, name.words, self._common) and (
                    best is None or name.score > best.score
                ):
                    best = name
        return best.target if best else None

    @staticmethod
    def _asks_in_general(text: str) -> bool:
        said = words(text)
        if FIRST_PERSON & set(said):
            return False
        if CAUSE_CUES & set(said):  # "can low potassium cause paralysis?"
            return True
        return any(said[i : i + 2] == list(cue) for cue in INFO_CUES for i in range(len(said)))


def _in_order(said: list[str], start: int, name: tuple[str, ...], common: frozenset[str]) -> bool:
    """Whether the name's words follow `start` in order with at most MAX_GAP common words
    between them ("stop my toe cramp" meets "stop cramp"; "what causes cramps" does not
    meet "what cramp")."""
    at = start
    for word in name[1:]:
        window = said[at + 1 : at + 2 + MAX_GAP]
        if word not in window:
            return False
        skipped = window[: window.index(word)]
        if any(w not in common for w in skipped):
            return False
        at += 1 + len(skipped)
    return True
