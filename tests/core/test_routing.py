"""Free text goes to the screen that answers it; warning signs always win."""

from __future__ import annotations

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.routing import route
from bot.core.views import Screen, View


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bananas?", View(Screen.FOOD, "banana")),
        ("what lacks when toes twitch", View(Screen.CAUSE_GROUP, "nutrients")),
        ("magnesium", View(Screen.NUTRIENT, "magnesium")),
        ("which foods have vitamin d", View(Screen.FOODS, "vitamin-d")),
        ("my toe is cramping right now!!", View(Screen.RELIEF)),
        ("cramp with chest pain", View(Screen.RED_FLAGS)),
        ("numbness on one side", View(Screen.RED_FLAGS)),
        ("should I see a doctor", View(Screen.RED_FLAGS)),
        ("any good stretches?", View(Screen.STRETCHES)),
        ("why do my toes cramp", View(Screen.CAUSES)),
        ("hello", View(Screen.MENU)),
    ],
)
def test_questions_route_to_their_answer(kb: KnowledgeBase, text: str, expected: View) -> None:
    assert route(kb, text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "asdfgh qwerty", "🦶🦶🦶", "<b>&amp;</b>", "x" * 5000]
)
def test_nonsense_routes_nowhere(kb: KnowledgeBase, text: str) -> None:
    assert route(kb, text) is None


def test_a_warning_sign_beats_a_nutrient(kb: KnowledgeBase) -> None:
    assert route(kb, "magnesium and my calf is swollen") == View(Screen.RED_FLAGS)
