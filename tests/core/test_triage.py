"""The warning-sign matcher's rules, on made-up signs: all terms in one sentence, any order;
alternatives, phrases and prefixes; negation within reach; typos forgiven in long words."""

from __future__ import annotations

import pytest

from bot.core.models import Level, WarningSign
from bot.core.triage import Triage, denied


def sign(sign_id: str, level: Level, *describe: str) -> WarningSign:
    return WarningSign(sign_id, level, sign_id, "act", describe, ("src",))


TRIAGE = Triage(
    [
        sign(
            "clot", Level.URGENT, "calf|leg swollen|swell*|hot|red", "calf|leg hurt* long_flight"
        ),
        sign("chest", Level.EMERGENCY, "chest pain*|tight*", "бол* груд*"),
        sign("often", Level.DOCTOR, "cramp* every_night"),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my calf is swollen", "clot"),
        ("Swollen, my calf!", "clot"),  # any order, punctuation ignored
        ("the leg hurts since my long flight", "clot"),
        ("my calf is swelling up", "clot"),  # prefix
        ("my calf is swolen", "clot"),  # one typo in a long word
        ("chest tightness", "chest"),
        ("боль в груди", "chest"),  # other scripts are kept
        ("cramps every night", "often"),
        ("my calf is swollen and my chest has pain", "chest"),  # the most urgent wins
        ("no fever, but my calf is red", "clot"),  # 'but' ends the negation's reach
    ],
)
def test_descriptions_match_their_sign(text: str, expected: str) -> None:
    found = TRIAGE.sign(text)
    assert found is not None
    assert found.id == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "my calf",
        "a long flight",  # the phrase alone is not the sign
        "my leg hurts. The flight was long",  # terms must share a sentence
        "no chest pain, my calf is fine",
        "I don't have chest pain",
        "my calf is not swollen or red",
        "нет боли в груди",  # negation in another language
        "every night",
        "calf flight long",  # a phrase's words must be adjacent
        "red",
        "x" * 5000,
    ],
)
def test_other_messages_match_nothing(text: str) -> None:
    assert TRIAGE.sign(text) is None


def test_a_negation_reaches_four_words() -> None:
    assert denied("no a b c d e".split()) == [False, True, True, True, True, False]


def test_short_words_are_not_guessed() -> None:
    # 'hat' is one letter from 'hot', but short words are too often something else.
    assert TRIAGE.sign("my calf hat") is None
