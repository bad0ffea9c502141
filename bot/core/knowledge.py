"""Lookups over the loaded knowledge: nutrients, foods, causes, stretches, topics, signs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.matching import Lookup, NameIndex, normalize, singular
from bot.core.models import (
    CauseGroup,
    Food,
    Knowledge,
    Nutrient,
    Source,
    Stretch,
    Topic,
    WarningSign,
)


@dataclass(frozen=True, slots=True)
class FoodHit:
    """One food's serving as listed under one nutrient."""

    nutrient: Nutrient
    food: Food


class KnowledgeBase:
    """Answers lookups by name, forgiving typos, over one immutable Knowledge."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.nutrients = knowledge.nutrients
        self.cause_groups = knowledge.cause_groups
        self.stretches = knowledge.stretches
        self.red_flags = knowledge.red_flags
        self.relief = knowledge.relief
        self._nutrients = NameIndex((n, (n.id, n.name, *n.aliases)) for n in self.nutrients)
        self._groups = NameIndex((g, (g.id, g.title, *g.aliases)) for g in self.cause_groups)
        self._stretches = NameIndex((s, (s.id, s.name, *s.aliases)) for s in self.stretches)
        self._sources = {s.id: s for s in knowledge.sources}
        self._nutrients_by_id = {n.id: n for n in self.nutrients}
        self._groups_by_id = {g.id: g for g in self.cause_groups}
        self._stretches_by_id = {s.id: s for s in self.stretches}
        self._topics_by_id = {t.id: t for t in knowledge.topics}
        self._signs_by_id = {s.id: s for s in knowledge.red_flags.signs}
        self._food_words: dict[str, list[FoodHit]] = {}
        for nutrient in self.nutrients:
            for food in nutrient.foods:
                for word in set(self._words_of(food.name)):
                    self._food_words.setdefault(word, []).append(FoodHit(nutrient, food))

    @staticmethod
    def _words_of(text: str) -> list[str]:
        # Only the food's name before the first comma names it ('Salmon, Atlantic, farmed').
        head = normalize(text.split(",")[0].split("(")[0])
        return [singular(word) for word in head.split() if len(word) > 2]

    def nutrient(self, query: str) -> Lookup[Nutrient]:
        """The nutrient a name, alias or near-miss spelling refers to."""
        return self._nutrients.lookup(query)

    def nutrient_by_id(self, nutrient_id: str) -> Nutrient | None:
        """The nutrient with this id, if any."""
        return self._nutrients_by_id.get(nutrient_id)

    def cause_group_by_id(self, group_id: str) -> CauseGroup | None:
        """The cause group with this id, if any."""
        return self._groups_by_id.get(group_id)

    def stretch_by_id(self, stretch_id: str) -> Stretch | None:
        """The stretch with this id, if any."""
        return self._stretches_by_id.get(stretch_id)

    def cause_group(self, query: str) -> Lookup[CauseGroup]:
        """The cause group a name or alias refers to."""
        return self._groups.lookup(query)

    def stretch(self, query: str) -> Lookup[Stretch]:
        """The stretch a name or alias refers to."""
        return self._stretches.lookup(query)

    def foods_named(self, query: str) -> tuple[FoodHit, ...]:
        """Every listed serving whose name contains this food word, richest %DV first."""
        words = [singular(w) for w in normalize(query).split() if len(w) > 2]
        hits: dict[tuple[str, str], FoodHit] = {}
        for word in words:
            for hit in self._food_words.get(word, []):
                hits.setdefault((hit.nutrient.id, hit.food.name), hit)
        return tuple(sorted(hits.values(), key=lambda h: -h.food.percent_dv))

    def food_words(self) -> tuple[str, ...]:
        """Every word that names a listed food, singular."""
        return tuple(self._food_words)

    def topic_by_id(self, topic_id: str) -> Topic | None:
        """The topic with this id, if any."""
        return self._topics_by_id.get(topic_id)

    def sign_by_id(self, sign_id: str) -> WarningSign | None:
        """The warning sign with this id, if any."""
        return self._signs_by_id.get(sign_id)

    def food_word(self, query: str) -> str | None:
        """The first word of the query that names a listed food, singular."""
        for word in normalize(query).split():
            if singular(word) in self._food_words:
                return singular(word)
        return None

    def sources_of(self, ids: tuple[str, ...]) -> tuple[Source, ...]:
        """The sources behind these ids, in order."""
        return tuple(self._sources[i] for i in ids if i in self._sources)

    def all_sources(self) -> tuple[Source, ...]:
        """Every source, by publisher then title."""
        return tuple(sorted(self._sources.values(), key=lambda s: (s.publisher, s.title)))
