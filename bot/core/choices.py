"""Names offered while an argument is typed (Discord's autocomplete): the item it names,
those whose label starts with or contains the text, then the nearest spellings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from rapidfuzz import fuzz, process

from bot.core.commands import Choices
from bot.core.knowledge import KnowledgeBase
from bot.core.matching import Lookup
from bot.core.timezones import zones_like

# Discord shows at most 25 choices.
MAX_CHOICES = 25


class Named(Protocol):
    """Anything with an id and a display label: nutrients, cause groups, stretches."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


N = TypeVar("N", bound=Named)


def choices_for(kb: KnowledgeBase, kind: Choices, typed: str) -> list[tuple[str, str]]:
    """(label, value) pairs for what has been typed so far, best first."""
    typed = typed.strip()[:100]
    if kind is Choices.TIMEZONE:
        return [(zone, zone) for zone in zones_like(typed, MAX_CHOICES)]
    if kind is Choices.NUTRIENT:
        return _named(kb.nutrients, kb.nutrient(typed) if typed else None, typed)
    if kind is Choices.CAUSE_GROUP:
        return _named(kb.cause_groups, kb.cause_group(typed) if typed else None, typed)
    if kind is Choices.STRETCH:
        return _named(kb.stretches, kb.stretch(typed) if typed else None, typed)
    return []


def _named(every: Sequence[N], lookup: Lookup[N] | None, typed: str) -> list[tuple[str, str]]:
    key = typed.casefold()
    starts = [i for i in every if i.label.casefold().startswith(key) or i.id.startswith(key)]
    within = [i for i in every if key in i.label.casefold()]
    found = [lookup.found] if lookup is not None and lookup.found is not None else []
    close = list(lookup.suggestions) if lookup is not None else []
    # Half-typed and misspelt ('calff'): the names nearest to it, however partial.
    near = [
        every[index]
        for _, _, index in process.extract(
            key, [i.label.casefold() for i in every], scorer=fuzz.WRatio, score_cutoff=60
        )
    ]
    ordered = dict.fromkeys([*found, *starts, *within, *close, *near])
    return [(item.label[:100], item.id) for item in ordered][:MAX_CHOICES]
