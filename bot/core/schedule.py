"""Reminder schedule rules: when a reminder is next due, in the user's own time zone.

Schedules live on the local wall clock: a daily 08:00 stays 08:00 across daylight-saving
changes. A local time that does not exist that day (clocks jump forward) fires once at the
instant the gap ends; a local time that happens twice (clocks go back) fires once, at its
first occurrence. All instants in and out are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

MIN_INTERVAL_MINUTES = 15
MAX_INTERVAL_MINUTES = 12 * 60
MAX_TIMES_PER_DAY = 12
# Every day has at least one occurrence, so a week ahead always finds the next one; the day
# before is searched too because a window over midnight starts the previous evening.
_SEARCH_DAYS = range(-1, 8)
_LARGEST_SHIFT = timedelta(hours=3)


@cache
def _zone(name: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones strongly cached; schedules in many zones would
    # otherwise reload zone files from disk again and again.
    return ZoneInfo(name)


class ScheduleError(ValueError):
    """A schedule that breaks a rule; the message is fit to show the user."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """Either every `interval_minutes` inside a daily window, or fixed times of day."""

    timezone: str
    interval_minutes: int | None = None
    window_start: time | None = None
    window_end: time | None = None
    times: tuple[time, ...] = ()

    def __post_init__(self) -> None:
        if self.interval_minutes is None:
            if not self.times:
                raise ScheduleError("A reminder needs an interval or at least one time of day.")
            if len(self.times) > MAX_TIMES_PER_DAY:
                raise ScheduleError(f"At most {MAX_TIMES_PER_DAY} times a day, please.")
            if len(set(self.times)) != len(self.times):
                raise ScheduleError("Each time of day can appear only once.")
            return
        if not MIN_INTERVAL_MINUTES <= self.interval_minutes <= MAX_INTERVAL_MINUTES:
            raise ScheduleError(
                f"The interval must be between {MIN_INTERVAL_MINUTES} minutes and "
                f"{MAX_INTERVAL_MINUTES // 60} hours."
            )
        if self.window_start is None or self.window_end is None:
            raise ScheduleError("An interval reminder needs waking hours, e.g. 08:00-22:00.")
        if self.times:
            raise ScheduleError("Use either an interval or fixed times, not both.")

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone."""
        return _zone(self.timezone)

    @property
    def over_midnight(self) -> bool:
        """Whether the waking window runs past midnight, like 22:00-06:00."""
        assert self.window_start is not None
        assert self.window_end is not None
        return self.window_end <= self.window_start

    def local_occurrences(self, day: date, since: datetime | None = None) -> Iterator[datetime]:
        """Naive local wall-clock times this schedule fires for the window starting on `day`
        (only those from `since` on, when given)."""
        if self.interval_minutes is None:
            for moment in sorted(self.times):
                local = datetime.combine(day, moment)
                if since is None or local >= since:
                    yield local
            return
        assert self.window_start is not None
        assert self.window_end is not None
        current = datetime.combine(day, self.window_start)
        end_day = day + timedelta(days=1) if self.over_midnight else day
        end = datetime.combine(end_day, self.window_end)
        step = timedelta(minutes=self.interval_minutes)
        if since is not None and since > current:
            current -= (current - since) // step * step  # the first step at or after `since`
        while current <= end:
            yield current
            current += step

    def next_due(self, after: datetime) -> datetime:
        """The first instant strictly after `after` at which this schedule fires."""
        zone = self.zone
        aware = after.astimezone(zone)
        local_after = datetime.combine(aware.date(), aware.time())  # a third of replace()'s cost
        # Wall-clock times this far before `after` cannot map to an instant after it (no
        # zone shifts by more), so they are skipped without the cost of resolving them.
        floor = local_after - _LARGEST_SHIFT
        # Instants never run backwards as wall-clock times go forwards, so of the times up to
        # `local_after` only the latest is resolved: when it is not after `after` (unless the
        # clocks went back in between), none before it is. A claim of reminders in a
        # thousand schedules asks this a thousand times.
        latest: datetime | None = None
        for local in self._occurrences_from(local_after.date(), floor):
            if local <= local_after:
                latest = local
                continue
            if latest is not None:
                if resolve_local(latest, zone) > after:
                    return self._first_resolved_after(after, local_after.date(), floor)
                latest = None
            instant = resolve_local(local, zone)
            if instant > after:
                return instant
        raise AssertionError("no occurrence within a week")  # unreachable: every day has one

    def _first_resolved_after(self, after: datetime, day: date, floor: datetime) -> datetime:
        """next_due the long way, resolving every time from `floor` on."""
        zone = self.zone
        for local in self._occurrences_from(day, floor):
            instant = resolve_local(local, zone)
            if instant > after:
                return instant
        raise AssertionError("no occurrence within a week")  # unreachable: every day has one

    def _occurrences_from(self, day: date, floor: datetime) -> Iterator[datetime]:
        """The naive local times this schedule fires from `floor` on, for the windows starting
        from the day before `day` to a week after it."""
        for offset in _SEARCH_DAYS:
            start = day + timedelta(days=offset)
            if self._last_local(start) >= floor:  # else the whole window is before it
                yield from self.local_occurrences(start, floor)

    def _last_local(self, day: date) -> datetime:
        """No time of the window starting on `day` is later than this."""
        if self.interval_minutes is None:
            return datetime.combine(day, max(self.times))
        assert self.window_end is not None
        return datetime.combine(
            day + timedelta(days=1) if self.over_midnight else day, self.window_end
        )

    def next_due_after_today(self, now: datetime) -> datetime:
        """The first occurrence of the next day's run ("skip today"). For a window over
        midnight, "today" is the night under way: at 01:00 in 22:00-06:00 that is the one
        that began yesterday evening."""
        zone = self.zone
        local = now.astimezone(zone)
        day = local.date()
        if (
            self.interval_minutes is not None
            and self.over_midnight
            and self.window_end is not None
            and local.time() <= self.window_end
        ):
            day -= timedelta(days=1)
        first = next(self.local_occurrences(day + timedelta(days=1)))
        return resolve_local(first, zone)


def resolve_local(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local time: the first of two when clocks go back, and the
    end of the gap when the time falls in one because clocks went forward."""
    # combine() and an aware comparison (same zone: wall-clock fields only) cost a third of
    # replace(): next_due resolves a time or two for each of a claim's schedules.
    if local.fold:
        local = local.replace(fold=0)
    first = datetime.combine(local.date(), local.time(), zone)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone) == first:
        return instant
    # In a gap: fold=1 reads the time with the offset after the jump, landing before the gap;
    # fold=0 lands after it. The transition instant lies between; find it to the second.
    low = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = instant
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)
