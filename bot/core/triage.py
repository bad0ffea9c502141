"""Warning signs in people's own words: each sign's `describe` patterns, read per sentence,
with negated words not counting and small typos forgiven. Deterministic: no scores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from bot.core.matching import sentences, singular, words
from bot.core.models import WarningSign

# Words that deny what follows them ("no chest pain", "kein Brustschmerz", "нет боли"),
# in the languages the patterns are written in. Contractions are already joined (dont).
NEGATIONS = frozenset(
    "no not never without dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt "
    "none nor neither nothing "
    "kein keine keinen keiner nicht ohne nie "
    "sin nunca ni tampoco "
    "pas sans aucun aucune jamais "
    "nao sem "
    "non senza mai "
    "не нет без ни".split()
)
NEGATION_REACH = 4  # words after a negation that it denies
# Words that clear what comes just before them: "my chest is fine, my toes cramp".
REASSURANCES = frozenset("fine ok okay normal alright gut bien bem bene нормально".split())
REASSURANCE_REACH = 3
# Words that end a negation's reach: "no fever but my calf is red".
# "Just" and "only" turn to what is there: "no chest pain, just my toes".
CONTRASTS = frozenset(
    "but however although though except just only "
    "aber nur pero solo mais seulement juste ma но однако только mas apenas".split()
)
# A typo is forgiven in longer words only: one edit from 6 letters, two from 9 ("chess" is
# not "chest", and "heard" not "heart").
_FUZZY_MIN = 6
_PREFIX_KEY = 3  # letters a prefix is indexed by (content prefixes have at least 3)


@dataclass(frozen=True, slots=True)
class _Alternative:
    """Adjacent words, each matched in the singular ('legs' meets 'leg'; a stemmer would
    make 'nightly' meet 'night') or, written with a trailing '*', as a prefix."""

    parts: tuple[tuple[str, bool], ...]  # (singular, or prefix when True)

    def at(self, said: _Sentence, start: int) -> bool:
        if start + len(self.parts) > len(said.tokens):
            return False
        for offset, (word, prefix) in enumerate(self.parts):
            index = start + offset
            if not (said.tokens[index].startswith(word) if prefix else said.stems[index] == word):
                return False
        return True

    def anywhere(self, said: _Sentence) -> bool:
        """Whether it starts at an undenied word of the sentence."""
        word, prefix = self.parts[0]
        if prefix:
            starts = [i for i in said.undenied if said.tokens[i].startswith(word)]
        else:
            starts = said.where.get(word, [])
        return any(self.at(said, start) for start in starts)


@dataclass(frozen=True, slots=True)
class _Sentence:
    """One sentence's words, in the singular too, and where each undenied one stands."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    undenied: tuple[int, ...]
    where: dict[str, list[int]]

    @classmethod
    def of(cls, tokens: Sequence[str]) -> _Sentence:
        stemmed = [singular(token) for token in tokens]
        undenied = tuple(i for i, no in enumerate(denied(tokens)) if not no)
        where: dict[str, list[int]] = {}
        for index in undenied:
            where.setdefault(stemmed[index], []).append(index)
        return cls(tuple(tokens), tuple(stemmed), undenied, where)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """Terms that must all appear, undenied, in one sentence; each term has alternatives."""

    terms: tuple[tuple[_Alternative, ...], ...]

    def matches(self, said: _Sentence) -> bool:
        return all(any(alt.anywhere(said) for alt in term) for term in self.terms)


def _compile(pattern: str) -> _Pattern:
    terms = []
    for term in pattern.split():
        alternatives = []
        for alternative in term.split("|"):
            parts: list[tuple[str, bool]] = []
            for raw in alternative.split("_"):
                prefix = raw.endswith("*")
                folded = words(raw.rstrip("*"))
                for n, word in enumerate(folded):
                    last_prefix = prefix and n == len(folded) - 1
                    parts.append((word, True) if last_prefix else (singular(word), False))
            if parts:
                alternatives.append(_Alternative(tuple(parts)))
        if alternatives:
            terms.append(tuple(alternatives))
    return _Pattern(tuple(terms))


def denied(tokens: Sequence[str], *, reassured: bool = True) -> list[bool]:
    """For each word, whether a negation within reach before it denies it, or (if
    `reassured`) a word of reassurance just after it ("my chest is fine")."""
    out = [False] * len(tokens)
    reach = 0
    for index, token in enumerate(tokens):
        if token in CONTRASTS:
            reach = 0
        elif token in NEGATIONS:
            reach = NEGATION_REACH
            continue
        elif reassured and token in REASSURANCES:
            for back in range(index - 1, max(index - REASSURANCE_REACH, 0) - 1, -1):
                if tokens[back] in CONTRASTS:
                    break
                out[back] = True
        elif reach:
            out[index] = True
            reach -= 1
    return out


class Triage:
    """Finds the most urgent warning sign a message describes, if any."""

    def __init__(self, signs: Sequence[WarningSign]) -> None:
        self._signs = [
            (sign, tuple(_compile(pattern) for pattern in sign.describe)) for sign in signs
        ]
        # Most urgent first, content order within a level: the first hit is the answer.
        self._signs.sort(key=lambda pair: -pair[0].level.rank)
        # Typos are put right towards the words the patterns spell out, as typed.
        vocabulary = {
            word
            for sign in signs
            for pattern in sign.describe
            for piece in pattern.replace("|", " ").replace("_", " ").split()
            if not piece.endswith("*")
            for word in words(piece)
            if len(word) >= _FUZZY_MIN
        }
        self._vocabulary = frozenset(vocabulary)
        self._prefixes = tuple(
            sorted(
                {
                    word
                    for _, patterns in self._signs
                    for pattern in patterns
                    for term in pattern.terms
                    for alternative in term
                    for word, prefix in alternative.parts
                    if prefix
                }
            )
        )
        self._sorted_vocabulary = tuple(sorted(vocabulary))
        self._correct = lru_cache(maxsize=4096)(self._closest)
        # Each pattern is indexed by the words that can open its rarest term ('cramp*' opens
        # half of them), so a message is checked against the few patterns it could match.
        self._by_word: dict[str, list[tuple[int, _Pattern]]] = {}
        self._by_prefix: dict[str, list[tuple[str, int, _Pattern]]] = {}
        opening = Counter(
            alternative.parts[0]
            for _, patterns in self._signs
            for pattern in patterns
            for term in pattern.terms
            for alternative in term
        )

        def commonness(term: tuple[_Alternative, ...]) -> int:
            return sum(opening[alternative.parts[0]] for alternative in term)

        # Rarest term first, too: a pattern that cannot match fails on its first term.
        self._signs = [
            (sign, tuple(_Pattern(tuple(sorted(p.terms, key=commonness))) for p in patterns))
            for sign, patterns in self._signs
        ]
        for rank, (_, patterns) in enumerate(self._signs):
            for pattern in patterns:
                if not pattern.terms:
                    continue
                for alternative in pattern.terms[0]:
                    word, prefix = alternative.parts[0]
                    if prefix:
                        entry = (word, rank, pattern)
                        self._by_prefix.setdefault(word[:_PREFIX_KEY], []).append(entry)
                    else:
                        self._by_word.setdefault(word, []).append((rank, pattern))

    def _closest(self, token: str) -> str:
        """The pattern word one typo away from `token` (two in long words), else `token`."""
        if len(token) < _FUZZY_MIN or token in self._vocabulary or not token.isalpha():
            return token
        if token.startswith(self._prefixes):  # 'diarrhoea' is 'diarrh*', not 'diarrea'
            return token
        allowed = 1 if len(token) < 9 else 2
        best, best_distance = token, allowed + 1
        for word in self._sorted_vocabulary:
            if abs(len(word) - len(token)) > allowed:
                continue
            distance = Levenshtein.distance(token, word, score_cutoff=allowed)
            if distance < best_distance:
                best, best_distance = word, distance
        return best

    def corrected(self, tokens: Sequence[str]) -> list[str]:
        """The tokens with typos of pattern words put right."""
        return [self._correct(token) for token in tokens]

    def sign(self, text: str) -> WarningSign | None:
        """The most urgent sign described in `text` (any sentence), or None."""
        said = [_Sentence.of(self.corrected(tokens)) for tokens in sentences(text)]
        best: int | None = None
        for sentence in said:
            for rank, pattern in self._candidates(sentence):
                if (best is None or rank < best) and pattern.matches(sentence):
                    best = rank
        return None if best is None else self._signs[best][0]

    def _candidates(self, said: _Sentence) -> list[tuple[int, _Pattern]]:
        """The patterns whose indexed term one of the sentence's words can open."""
        found: list[tuple[int, _Pattern]] = []
        for index in said.undenied:
            found.extend(self._by_word.get(said.stems[index], ()))
            token = said.tokens[index]
            for prefix, rank, pattern in self._by_prefix.get(token[:_PREFIX_KEY], ()):
                if token.startswith(prefix):
                    found.append((rank, pattern))
        return found
