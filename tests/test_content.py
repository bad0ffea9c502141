"""The shipped content holds the schema, and the validator catches what it should."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from bot.core.models import Knowledge, Level
from bot.loader import MIN_FOODS, ContentError, default_content_dir, load_knowledge

CONTENT = default_content_dir()
MAX_ITEM_SOURCES = 3
# Mirrors and copies the medical review found standing in for the originals.
WEAK_SITES = (
    "plex.page",
    "gubta.com",
    "rspp.co.id",
    "pharmacy",
    "developer.api.nhs.uk",
    "stclair.org",
)
REQUIRED_NUTRIENTS = {
    "magnesium",
    "potassium",
    "calcium",
    "vitamin-d",
    "vitamin-b12",
    "vitamin-e",
    "sodium",
}


def test_shipped_content_is_valid() -> None:
    # load_knowledge raises ContentError listing every problem in every file at once.
    try:
        load_knowledge()
    except ContentError as error:
        pytest.fail(str(error))


def test_every_required_nutrient_is_there(knowledge: Knowledge) -> None:
    assert {n.id for n in knowledge.nutrients} == REQUIRED_NUTRIENTS


def test_every_nutrient_has_enough_foods_with_numbers_and_units(knowledge: Knowledge) -> None:
    for nutrient in knowledge.nutrients:
        assert len(nutrient.foods) >= MIN_FOODS, nutrient.id
        for food in nutrient.foods:
            assert food.amount > 0, (nutrient.id, food.name)
            assert food.unit == nutrient.intake.unit, (nutrient.id, food.name)
            assert any(ch.isdigit() for ch in food.serving), (nutrient.id, food.serving)


def test_every_item_names_a_known_source(knowledge: Knowledge) -> None:
    declared = {s.id for s in knowledge.sources}
    cited: list[tuple[str, ...]] = []
    for n in knowledge.nutrients:
        cited += [n.about_sources, n.deficiency_sources, n.intake.sources, n.food_sources]
    cited += [g.sources for g in knowledge.cause_groups]
    cited += [c.sources for g in knowledge.cause_groups for c in g.causes]
    cited += [s.sources for s in knowledge.stretches]
    flags, relief = knowledge.red_flags, knowledge.relief
    cited += [a.sources for a in flags.levels] + [s.sources for s in flags.signs]
    cited += [p.sources for p in (*relief.now, *relief.after, *relief.prevent)]
    cited += [t.sources for t in knowledge.topics]
    cited += [tip.sources for tip in knowledge.hydration_tips]
    for ids in cited:
        assert ids, "an item without sources"
        assert set(ids) <= declared
        # One to three: a screen can show what is behind what it says.
        assert len(ids) <= MAX_ITEM_SOURCES, ids


def test_every_warning_sign_is_described(knowledge: Knowledge) -> None:
    for sign in knowledge.red_flags.signs:
        assert sign.describe, sign.id
        for pattern in sign.describe:
            assert pattern.split(), (sign.id, pattern)
            # A prefix needs three letters: shorter ones match too much (and the matcher
            # indexes prefixes by their first three).
            for word in pattern.replace("|", " ").replace("_", " ").split():
                assert not word.endswith("*") or len(word) > 3, (sign.id, word)
    assert {s.level for s in knowledge.red_flags.signs} == set(Level)


def test_no_source_is_read_through_an_unnamed_copy(knowledge: Knowledge) -> None:
    # A copy on a site we cannot name is a weak source; the original is cited.
    for source in knowledge.sources:
        for url in (source.url, source.via or ""):
            assert not any(site in url for site in WEAK_SITES), (source.id, url)


def test_aliases_are_unique_across_nutrients(knowledge: Knowledge) -> None:
    seen: dict[str, str] = {}
    for n in knowledge.nutrients:
        for alias in {n.id, n.name.lower(), *n.aliases}:
            assert seen.setdefault(alias, n.id) == n.id, f"{alias!r}: {seen[alias]} and {n.id}"


def test_required_aliases_resolve(knowledge: Knowledge) -> None:
    wanted = {
        "mg": "magnesium",
        "magnesum": "magnesium",
        "vit d": "vitamin-d",
        "d3": "vitamin-d",
        "b12": "vitamin-b12",
        "cobalamin": "vitamin-b12",
        "k": "potassium",
        "potasium": "potassium",
        "ca": "calcium",
        "tocopherol": "vitamin-e",
        "salt": "sodium",
    }
    owner = {a: n.id for n in knowledge.nutrients for a in n.aliases}
    for alias, nutrient in wanted.items():
        assert owner.get(alias) == nutrient, alias


def test_emergency_text_says_to_seek_care_now(knowledge: Knowledge) -> None:
    intro = knowledge.red_flags.advice(Level.EMERGENCY).intro.lower()
    assert "emergency" in intro
    assert any(number in intro for number in ("911", "999", "112"))


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def test_validator_reports_every_problem_with_file_and_field(broken_copy: Path) -> None:
    magnesium = broken_copy / "nutrients" / "magnesium.toml"
    text = magnesium.read_text()
    data = tomllib.loads(text)
    first_food = data["foods"]["items"][0]
    # Break two unrelated things in two files: both must be reported.
    text = text.replace(f"percent_dv = {first_food['percent_dv']}", "percent_dv = 99", 1)
    magnesium.write_text(text)
    relief = broken_copy / "relief.toml"
    relief.write_text(relief.read_text().replace("[[after]]\ntext =", "[[after]]\ntxt =", 1))

    with pytest.raises(ContentError) as caught:
        load_knowledge(broken_copy)
    problems = caught.value.problems
    assert any(
        p.startswith("nutrients/magnesium.toml: foods.items[0].percent_dv") for p in problems
    ), problems
    assert any(p.startswith("relief.toml: after[0].text") for p in problems), problems


def test_validator_rejects_markup_and_unknown_sources(broken_copy: Path) -> None:
    stretches = broken_copy / "stretches.toml"
    data = tomllib.loads(stretches.read_text())
    name = data["stretches"][0]["name"]
    text = stretches.read_text().replace(f'name = "{name}"', 'name = "<b>Bold</b>"', 1)
    text = text.replace("sources = [", 'sources = ["no-such-source", ', 1)
    stretches.write_text(text)
    with pytest.raises(ContentError) as caught:
        load_knowledge(broken_copy)
    joined = "\n".join(caught.value.problems)
    assert "stretches[0].name: must be plain text" in joined
    assert "unknown source id 'no-such-source'" in joined


def test_invalid_toml_names_the_file(broken_copy: Path) -> None:
    (broken_copy / "causes.toml").write_text("this is = = not toml")
    with pytest.raises(ContentError, match=r"causes\.toml: file: not valid TOML"):
        load_knowledge(broken_copy)
