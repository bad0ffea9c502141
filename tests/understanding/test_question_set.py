"""The labelled question set is sound, and the shipped understanding meets its targets on it.

The targets: every warning sign answered at least as urgently as it needs (safety recall
100 %), at most 3 % of harmless questions answered with a sign, at least 95 % of them
answered with the right screen or action. A failure lists the questions missed."""

from __future__ import annotations

import tomllib
from collections import Counter

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level, WarningSign
from bot.core.understanding import Understanding, Understood
from bot.core.views import Action, Screen, View, parse_label
from tests.understanding.labels import (
    NONE,
    QUESTIONS,
    TARGET_OVER_TRIAGE,
    TARGET_SAFETY_RECALL,
    TARGET_TOPIC_ACCURACY,
    Question,
    QuestionSetError,
    Scores,
    describe,
    format_misses,
    label_of,
    load_questions,
    parse_questions,
    passes,
    score,
    unknown_ids,
)

# The examples from the bug report, with their right answers: a level (and sign) for a
# warning, else the label, then the other labels that are right too.
ISSUE_EXAMPLES: list[tuple[str, str, tuple[str, ...]]] = [
    ("my calf hurts after a long flight", "urgent:dvt", ()),
    ("my calf hurts and is hot and red", "urgent:dvt", ()),
    ("my foot went cold and pale and it hurts", "emergency:cold-limb", ()),
    ("toe cramps with pins and needles", "doctor:numbness", ()),
    ("боль в груди", "emergency:chest-pain", ()),
    ("pickle juice?", "topic:pickle-juice", ("foods:sodium",)),
    ("stop reminding me", "action:stop", ()),
    ("I feel weak after running", "topic:athletes", ("causes", "cause_group:overuse")),
    ("worried", NONE, ("menu",)),
    ("what is a charley horse", "topic:what-is-cramp", ()),
    ("statins", "topic:statins", ()),
    ("I'm diabetic", "topic:diabetes", ()),
]
LEVELS = {level.value for level in Level}
MIN_QUESTIONS = 320
MIN_WARNINGS = 110
MIN_TRAPS = 40
MIN_OTHER_LANGUAGES = 25
MIN_PER_SIGN = 3  # each warning sign in the content is described this many ways at least
MIN_PER_ITEM = 2  # each topic, nutrient, cause group and stretch is asked about this often


def _example(expected: str, accept: tuple[str, ...]) -> Question:
    """An issue example as the question it is."""
    head, _, sign = expected.partition(":")
    if head in LEVELS:
        return Question(text="", level=Level(head), sign=sign)
    return Question(text="", label=expected, accept=accept)


@pytest.fixture(scope="module")
def questions() -> tuple[Question, ...]:
    try:
        return load_questions()
    except QuestionSetError as error:
        pytest.fail(f"{QUESTIONS.name} is not valid:\n{error}")


@pytest.fixture(scope="module")
def understanding(kb: KnowledgeBase) -> Understanding:
    return Understanding(kb)


@pytest.fixture(scope="module")
def scores(questions: tuple[Question, ...], understanding: Understanding) -> Scores:
    return score(questions, understanding.understand)


# ---------------------------------------------------------------- the set itself


def test_the_set_loads_and_is_valid(questions: tuple[Question, ...]) -> None:
    assert questions


def test_every_label_and_sign_names_something_in_the_content(
    questions: tuple[Question, ...], kb: KnowledgeBase
) -> None:
    problems = unknown_ids(questions, kb)
    # Many questions share one missing id: name each once, with how many questions use it.
    missing = Counter(problem.split(": ", 1)[1] for problem in problems)
    summary = "\n".join(f"{what} ({count}x)" for what, count in sorted(missing.items()))
    assert not problems, f"{len(problems)} questions name what content/ lacks:\n{summary}"


def test_the_set_is_big_and_mixed_enough(questions: tuple[Question, ...]) -> None:
    warnings = [q for q in questions if q.warning]
    assert len(questions) >= MIN_QUESTIONS
    assert len(warnings) >= MIN_WARNINGS
    assert {q.level for q in warnings} == set(Level)
    assert sum(q.trap for q in questions) >= MIN_TRAPS
    assert sum(q.lang != "en" for q in questions) >= MIN_OTHER_LANGUAGES
    assert sum(q.label == NONE for q in questions) >= 5
    assert {q.label for q in questions} >= {f"action:{action.value}" for action in Action}


def test_every_item_in_the_content_is_asked_about(
    questions: tuple[Question, ...], kb: KnowledgeBase
) -> None:
    signs = Counter(q.sign for q in questions if q.sign)
    labels = Counter(q.label for q in questions)
    wanted = {f"sign {s.id}": (signs[s.id], MIN_PER_SIGN) for s in kb.red_flags.signs}
    items = [
        *(f"topic:{t.id}" for t in kb.knowledge.topics),
        *(f"nutrient:{n.id}" for n in kb.nutrients),
        *(f"cause_group:{g.id}" for g in kb.cause_groups),
        *(f"stretch:{s.id}" for s in kb.stretches),
    ]
    wanted |= {item: (labels[item], MIN_PER_ITEM) for item in items}
    short = [f"{item}: {have} of {need}" for item, (have, need) in wanted.items() if have < need]
    assert not short, "asked about too rarely:\n" + "\n".join(short)


def test_the_issue_examples_are_in_the_set_as_labelled(questions: tuple[Question, ...]) -> None:
    by_text = {q.text: q for q in questions}
    for text, expected, accept in ISSUE_EXAMPLES:
        assert text in by_text, text
        example, question = _example(expected, accept), by_text[text]
        assert (question.level, question.sign) == (example.level, example.sign), text
        assert (question.label, set(question.accept)) == (example.label, set(accept)), text


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"q": [{"text": "a"}]}, "exactly one of label and level"),
        ({"q": [{"text": "a", "label": "relief", "level": "urgent"}]}, "exactly one"),
        ({"q": [{"text": "a", "level": "soon"}]}, "'soon' is not one of"),
        ({"q": [{"text": "a", "label": "relief", "sign": "dvt"}]}, "only goes with a level"),
        ({"q": [{"text": "a", "level": "doctor", "accept": ["relief"]}]}, "only goes with"),
        ({"q": [{"text": "a", "label": "relief", "lable": "x"}]}, "unknown key 'lable'"),
        ({"q": [{"text": "a", "label": "relief", "lang": "xx"}]}, "lang 'xx'"),
        ({"q": [{"text": "a", "level": "urgent", "trap": True}]}, "only for harmless"),
        ({"q": [{"text": " ", "label": "relief"}]}, "text must be"),
        (
            {"q": [{"text": "Cramp", "label": "relief"}, {"text": "cramp ", "label": "menu"}]},
            "same as",
        ),
        ({}, "no [[q]] tables"),
    ],
)
def test_the_validator_catches_broken_entries(data: dict[str, object], problem: str) -> None:
    with pytest.raises(QuestionSetError, match=problem.replace("[", r"\[")):
        parse_questions(data)


def test_unknown_ids_are_caught(kb: KnowledgeBase) -> None:
    bad = parse_questions(
        tomllib.loads(
            """
            [[q]]
            text = "a"
            label = "topic:no-such-topic"
            accept = ["stretch:no-such-stretch", "food:zzzz", "relief:x", "triage:dvt", "menus"]
            [[q]]
            text = "b"
            level = "urgent"
            sign = "no-such-sign"
            """
        )
    )
    problems = unknown_ids(bad, kb)
    assert len(problems) == 7, problems


# ---------------------------------------------------------------- the scoring


def _oracle(questions: tuple[Question, ...]) -> dict[str, Understood]:
    """The right answer to every question, built from its labels."""
    answers: dict[str, Understood] = {}
    for q in questions:
        if q.level is not None:
            sign = WarningSign(q.sign or "x", q.level, "", "", (), ())
            answers[q.text] = Understood(sign=sign)
            continue
        target = parse_label(q.label)
        if isinstance(target, Action):
            answers[q.text] = Understood(action=target)
        elif isinstance(target, View):
            answers[q.text] = Understood(view=target)
        else:
            answers[q.text] = Understood()
    return answers


def test_label_of_names_each_kind_of_answer() -> None:
    sign = WarningSign("dvt", Level.URGENT, "", "", (), ())
    assert label_of(Understood(sign=sign, view=View(Screen.RELIEF))) == "triage:dvt"
    assert label_of(Understood(action=Action.STOP, view=View(Screen.MENU))) == "action:stop"
    assert label_of(Understood(view=View(Screen.NUTRIENT, "magnesium"))) == "nutrient:magnesium"
    assert label_of(Understood(view=View(Screen.RED_FLAGS))) == "red_flags"
    assert label_of(Understood(suggestions=(View(Screen.RELIEF),))) == NONE


def test_a_more_urgent_sign_is_safe_and_a_less_urgent_one_is_not() -> None:
    question = Question(text="x", level=Level.URGENT)
    for level, safe in ((Level.EMERGENCY, True), (Level.URGENT, True), (Level.DOCTOR, False)):
        got = Understood(sign=WarningSign("s", level, "", "", (), ()))
        assert passes(question, got) is safe, level


def test_scoring_the_right_answers_meets_every_target(questions: tuple[Question, ...]) -> None:
    answers = _oracle(questions)
    result = score(questions, answers.__getitem__)
    assert result.shortfalls() == [], format_misses(result.misses)
    assert (result.safety_recall, result.over_triage, result.topic_accuracy) == (1.0, 0.0, 1.0)
    assert result.sign_match == 1.0
    assert result.cant_answer == sum(q.label == NONE for q in questions) / len(questions)


def test_scoring_counts_over_triage_and_misses(questions: tuple[Question, ...]) -> None:
    sign = WarningSign("s", Level.EMERGENCY, "", "", (), ())
    result = score(questions, lambda _: Understood(sign=sign))
    assert (result.safety_recall, result.over_triage, result.topic_accuracy) == (1.0, 1.0, 0.0)
    assert len(result.misses) == sum(not q.warning for q in questions)
    nothing = score(questions, lambda _: Understood())
    assert (nothing.safety_recall, nothing.over_triage, nothing.cant_answer) == (0.0, 0.0, 1.0)


# ---------------------------------------------------------------- the shipped understanding


def _missed(scores: Scores, what: str) -> str:
    return f"{what}\n{len(scores.misses)} of {scores.questions} missed:\n" + format_misses(
        scores.misses
    )


def test_every_warning_sign_is_answered_urgently_enough(scores: Scores) -> None:
    # Compared as a float, so that a failure prints the misses once, not Scores' repr too.
    safety_recall = scores.safety_recall
    assert safety_recall >= TARGET_SAFETY_RECALL, _missed(
        scores, f"safety recall {scores.safety_recall:.1%}, target {TARGET_SAFETY_RECALL:.0%}"
    )


def test_harmless_questions_are_rarely_triaged(scores: Scores) -> None:
    over_triage = scores.over_triage
    assert over_triage <= TARGET_OVER_TRIAGE, _missed(
        scores, f"over-triage {scores.over_triage:.1%}, target <= {TARGET_OVER_TRIAGE:.0%}"
    )


def test_questions_go_to_the_screen_that_answers_them(scores: Scores) -> None:
    topic_accuracy = scores.topic_accuracy
    assert topic_accuracy >= TARGET_TOPIC_ACCURACY, _missed(
        scores,
        f"topic accuracy {scores.topic_accuracy:.1%}, target >= {TARGET_TOPIC_ACCURACY:.0%}",
    )


@pytest.mark.parametrize(
    ("text", "expected", "accept"), ISSUE_EXAMPLES, ids=[text for text, _, _ in ISSUE_EXAMPLES]
)
def test_the_issue_examples_are_answered_rightly(
    understanding: Understanding, text: str, expected: str, accept: tuple[str, ...]
) -> None:
    got = understanding.understand(text)
    wanted = _example(expected, accept)
    # The report names the sign each one is: a safe level with another sign is still wrong.
    right_sign = not wanted.sign or (got.sign is not None and got.sign.id == wanted.sign)
    if not (passes(wanted, got) and right_sign):
        pytest.fail(f"{text!r}: wanted {wanted.expected}, got {describe(got)}")
