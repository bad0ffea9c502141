"""The knowledge base's types: plain, immutable data with no platform in sight."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from."""

    id: str
    title: str
    publisher: str
    url: str
    via: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IntakeRow:
    """One published adult intake figure (RDA or AI) for a group."""

    group: str
    amount: float
    kind: str


@dataclass(frozen=True, slots=True)
class Intake:
    """Adult intake figures for a nutrient, all in one unit."""

    unit: str
    daily_value: float
    rows: tuple[IntakeRow, ...]
    sources: tuple[str, ...]
    upper_limit: float | None = None
    upper_limit_note: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Food:
    """How much of a nutrient one stated serving of a food holds."""

    name: str
    serving: str
    amount: float
    unit: str
    percent_dv: int


@dataclass(frozen=True, slots=True)
class Nutrient:
    """A nutrient linked to cramps: its role, shortfall signs, intake and food sources."""

    id: str
    name: str
    aliases: tuple[str, ...]
    role: str
    cramps: str
    about_sources: tuple[str, ...]
    signs: tuple[str, ...]
    at_risk: tuple[str, ...]
    deficiency_sources: tuple[str, ...]
    intake: Intake
    foods: tuple[Food, ...]
    food_sources: tuple[str, ...]
    # How to frame the food list when more is not better (sodium: where it comes from).
    foods_heading: str = ""
    foods_note: str = ""

    @property
    def label(self) -> str:
        """The name to show."""
        return self.name

    def foods_ranked(self) -> tuple[Food, ...]:
        """Foods by amount per serving, richest first."""
        return tuple(sorted(self.foods, key=lambda food: (-food.amount, food.name)))


@dataclass(frozen=True, slots=True)
class Cause:
    """One cause of toe cramps, optionally tied to a nutrient."""

    name: str
    detail: str
    nutrient: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CauseGroup:
    """A family of causes, such as nerve problems or medications."""

    id: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    causes: tuple[Cause, ...]
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        """The name to show."""
        return self.title


@dataclass(frozen=True, slots=True)
class Point:
    """One step or claim with the sources behind it."""

    text: str
    sources: tuple[str, ...]


class Level(Enum):
    """How soon a warning sign needs care; the value is its name in content and labels."""

    EMERGENCY = "emergency"  # call an emergency number now
    URGENT = "urgent"  # see a doctor today
    DOCTOR = "doctor"  # book an appointment

    @property
    def rank(self) -> int:
        """Higher is more urgent: doctor 1, urgent 2, emergency 3."""
        return {Level.DOCTOR: 1, Level.URGENT: 2, Level.EMERGENCY: 3}[self]


@dataclass(frozen=True, slots=True)
class LevelAdvice:
    """What to do at one level of urgency, whatever the sign."""

    level: Level
    heading: str
    intro: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WarningSign:
    """A sign that needs a doctor, with the ways people describe it (see content/README.md)."""

    id: str
    level: Level
    name: str
    action: str
    describe: tuple[str, ...]
    sources: tuple[str, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RedFlags:
    """The warning signs and what each level of urgency asks of you, most urgent first."""

    levels: tuple[LevelAdvice, ...]
    signs: tuple[WarningSign, ...]

    def advice(self, level: Level) -> LevelAdvice:
        """What to do at this level."""
        return next(advice for advice in self.levels if advice.level is level)

    def at(self, level: Level) -> tuple[WarningSign, ...]:
        """The signs at this level, in content order."""
        return tuple(sign for sign in self.signs if sign.level is level)


@dataclass(frozen=True, slots=True)
class Topic:
    """A medicine, condition, remedy or question people ask about, answered briefly."""

    id: str
    kind: str  # medicine | condition | remedy | about
    title: str
    aliases: tuple[str, ...]
    summary: str
    points: tuple[str, ...]
    see: tuple[str, ...]  # labels of related screens, e.g. "cause_group:medications"
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        """The name to show."""
        return self.title


@dataclass(frozen=True, slots=True)
class Intent:
    """Plain words that ask for a screen or an action with no content of its own."""

    target: str  # a label, e.g. "action:stop" or "relief"
    asked: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch or exercise with its steps and dose."""

    id: str
    name: str
    aliases: tuple[str, ...]
    targets: str
    steps: tuple[str, ...]
    dose: str
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        """The name to show."""
        return self.name


@dataclass(frozen=True, slots=True)
class Relief:
    """What to do during a cramp, after it, and to prevent the next one, and how people ask."""

    now: tuple[Point, ...]
    after: tuple[Point, ...]
    prevent: tuple[Point, ...]
    asked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot knows, as loaded from content/."""

    nutrients: tuple[Nutrient, ...]
    cause_groups: tuple[CauseGroup, ...]
    red_flags: RedFlags
    stretches: tuple[Stretch, ...]
    relief: Relief
    hydration_tips: tuple[Point, ...]
    sources: tuple[Source, ...]
    topics: tuple[Topic, ...] = ()
    intents: tuple[Intent, ...] = ()
    common_words: tuple[str, ...] = ()  # words nearly every message has (intents.toml)
