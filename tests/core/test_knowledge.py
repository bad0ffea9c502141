"""Lookups over the shipped knowledge: aliases, misspellings, ranking, foods by name."""

from __future__ import annotations

import pytest

from bot.core.knowledge import KnowledgeBase


@pytest.mark.parametrize(
    ("query", "nutrient"),
    [
        ("magnesium", "magnesium"),
        ("Mg", "magnesium"),
        ("magnesum", "magnesium"),
        ("vit d", "vitamin-d"),
        ("Vitamin D", "vitamin-d"),
        ("D3", "vitamin-d"),
        ("b12", "vitamin-b12"),
        ("B-12", "vitamin-b12"),
        ("cobalamin", "vitamin-b12"),
        ("k", "potassium"),
        ("potasium", "potassium"),
        ("CA", "calcium"),
        ("tocopherol", "vitamin-e"),
        ("salt", "sodium"),
    ],
)
def test_names_and_aliases_find_the_nutrient(kb: KnowledgeBase, query: str, nutrient: str) -> None:
    found = kb.nutrient(query).found
    assert found is not None
    assert found.id == nutrient


@pytest.mark.parametrize(
    ("typo", "nutrient"),
    [("magnezium", "magnesium"), ("potassim", "potassium"), ("calsium", "calcium")],
)
def test_misspellings_suggest_the_nutrient(kb: KnowledgeBase, typo: str, nutrient: str) -> None:
    lookup = kb.nutrient(typo)
    assert lookup.found is None or lookup.found.id == nutrient
    if lookup.found is None:
        assert lookup.suggestions[0].id == nutrient


def test_unknown_nutrient_finds_nothing(kb: KnowledgeBase) -> None:
    lookup = kb.nutrient("unobtainium")
    assert lookup.found is None
    assert lookup.suggestions == ()


def test_foods_are_ranked_by_amount_per_serving(kb: KnowledgeBase) -> None:
    for nutrient in kb.nutrients:
        amounts = [food.amount for food in nutrient.foods_ranked()]
        assert amounts == sorted(amounts, reverse=True)


def test_food_words_find_servings_across_nutrients(kb: KnowledgeBase) -> None:
    hits = kb.foods_named("bananas?")
    assert any(hit.nutrient.id == "potassium" for hit in hits)
    assert all("banana" in hit.food.name.lower() for hit in hits)
    assert kb.food_word("any bananas?") == "banana"
    assert kb.foods_named("qwertyuiop") == ()


def test_cause_groups_by_id_and_alias(kb: KnowledgeBase) -> None:
    nerves = kb.cause_group("nerves").found
    assert nerves is not None
    assert nerves.id == "nerves"
    for group in kb.cause_groups:
        for alias in group.aliases:
            found = kb.cause_group(alias).found
            assert found is not None
            assert found.id == group.id


def test_every_linked_nutrient_exists(kb: KnowledgeBase) -> None:
    for group in kb.cause_groups:
        for cause in group.causes:
            if cause.nutrient:
                assert kb.nutrient_by_id(cause.nutrient) is not None
