"""Name matching: normalise what people type, in any script, and find exact or close names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import Stemmer
from rapidfuzz import fuzz, process

T = TypeVar("T")

# Long inputs are cut before name matching: no name is this long.
MAX_QUERY_CHARS = 64
CLOSE_MATCH_CUTOFF = 72  # rapidfuzz's 0-100 ratio: 'magnesum' meets 'magnesium' at 94
# Apostrophes join ('can't' -> 'cant'), so contractions stay one word in every language.
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[\W_]+")
# Letters that are not a base letter with an accent, so NFKD keeps them whole: 'cœur'.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_SENTENCE_END = re.compile(r"[.!?;\n…。！？]+")


def _fold(text: str) -> str:
    """Casefold and drop accents, keeping every script's letters: 'Ünter' -> 'unter'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", unicodedata.normalize("NFC", kept))


def words(text: str) -> list[str]:
    """The words of a text, folded: "Can't walk, Übel!" -> ['cant', 'walk', 'ubel']."""
    return _NON_WORD.sub(" ", _fold(text)).split()


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence, so that what one sentence says stays together."""
    return [found for part in _SENTENCE_END.split(text) if (found := words(part))]


# Function words: never a name on their own, and skipped when names are matched in a message.
# Question words are not among them: "why" asks for causes, "how" for what to do.
STOP_WORDS = frozenset(
    "a an and are as at be been but by can could did do does for from had has have i "
    "if im in into is it its just me my of on or so some than that the their them then "
    "there these they this to too was we were when where which who will with "
    "would you your ive id get got any about again also am very really please".split()
)


def singular(word: str) -> str:
    """A rough English singular, enough to meet names: 'bananas' -> 'banana'."""
    for suffix, replacement in (("ies", "y"), ("oes", "o"), ("ses", "s"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and not word.endswith("ss"):
            return word[: -len(suffix)] + replacement
    return word


# Snowball's English stemmer meets 'stretching' with 'stretch' and 'cramps' with 'cramp';
# other languages' words pass through it alike in names and in messages, so they still meet.
_STEMMER = Stemmer.Stemmer("english")


def content_words(text: str) -> list[str]:
    """The words that can name something: 'Why do my toes cramp?' -> ['why', 'toes', 'cramp']."""
    return [word for word in words(text) if word not in STOP_WORDS]


def stems(said: list[str]) -> list[str]:
    """Each word's stem: ['toes', 'cramping'] -> ['toe', 'cramp']."""
    return [str(stem) for stem in _STEMMER.stemWords(said)]


def terms(text: str) -> list[str]:
    """The stems of the words that can name something, as names and messages are compared."""
    return stems(content_words(text))


def normalize(text: str) -> str:
    """Words joined by single spaces, cut to a name's length: 'Vit. D3!' -> 'vit d3'."""
    return " ".join(words(text[: MAX_QUERY_CHARS * 4]))[:MAX_QUERY_CHARS].strip()


def compact(text: str) -> str:
    """A normalised key without spaces or hyphens, so 'b 12', 'b-12' and 'b12' meet."""
    return normalize(text).replace(" ", "")


@dataclass(frozen=True, slots=True)
class Lookup(Generic[T]):
    """The item a query names, or else the items it may have meant (best first)."""

    found: T | None
    suggestions: tuple[T, ...] = ()


class NameIndex(Generic[T]):
    """Finds items by any of their names, forgiving case, spacing and small typos."""

    def __init__(self, named: Iterable[tuple[T, Iterable[str]]]) -> None:
        self._by_key: dict[str, T] = {}
        for item, names in named:
            for name in names:
                key = compact(name)
                if key:
                    self._by_key.setdefault(key, item)
        # Very short keys ('k', 'e') would make any one-letter typo a false match.
        self._fuzzy_keys = [key for key in self._by_key if len(key) > 2]

    def lookup(self, query: str, limit: int = 3) -> Lookup[T]:
        """Exact match, or up to `limit` distinct close matches."""
        key = compact(query)
        if not key:
            return Lookup(None)
        if key in self._by_key:
            return Lookup(self._by_key[key])
        close = process.extract(
            key,
            self._fuzzy_keys,
            scorer=fuzz.ratio,
            limit=limit * 4,
            score_cutoff=CLOSE_MATCH_CUTOFF,
        )
        suggestions: list[T] = []
        for match, _score, _index in close:
            item = self._by_key[match]
            if item not in suggestions:
                suggestions.append(item)
        return Lookup(None, tuple(suggestions[:limit]))
