"""The knowledge base's types: plain, immutable data with no platform in sight."""

from __future__ import annotations

from dataclasses import dataclass


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
class Checklist:
    """An intro and a list of points with their sources (red flags, relief steps)."""

    steps: tuple[str, ...]
    sources: tuple[str, ...]
    intro: str = ""


@dataclass(frozen=True, slots=True)
class RedFlags:
    """When to book a doctor and when to seek care now."""

    see_doctor: Checklist
    emergency: Checklist


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
    """What to do during a cramp, after it, and to prevent the next one."""

    now: Checklist
    after: Checklist
    prevent: Checklist


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot knows, as loaded from content/."""

    nutrients: tuple[Nutrient, ...]
    cause_groups: tuple[CauseGroup, ...]
    red_flags: RedFlags
    stretches: tuple[Stretch, ...]
    relief: Relief
    hydration_tips: Checklist
    sources: tuple[Source, ...]
