"""The understanding's rules on the shipped content: names in any order of the message,
typos put right, denied words not counting, general questions about warning signs sent to
all of them, and nothing ever raised. The labelled question set (tests/understanding)
measures it as a whole; these pin down each rule."""

from __future__ import annotations

import random
import time

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.understanding import Understanding, Understood
from bot.core.views import Action, Screen, View


@pytest.fixture(scope="module")
def understanding(kb: KnowledgeBase) -> Understanding:
    return Understanding(kb)


def view(got: Understood) -> View | None:
    return None if got.view is None else View(got.view.screen, got.view.arg)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("magnesium", View(Screen.NUTRIENT, "magnesium")),
        ("magnesum", View(Screen.NUTRIENT, "magnesium")),  # a typo
        ("which foods have magnesium", View(Screen.FOODS, "magnesium")),
        ("Magnesium Lebensmittel", View(Screen.FOODS, "magnesium")),  # the cue in German
        ("magnesium pills for cramps", View(Screen.TOPIC, "magnesium-pills")),  # longest name
        ("bananas?", View(Screen.FOOD, "banana")),
        ("why do my toes cramp", View(Screen.CAUSES)),  # 'toe' and 'cramp' name nothing
        ("what can you do", View(Screen.MENU)),  # a whole message of question words
        ("stretching my calf on a step", View(Screen.STRETCH, "step-stretch")),  # stems
    ],
)
def test_names_lead_to_their_screen(
    understanding: Understanding, text: str, expected: View
) -> None:
    got = understanding.understand(text)
    assert got.sign is None
    assert view(got) == expected


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("stop reminding me", Action.STOP),
        ("remind me to drink water every 2 hours", Action.REMIND),
        ("delete my data", Action.FORGET),
        ("what do you know about me", Action.MYDATA),
    ],
)
def test_bot_actions_in_plain_words(
    understanding: Understanding, text: str, action: Action
) -> None:
    assert understanding.understand(text).action is action


def test_a_denied_word_names_nothing(understanding: Understanding) -> None:
    assert view(understanding.understand("numbness")) == View(Screen.CAUSE_GROUP, "nerves")
    got = understanding.understand("no numbness, just cramps, why")
    assert view(got) == View(Screen.CAUSES)


def test_a_warning_sign_beats_any_name(understanding: Understanding) -> None:
    got = understanding.understand("magnesium and my calf is swollen and hot")
    assert got.sign is not None
    assert got.view == View(Screen.TRIAGE, got.sign.id)


def test_asking_about_warning_signs_in_general_gets_all_of_them(
    understanding: Understanding,
) -> None:
    asked = "what are the symptoms of a blood clot in the leg"
    assert understanding.understand(asked).view == View(Screen.RED_FLAGS)
    assert understanding.understand("is my swollen calf a blood clot").sign is not None


@pytest.mark.parametrize(
    "text",
    ["", "   ", "asdfgh qwerty", "🦶🦶🦶", "<b>&amp;</b>", "x" * 5000, "what", "\u200b" * 50],
)
def test_nonsense_answers_nothing(understanding: Understanding, text: str) -> None:
    got = understanding.understand(text)
    assert (got.view, got.action, got.sign) == (None, None, None)


def test_a_question_nothing_names_gets_the_closest_topics(
    understanding: Understanding,
) -> None:
    got = understanding.understand("does the cold winter weather affect my cramps")
    assert got.view is None
    assert got.suggestions


def test_random_junk_never_raises_and_stays_quick(understanding: Understanding) -> None:
    rng = random.Random(11)
    alphabet = "abc xyz ÄÖü ñ боль 痛 🦶 ,.!?;'\"-_*|\n\t"
    started = time.perf_counter()
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        understanding.understand(text)
    # Generous: the benchmark holds p99 to 5 ms; this only catches a runaway.
    assert time.perf_counter() - started < 10


def test_every_item_is_reachable_by_its_name(
    understanding: Understanding, kb: KnowledgeBase
) -> None:
    named = [
        *((n.name, View(Screen.NUTRIENT, n.id)) for n in kb.nutrients),
        *((g.title, View(Screen.CAUSE_GROUP, g.id)) for g in kb.cause_groups),
        *((s.name, View(Screen.STRETCH, s.id)) for s in kb.stretches),
        *((t.title, View(Screen.TOPIC, t.id)) for t in kb.knowledge.topics),
    ]
    missed = [(name, view(understanding.understand(name))) for name, _ in named]
    wanted = [target for _, target in named]
    assert [got for _, got in missed] == wanted, [
        (name, got) for (name, got), target in zip(missed, wanted, strict=True) if got != target
    ]


def test_every_warning_sign_is_found_in_its_own_words(
    understanding: Understanding, kb: KnowledgeBase
) -> None:
    for sign in kb.red_flags.signs:
        got = understanding.understand(f"I have this: {sign.name.lower()}")
        assert got.sign is not None, sign.id
        assert got.sign.level.rank >= sign.level.rank, (sign.id, got.sign.id)
