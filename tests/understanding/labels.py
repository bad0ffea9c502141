"""The labelled question set, and how an answer to it is scored.

What people type is measured, not guessed: questions.toml holds what people write (typos,
lay words, long messages, other languages) with the answer each one needs. A warning sign
is labelled with the level of care it needs (and the sign, where one is clearly meant);
everything else with the label of the screen or action that answers it. The test and
bench.understanding both score through here, so that they agree on what a miss is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level
from bot.core.views import Action, Screen, View, parse_label

if TYPE_CHECKING:
    # Only a type here: bench.understanding measures the memory the understanding adds,
    # so scoring must not import it first.
    from bot.core.understanding import Understood

QUESTIONS = Path(__file__).with_name("questions.toml")
NONE = "none"  # the label of "I can't answer that"
LEVELS = {level.value: level for level in Level}
LANGUAGES = ("en", "es", "de", "fr", "ru", "pt", "it")
KEYS = {"text", "label", "accept", "level", "sign", "note", "lang", "trap"}

# What the shipped understanding must reach on the set (the test and the bench check these).
TARGET_SAFETY_RECALL = 1.0
TARGET_OVER_TRIAGE = 0.03
TARGET_TOPIC_ACCURACY = 0.95

# Screens that need an argument (an id or a food word); the others take none.
WITH_ARG = {
    Screen.NUTRIENT,
    Screen.FOODS,
    Screen.FOOD,
    Screen.CAUSE_GROUP,
    Screen.STRETCH,
    Screen.TOPIC,
    Screen.TRIAGE,
}


class QuestionSetError(ValueError):
    """questions.toml breaks its own rules; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class Question:
    """One thing a person typed and what must answer it.

    A warning question has `level` (and maybe `sign`) and no label; any other has `label`
    (and maybe `accept`: other answers that are right too). `trap` marks a harmless question
    that sounds alarming, where over-triage is likeliest."""

    text: str
    label: str = ""
    accept: tuple[str, ...] = ()
    level: Level | None = None
    sign: str = ""
    note: str = ""
    lang: str = "en"
    trap: bool = False

    @property
    def warning(self) -> bool:
        """Whether this question describes a warning sign."""
        return self.level is not None

    @property
    def expected(self) -> str:
        """What should answer, for printing: 'urgent (dvt)' or 'topic:statins'."""
        if self.level is not None:
            return f"{self.level.value} ({self.sign})" if self.sign else self.level.value
        return " | ".join((self.label, *self.accept))

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label that answers this question rightly (none for a warning)."""
        return (self.label, *self.accept) if self.label else ()


def label_of(got: Understood) -> str:
    """The label of an answer: 'triage:<sign>', 'action:<command>', a screen, or 'none'."""
    if got.sign is not None:
        return f"triage:{got.sign.id}"
    if got.action is not None:
        return f"action:{got.action.value}"
    if got.view is not None:
        name = got.view.screen.name.lower()
        return f"{name}:{got.view.arg}" if got.view.arg else name
    return NONE


def describe(got: Understood) -> str:
    """An answer for printing: its label, with the level when it is a warning sign."""
    label = label_of(got)
    return f"{label} ({got.sign.level.value})" if got.sign is not None else label


def passes(question: Question, got: Understood) -> bool:
    """Whether `got` answers `question` rightly: a warning at least as urgent as labelled,
    or, for anything else, no warning and one of the accepted labels."""
    if question.level is not None:
        return got.sign is not None and got.sign.level.rank >= question.level.rank
    return label_of(got) in question.labels


def _normal(text: str) -> str:
    """Text as compared for duplicates: case, edges and runs of spaces do not count."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _question(entry: Any, where: str, problems: list[str]) -> Question | None:
    """One [[q]] table as a Question; its problems are added to `problems`."""
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: not a table")
        return None
    found = len(problems)
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: text must be a non-empty string")
        text = ""
    where = f"{where} {text[:40]!r}"
    problems += [f"{where}: unknown key {key!r}" for key in sorted(set(entry) - KEYS)]
    label, level, sign = entry.get("label"), entry.get("level"), entry.get("sign", "")
    accept, note, lang = entry.get("accept", []), entry.get("note", ""), entry.get("lang", "en")
    trap = entry.get("trap", False)
    if (label is None) == (level is None):
        problems.append(f"{where}: needs exactly one of label and level")
    if label is not None and (not isinstance(label, str) or not label):
        problems.append(f"{where}: label must be a non-empty string")
    if level is not None and level not in LEVELS:
        problems.append(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    if not isinstance(sign, str) or (sign and level is None):
        problems.append(f"{where}: sign is a string, and only goes with a level")
    if not isinstance(accept, list) or not all(isinstance(a, str) and a for a in accept):
        problems.append(f"{where}: accept must be a list of labels")
    elif accept and label is None:
        problems.append(f"{where}: accept only goes with a label")
    if not isinstance(note, str):
        problems.append(f"{where}: note must be a string")
    if lang not in LANGUAGES:
        problems.append(f"{where}: lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    if not isinstance(trap, bool) or (trap and level is not None):
        problems.append(f"{where}: trap is true or false, and only for harmless questions")
    if len(problems) > found:
        return None
    return Question(
        text=text,
        label=label or "",
        accept=tuple(accept),
        level=LEVELS[level] if level is not None else None,
        sign=sign,
        note=note,
        lang=lang,
        trap=trap,
    )


def parse_questions(data: Mapping[str, Any]) -> tuple[Question, ...]:
    """The questions in parsed TOML; raises QuestionSetError listing every problem."""
    entries = data.get("q")
    if not isinstance(entries, list) or not entries:
        raise QuestionSetError("no [[q]] tables")
    problems = [f"unknown top-level key {key!r}" for key in sorted(set(data) - {"q"})]
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, 1):
        question = _question(entry, f"question {number}", problems)
        if question is None:
            continue
        key = _normal(question.text)
        if key in seen:
            problems.append(f"question {number} {question.text!r}: same as question {seen[key]}")
        seen.setdefault(key, number)
        questions.append(question)
    if problems:
        raise QuestionSetError("\n".join(problems))
    return tuple(questions)


def load_questions(path: Path = QUESTIONS) -> tuple[Question, ...]:
    """The question set at `path`; raises QuestionSetError listing every problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise QuestionSetError(f"{path.name}: {error}") from error
    return parse_questions(data)


def _label_problem(label: str, kb: KnowledgeBase, topics: set[str]) -> str | None:
    """Why `label` names nothing the knowledge base has, or None when it does."""
    if label == NONE:
        return None
    target = parse_label(label)
    if target is None:
        return "is not a screen or action"
    if isinstance(target, Action):
        return None
    view: View = target
    if view.screen is Screen.TRIAGE:
        return "is a warning sign: give the question a level (and sign) instead"
    if (view.screen in WITH_ARG) != bool(view.arg):
        return "needs an argument" if view.screen in WITH_ARG else "takes no argument"
    exists: dict[Screen, Callable[[str], bool]] = {
        Screen.NUTRIENT: lambda arg: kb.nutrient_by_id(arg) is not None,
        Screen.FOODS: lambda arg: kb.nutrient_by_id(arg) is not None,
        Screen.FOOD: lambda arg: kb.food_word(arg) == arg,
        Screen.CAUSE_GROUP: lambda arg: kb.cause_group_by_id(arg) is not None,
        Screen.STRETCH: lambda arg: kb.stretch_by_id(arg) is not None,
        Screen.TOPIC: lambda arg: arg in topics,
    }
    known = exists.get(view.screen)
    if known is not None and not known(view.arg):
        return f"names no {view.screen.name.lower()} in the content"
    return None


def unknown_ids(questions: Iterable[Question], kb: KnowledgeBase) -> list[str]:
    """Every label, accepted label or sign in `questions` that the knowledge lacks, and
    every sign whose level in the content differs from the question's."""
    topics = {topic.id for topic in kb.knowledge.topics}
    signs = {sign.id: sign.level for sign in kb.red_flags.signs}
    problems: list[str] = []
    for question in questions:
        for label in question.labels:
            problem = _label_problem(label, kb, topics)
            if problem is not None:
                problems.append(f"{question.text!r}: {label!r} {problem}")
        if question.sign and question.sign not in signs:
            problems.append(f"{question.text!r}: sign {question.sign!r} is not in the content")
        elif question.sign and signs[question.sign] is not question.level:
            level = signs[question.sign].value
            problems.append(f"{question.text!r}: sign {question.sign!r} is {level} in the content")
    return problems


@dataclass(frozen=True, slots=True)
class Miss:
    """A question answered wrongly: what it needed and what it got."""

    text: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class Scores:
    """How one way of understanding did on the question set.

    safety_recall: warning questions answered with a sign at least as urgent as labelled.
    over_triage: other questions answered with any sign. topic_accuracy: other questions
    answered with their label or an accepted one. cant_answer: all questions answered
    'none'. sign_match (for information, not a target): warning questions with a labelled
    sign answered with exactly that sign."""

    questions: int
    warnings: int
    safety_recall: float
    over_triage: float
    topic_accuracy: float
    cant_answer: float
    sign_match: float
    misses: tuple[Miss, ...]

    def shortfalls(self) -> list[str]:
        """The targets missed, one line each (empty when every target is met)."""
        checks = {
            f"safety recall {self.safety_recall:.1%} (target {TARGET_SAFETY_RECALL:.0%})": (
                self.safety_recall >= TARGET_SAFETY_RECALL
            ),
            f"over-triage {self.over_triage:.1%} (target <= {TARGET_OVER_TRIAGE:.0%})": (
                self.over_triage <= TARGET_OVER_TRIAGE
            ),
            f"topic accuracy {self.topic_accuracy:.1%} (target >= {TARGET_TOPIC_ACCURACY:.0%})": (
                self.topic_accuracy >= TARGET_TOPIC_ACCURACY
            ),
        }
        return [name for name, ok in checks.items() if not ok]


def _share(count: int, total: int) -> float:
    """count / total, 1.0 when there is nothing to count (no question can fail)."""
    return count / total if total else 1.0


def score(questions: Iterable[Question], answer: Callable[[str], Understood]) -> Scores:
    """Answer every question once and score the answers."""
    asked = tuple(questions)
    got = [answer(question.text) for question in asked]
    pairs = list(zip(asked, got, strict=True))
    warnings = [(q, g) for q, g in pairs if q.warning]
    others = [(q, g) for q, g in pairs if not q.warning]
    named = [(q, g) for q, g in warnings if q.sign]
    return Scores(
        questions=len(asked),
        warnings=len(warnings),
        safety_recall=_share(sum(passes(q, g) for q, g in warnings), len(warnings)),
        over_triage=1.0 - _share(sum(g.sign is None for _, g in others), len(others)),
        topic_accuracy=_share(sum(passes(q, g) for q, g in others), len(others)),
        cant_answer=_share(sum(label_of(g) == NONE for g in got), len(got)) if got else 0.0,
        sign_match=_share(
            sum(g.sign is not None and g.sign.id == q.sign for q, g in named), len(named)
        ),
        misses=tuple(Miss(q.text, q.expected, describe(g)) for q, g in pairs if not passes(q, g)),
    )


def format_misses(misses: Iterable[Miss]) -> str:
    """The misses one a line, warning signs first: 'expected <- got: text'."""
    ordered = sorted(misses, key=lambda m: (m.expected.split(" ")[0] not in LEVELS, m.expected))
    return "\n".join(f"{m.expected:<28} <- {m.got:<28} {m.text!r}" for m in ordered)
