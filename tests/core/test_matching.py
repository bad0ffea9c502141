"""Name matching: normalising, exact names and close misspellings."""

from __future__ import annotations

from bot.core.matching import MAX_QUERY_CHARS, NameIndex, compact, normalize


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("  Vit. D3!! ") == "vit d3"
    assert normalize("Magnésium") == "magnesium"
    assert normalize("<b>salt</b>") == "b salt b"


def test_normalize_bounds_very_long_input() -> None:
    assert len(normalize("x" * 5000)) <= MAX_QUERY_CHARS


def test_compact_makes_spellings_meet() -> None:
    assert compact("B-12") == compact("b 12") == compact("b12")


INDEX = NameIndex([("magnesium", ["magnesium", "mg"]), ("potassium", ["potassium", "k"])])


def test_exact_names_and_aliases() -> None:
    assert INDEX.lookup("MG").found == "magnesium"
    assert INDEX.lookup("Potassium").found == "potassium"


def test_close_misspellings_are_suggested_not_found() -> None:
    result = INDEX.lookup("magnezium")
    assert result.found is None
    assert result.suggestions == ("magnesium",)


def test_short_names_are_never_fuzzy_matched() -> None:
    assert INDEX.lookup("j").suggestions == ()


def test_junk_matches_nothing() -> None:
    result = INDEX.lookup("☃☃☃ zzzz qqqq")
    assert result.found is None
    assert result.suggestions == ()
    assert INDEX.lookup("").found is None
