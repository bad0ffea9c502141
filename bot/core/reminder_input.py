"""What users type to set reminders ('water every 2h 08:00-22:00'), parsed and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import Enum

from bot.core.schedule import Schedule, ScheduleError

DEFAULT_WINDOW = (time(8, 0), time(22, 0))
USAGE = (
    "Try: /remind water every 2h 08:00-22:00, or /remind stretch at 07:30 21:00, "
    "or just /remind for buttons."
)
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")
_INTERVAL = re.compile(
    # Bounded digits: no sane interval needs more, and huge numbers would overflow.
    r"(?:(\d{1,3}(?:[.,]\d{1,2})?)\s*h(?:ours?|rs?)?)?\s*(?:(\d{1,4})\s*m(?:in(?:ute)?s?)?)?",
    re.IGNORECASE,
)
_WINDOW = re.compile(r"(.+?)\s*(?:-|–|—|\bto\b|\buntil\b)\s*(.+)")


class Kind(Enum):
    """What a reminder is for."""

    WATER = "water"
    STRETCH = "stretch"


KIND_WORDS = {
    "water": Kind.WATER,
    "drink": Kind.WATER,
    "hydrate": Kind.WATER,
    "hydration": Kind.WATER,
    "stretch": Kind.STRETCH,
    "stretches": Kind.STRETCH,
    "stretching": Kind.STRETCH,
    "exercise": Kind.STRETCH,
}


class InputError(ValueError):
    """Input we cannot use; the message says what is wrong and how to put it right."""


@dataclass(frozen=True, slots=True)
class ReminderSpec:
    """A reminder as asked for, before it has a time zone."""

    kind: Kind
    interval_minutes: int | None = None
    window_start: time | None = None
    window_end: time | None = None
    times: tuple[time, ...] = ()

    def schedule(self, timezone: str) -> Schedule:
        """The schedule in a time zone (raises ScheduleError if a rule is broken)."""
        return Schedule(
            timezone=timezone,
            interval_minutes=self.interval_minutes,
            window_start=self.window_start,
            window_end=self.window_end,
            times=self.times,
        )


def parse_time(text: str) -> time:
    """'07:30', '7.30', '7pm', '19:05' -> a time of day."""
    match = _TIME.fullmatch(text.strip().lower())
    if match is None:
        raise InputError(f"“{_short(text)}” isn't a time. Use 24-hour HH:MM, like 07:30.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            raise InputError(f"“{_short(text)}” isn't a time. With am/pm, the hour is 1 to 12.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputError(
            f"“{_short(text)}” isn't a time of day. Use HH:MM from 00:00 to 23:59, like 21:30."
        )
    return time(hour, minute)


def parse_interval(text: str) -> int:
    """'2h', '90 min', '1.5 hours', '1h30m' -> minutes."""
    match = _INTERVAL.fullmatch(text.strip())
    if match is None or not (match.group(1) or match.group(2)):
        raise InputError(f"“{_short(text)}” isn't an interval. Say it like 30m, 90 min or 2h.")
    hours = float((match.group(1) or "0").replace(",", "."))
    minutes = round(hours * 60) + int(match.group(2) or 0)
    if minutes <= 0:
        raise InputError("The interval has to be longer than zero: 15 minutes at the least.")
    return minutes


def parse_window(text: str) -> tuple[time, time]:
    """'08:00-22:00', '8am to 10pm' -> start and end of the waking window."""
    match = _WINDOW.fullmatch(text.strip())
    if match is None:
        raise InputError(f"“{_short(text)}” isn't a time range. Write it like 08:00-22:00.")
    start, end = parse_time(match.group(1)), parse_time(match.group(2))
    if start == end:
        raise InputError("The waking hours need a different start and end, like 08:00-22:00.")
    return start, end


def parse_reminder(text: str) -> ReminderSpec:
    """'water every 2h 08:00-22:00' or 'stretch at 07:30 21:00' -> a checked ReminderSpec."""
    words = text.split()
    if not words:
        raise InputError(USAGE)
    kind = KIND_WORDS.get(words[0].lower())
    if kind is None:
        raise InputError(f"What should I remind you about: water or stretch? {USAGE}")
    rest = words[1:]
    if rest and rest[0].lower() == "at":
        if len(rest) == 1:
            raise InputError("At what time? For example: /remind stretch at 07:30 21:00")
        spec = ReminderSpec(kind, times=tuple(sorted(parse_time(w) for w in rest[1:])))
    else:
        if rest and rest[0].lower() == "every":
            rest = rest[1:]
        if not rest:
            raise InputError(f"How often? {USAGE}")
        interval_words, window_words = _split_interval(rest)
        window = parse_window(" ".join(window_words)) if window_words else DEFAULT_WINDOW
        spec = ReminderSpec(
            kind,
            interval_minutes=parse_interval(" ".join(interval_words)),
            window_start=window[0],
            window_end=window[1],
        )
    try:
        spec.schedule("UTC")
    except ScheduleError as error:
        raise InputError(str(error)) from error
    return spec


def _split_interval(words: list[str]) -> tuple[list[str], list[str]]:
    """Interval words come first ('1', 'h', '30', 'min'); the window is the rest."""
    for cut in range(len(words), 0, -1):
        if _INTERVAL.fullmatch(" ".join(words[:cut])) and any(
            ch.isalpha() for ch in words[cut - 1]
        ):
            return words[:cut], words[cut:]
    return words[:1], words[1:]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 20 else flat[:19] + "…"
