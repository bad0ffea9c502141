"""Name matching: normalise what people type and find exact or close names."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Long inputs are cut before matching: no name is this long, and difflib is quadratic.
MAX_QUERY_CHARS = 64
CLOSE_MATCH_CUTOFF = 0.72
_NON_WORD = re.compile(r"[^a-z0-9+]+")


def normalize(text: str) -> str:
    """Lowercase, drop accents and punctuation, fold spaces: 'Vit. D3!' -> 'vit d3'."""
    decomposed = unicodedata.normalize("NFKD", text[: MAX_QUERY_CHARS * 4])
    ascii_text = decomposed.encode("ascii", "ignore").decode().lower()
    return _NON_WORD.sub(" ", ascii_text).strip()[:MAX_QUERY_CHARS].strip()


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

    def lookup(self, query: str, limit: int = 3) -> Lookup[T]:
        """Exact match, or up to `limit` distinct close matches."""
        key = compact(query)
        if not key:
            return Lookup(None)
        if key in self._by_key:
            return Lookup(self._by_key[key])
        # Very short keys ('k', 'e') would make any one-letter typo a false match.
        candidates = [k for k in self._by_key if len(k) > 2]
        close = difflib.get_close_matches(key, candidates, n=limit * 4, cutoff=CLOSE_MATCH_CUTOFF)
        suggestions: list[T] = []
        for match in close:
            item = self._by_key[match]
            if item not in suggestions:
                suggestions.append(item)
        return Lookup(None, tuple(suggestions[:limit]))
