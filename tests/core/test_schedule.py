"""Schedule rules: interval grids, fixed times, windows over midnight, and DST, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.reminder_input import Kind
from bot.core.reminders import (
    Claim,
    Reminder,
    describe_minutes,
    describe_next,
    describe_schedule,
)
from bot.core.schedule import Schedule, ScheduleError, resolve_local
from bot.dispatch import GRACE

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
ONE_SECOND = timedelta(seconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def due_times(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in (start, end], by chaining next_due as the dispatcher does."""
    found = []
    moment = schedule.next_due(start)
    while moment <= end:
        found.append(moment)
        moment = schedule.next_due(moment)
    return found


def every(minutes: int, start: str, end: str, zone: str = "UTC") -> Schedule:
    return Schedule(
        zone, minutes, window_start=time.fromisoformat(start), window_end=time.fromisoformat(end)
    )


def at(*times: str, zone: str = "UTC") -> Schedule:
    return Schedule(zone, times=tuple(time.fromisoformat(t) for t in times))


# Interval grids


def test_interval_grid_is_anchored_at_the_window_start() -> None:
    schedule = every(90, "08:00", "22:00")
    day = due_times(schedule, utc(2026, 6, 1, 0, 0), utc(2026, 6, 2, 8, 0))
    assert day == [
        utc(2026, 6, 1, 8, 0),
        utc(2026, 6, 1, 9, 30),
        utc(2026, 6, 1, 11, 0),
        utc(2026, 6, 1, 12, 30),
        utc(2026, 6, 1, 14, 0),
        utc(2026, 6, 1, 15, 30),
        utc(2026, 6, 1, 17, 0),
        utc(2026, 6, 1, 18, 30),
        utc(2026, 6, 1, 20, 0),
        utc(2026, 6, 1, 21, 30),
        utc(2026, 6, 2, 8, 0),
    ]


def test_nothing_after_the_window_until_the_next_morning() -> None:
    schedule = every(90, "08:00", "22:00")
    assert schedule.next_due(utc(2026, 6, 1, 21, 30)) == utc(2026, 6, 2, 8, 0)
    assert schedule.next_due(utc(2026, 6, 1, 22, 0)) == utc(2026, 6, 2, 8, 0)


def test_interval_grid_follows_the_local_clock() -> None:
    schedule = every(90, "08:00", "22:00", zone=BERLIN)
    # 10:00 CEST is 08:00 UTC; the grid is 08:00, 09:30, 11:00 local.
    assert schedule.next_due(utc(2026, 6, 1, 8, 0)) == utc(2026, 6, 1, 9, 0)


def test_window_end_is_inclusive() -> None:
    schedule = every(120, "08:00", "22:00")
    assert schedule.next_due(utc(2026, 6, 1, 20, 0)) == utc(2026, 6, 1, 22, 0)
    assert schedule.next_due(utc(2026, 6, 1, 22, 0)) == utc(2026, 6, 2, 8, 0)


def test_window_over_midnight_runs_to_the_next_morning() -> None:
    schedule = every(120, "22:00", "06:00")
    night = due_times(schedule, utc(2026, 6, 1, 12, 0), utc(2026, 6, 2, 21, 59))
    assert night == [
        utc(2026, 6, 1, 22, 0),
        utc(2026, 6, 2, 0, 0),
        utc(2026, 6, 2, 2, 0),
        utc(2026, 6, 2, 4, 0),
        utc(2026, 6, 2, 6, 0),
    ]
    assert schedule.next_due(utc(2026, 6, 2, 7, 59)) == utc(2026, 6, 2, 22, 0)


def test_window_over_midnight_found_from_the_small_hours() -> None:
    schedule = every(120, "22:00", "06:00")
    # 03:00 belongs to the window that started the evening before.
    assert schedule.next_due(utc(2026, 6, 2, 3, 0)) == utc(2026, 6, 2, 4, 0)


# Fixed times


def test_fixed_times_in_any_order_fire_in_order() -> None:
    schedule = at("21:00", "07:30", "12:00")
    assert due_times(schedule, utc(2026, 6, 1, 0, 0), utc(2026, 6, 2, 8, 0)) == [
        utc(2026, 6, 1, 7, 30),
        utc(2026, 6, 1, 12, 0),
        utc(2026, 6, 1, 21, 0),
        utc(2026, 6, 2, 7, 30),
    ]


def test_fixed_times_roll_over_to_the_next_day() -> None:
    schedule = at("07:30", "21:00", zone=BERLIN)
    # 21:30 CEST on 1 June: the next is 07:30 CEST on 2 June.
    assert schedule.next_due(utc(2026, 6, 1, 19, 30)) == utc(2026, 6, 2, 5, 30)


def test_fixed_times_roll_over_the_end_of_the_year() -> None:
    schedule = at("08:00", zone=NEW_YORK)
    assert schedule.next_due(utc(2026, 12, 31, 14, 0)) == utc(2027, 1, 1, 13, 0)


def test_next_due_is_strictly_after() -> None:
    schedule = at("08:00", "21:00")
    assert schedule.next_due(utc(2026, 6, 1, 7, 59, 59)) == utc(2026, 6, 1, 8, 0)
    assert schedule.next_due(utc(2026, 6, 1, 8, 0)) == utc(2026, 6, 1, 21, 0)
    assert schedule.next_due(utc(2026, 6, 1, 21, 0)) == utc(2026, 6, 2, 8, 0)


def test_next_due_accepts_any_aware_time() -> None:
    schedule = at("08:00", zone=BERLIN)
    after = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 00:00 UTC
    assert schedule.next_due(after) == utc(2026, 6, 1, 6, 0)


# Skip today


def test_skip_today_goes_to_tomorrows_first() -> None:
    schedule = at("08:00", "21:00", zone=BERLIN)
    now = utc(2026, 6, 1, 7, 0)  # 09:00 CEST
    assert schedule.next_due_after_today(now) == utc(2026, 6, 2, 6, 0)


def test_skip_today_before_the_first_still_skips_today() -> None:
    schedule = at("08:00", "21:00", zone=BERLIN)
    now = utc(2026, 6, 1, 4, 0)  # 06:00 CEST, before today's 08:00
    assert schedule.next_due_after_today(now) == utc(2026, 6, 2, 6, 0)


def test_skip_today_uses_the_local_date_not_the_utc_date() -> None:
    schedule = at("08:00", zone=NEW_YORK)
    now = utc(2026, 6, 2, 2, 0)  # still 22:00 on 1 June in New York
    assert schedule.next_due_after_today(now) == utc(2026, 6, 2, 12, 0)


# Daylight saving time: Europe/Berlin, 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00


def test_daily_time_keeps_its_local_time_across_spring_forward() -> None:
    schedule = at("08:00", zone=BERLIN)
    assert due_times(schedule, utc(2026, 3, 27, 12, 0), utc(2026, 3, 30, 12, 0)) == [
        utc(2026, 3, 28, 7, 0),
        utc(2026, 3, 29, 6, 0),
        utc(2026, 3, 30, 6, 0),
    ]


def test_daily_time_keeps_its_local_time_across_fall_back() -> None:
    schedule = at("08:00", zone=BERLIN)
    assert due_times(schedule, utc(2026, 10, 23, 12, 0), utc(2026, 10, 26, 12, 0)) == [
        utc(2026, 10, 24, 6, 0),
        utc(2026, 10, 25, 7, 0),
        utc(2026, 10, 26, 7, 0),
    ]


def test_time_in_the_spring_gap_fires_once_at_the_end_of_the_gap() -> None:
    schedule = at("02:30", zone=BERLIN)
    assert due_times(schedule, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 12, 0)) == [
        utc(2026, 3, 28, 1, 30),  # 02:30 CET
        utc(2026, 3, 29, 1, 0),  # 03:00 CEST: 02:30 does not exist
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
    ]


def test_interval_over_the_spring_gap_never_repeats_an_instant() -> None:
    schedule = every(30, "01:00", "04:00", zone=BERLIN)
    night = due_times(schedule, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 12, 0))
    # Local 01:00, 01:30 CET; 02:00, 02:30 and 03:00 all land on 03:00 CEST; 03:30, 04:00.
    assert night == [
        utc(2026, 3, 29, 0, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 0),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 29, 2, 0),
    ]
    assert len(set(night)) == len(night)
    assert night == sorted(night)


def test_repeated_hour_fires_once_at_its_first_occurrence() -> None:
    schedule = at("02:30", zone=BERLIN)
    assert due_times(schedule, utc(2026, 10, 24, 12, 0), utc(2026, 10, 26, 12, 0)) == [
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST; the 02:30 CET an hour later is not used
        utc(2026, 10, 26, 1, 30),
    ]


def test_interval_over_the_repeated_hour_skips_the_second_pass() -> None:
    schedule = every(30, "01:00", "04:00", zone=BERLIN)
    night = due_times(schedule, utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 12, 0))
    assert night == [
        utc(2026, 10, 24, 23, 0),
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0, 0),  # 02:00 CEST
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST
        utc(2026, 10, 25, 2, 0),  # 03:00 CET
        utc(2026, 10, 25, 2, 30),
        utc(2026, 10, 25, 3, 0),
    ]


# Daylight saving time: America/New_York, 2026-03-08 02:00 -> 03:00 and 2026-11-01 02:00 -> 01:00


def test_new_york_spring_gap_fires_at_the_end_of_the_gap() -> None:
    schedule = at("02:30", zone=NEW_YORK)
    assert due_times(schedule, utc(2026, 3, 7, 12, 0), utc(2026, 3, 9, 12, 0)) == [
        utc(2026, 3, 8, 7, 0),  # 03:00 EDT
        utc(2026, 3, 9, 6, 30),  # 02:30 EDT
    ]


def test_new_york_repeated_hour_fires_once() -> None:
    schedule = at("01:30", zone=NEW_YORK)
    assert due_times(schedule, utc(2026, 10, 31, 12, 0), utc(2026, 11, 2, 12, 0)) == [
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT
        utc(2026, 11, 2, 6, 30),  # 01:30 EST
    ]


def test_resolve_local_in_a_gap_and_in_a_repeated_hour() -> None:
    zone = ZoneInfo(BERLIN)
    assert resolve_local(datetime(2026, 3, 29, 2, 0), zone) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 3, 29, 2, 59, 59), zone) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 3, 29, 3, 0), zone) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 10, 25, 2, 0), zone) == utc(2026, 10, 25, 0, 0)
    assert resolve_local(datetime(2026, 10, 25, 1, 59), zone) == utc(2026, 10, 24, 23, 59)


def test_resolve_local_in_a_half_hour_gap() -> None:
    # Lord Howe Island moves its clocks 30 minutes: 02:00 -> 02:30 on 2026-10-04.
    zone = ZoneInfo("Australia/Lord_Howe")
    assert resolve_local(datetime(2026, 10, 4, 2, 15), zone) == utc(2026, 10, 3, 15, 30)


def test_midnight_gap_in_santiago() -> None:
    # Chile skips 00:00-00:59 on 2026-09-06: a daily 00:30 fires at 01:00 local (-03).
    schedule = at("00:30", zone="America/Santiago")
    assert schedule.next_due(utc(2026, 9, 5, 12, 0)) == utc(2026, 9, 6, 4, 0)
    # Skipping the 5th from its evening lands on the 6th's (gap) reminder, not the 7th's.
    assert schedule.next_due_after_today(utc(2026, 9, 5, 23, 0)) == utc(2026, 9, 6, 4, 0)


# Rules


@pytest.mark.parametrize("minutes", [0, 14, 721, -30])
def test_interval_out_of_range_is_refused(minutes: int) -> None:
    with pytest.raises(ScheduleError, match=r"between 15 minutes and 12 hours"):
        every(minutes, "08:00", "22:00")


@pytest.mark.parametrize("minutes", [15, 720])
def test_interval_bounds_are_allowed(minutes: int) -> None:
    assert every(minutes, "08:00", "22:00").interval_minutes == minutes


def test_interval_without_a_window_is_refused() -> None:
    with pytest.raises(ScheduleError, match=r"needs waking hours"):
        Schedule("UTC", 60, window_start=time(8, 0))


def test_interval_and_times_together_are_refused() -> None:
    with pytest.raises(ScheduleError, match=r"either an interval or fixed times"):
        Schedule("UTC", 60, time(8, 0), time(22, 0), times=(time(9, 0),))


def test_no_interval_and_no_times_is_refused() -> None:
    with pytest.raises(ScheduleError, match=r"an interval or at least one time"):
        Schedule("UTC")


def test_more_than_twelve_times_are_refused() -> None:
    assert len(Schedule("UTC", times=tuple(time(h) for h in range(12))).times) == 12
    with pytest.raises(ScheduleError, match=r"At most 12 times a day"):
        Schedule("UTC", times=tuple(time(h) for h in range(13)))


def test_duplicate_times_are_refused() -> None:
    with pytest.raises(ScheduleError, match=r"only once"):
        at("08:00", "21:00", "08:00")


# Describing schedules


def test_describe_schedule() -> None:
    assert describe_schedule(every(120, "08:00", "22:00")) == "every 2 h, 08:00–22:00"
    assert describe_schedule(every(90, "22:00", "06:30")) == "every 1 h 30 min, 22:00–06:30"
    assert describe_schedule(at("21:00", "07:30")) == "at 07:30, 21:00"


@pytest.mark.parametrize(
    ("minutes", "text"), [(45, "45 min"), (60, "1 h"), (90, "1 h 30 min"), (720, "12 h")]
)
def test_describe_minutes(minutes: int, text: str) -> None:
    assert describe_minutes(minutes) == text


def test_describe_next_uses_the_local_day() -> None:
    schedule = at("08:00", zone=BERLIN)
    now = utc(2026, 6, 1, 21, 30)  # 23:30 CEST on Monday 1 June
    assert describe_next(utc(2026, 6, 1, 21, 45), now, schedule) == "today 23:45"
    assert describe_next(utc(2026, 6, 2, 6, 0), now, schedule) == "tomorrow 08:00"
    assert describe_next(utc(2026, 6, 4, 6, 0), now, schedule) == "Thu 04 Jun 08:00"


# Properties over zones with daylight saving time

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",  # changes at midnight
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Tehran",  # +03:30, no DST since 2022
    "Pacific/Auckland",
    "America/St_Johns",  # -03:30 / -02:30
    "Europe/London",
    "UTC",
    "Asia/Kolkata",
]
FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2027, 12, 31)


@cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """The instants the zone's offset changes in 2026-2027."""
    tz = ZoneInfo(zone)

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(tz).utcoffset()

    found = []
    day = datetime.combine(FIRST_DAY, time(), UTC)
    while day.date() <= LAST_DAY:
        low, high = day, day + timedelta(days=1)
        if offset(low) != offset(high):
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            found.append(high.replace(second=0, microsecond=0))
        day += timedelta(days=1)
    return tuple(found)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 5, 59]))
    if draw(st.booleans()):
        times = draw(st.lists(clock, min_size=1, max_size=12, unique=True))
        return Schedule(zone, times=tuple(times))
    start = draw(clock)
    end = draw(clock.filter(lambda t: t != start))
    interval = draw(st.sampled_from([15, 30, 60, 90, 120, 180]) | st.integers(15, 720))
    return Schedule(zone, interval, start, end)


@st.composite
def instants(draw: st.DrawFn, schedule: Schedule) -> datetime:
    """An instant in 2026-2027: half the time on a day next to a DST change, and half the
    time shortly before a wall time the schedule names (a window edge or a fixed time)."""
    near = transitions(schedule.timezone)
    if near and draw(st.booleans()):
        day = draw(st.sampled_from(near)).date() + timedelta(days=draw(st.integers(-1, 1)))
    else:
        day = draw(st.dates(FIRST_DAY, LAST_DAY))
    named = [*schedule.times, schedule.window_start, schedule.window_end]
    if draw(st.booleans()):
        wall = datetime.combine(day, draw(st.sampled_from([t for t in named if t is not None])))
        before = timedelta(seconds=draw(st.integers(0, 7200)))
    else:
        wall = datetime.combine(day, time()) + timedelta(seconds=draw(st.integers(0, 86399)))
        before = timedelta(microseconds=draw(st.sampled_from([0, 1, 999999])))
    return wall.replace(tzinfo=schedule.zone).astimezone(UTC) - before


def on_grid(schedule: Schedule, local: datetime) -> bool:
    """Whether a local wall time is one the schedule names (in its window, on its grid)."""
    if schedule.interval_minutes is None:
        return local.time() in schedule.times
    assert schedule.window_start is not None
    assert schedule.window_end is not None
    minute = local.hour * 60 + local.minute
    start = schedule.window_start.hour * 60 + schedule.window_start.minute
    end = schedule.window_end.hour * 60 + schedule.window_end.minute
    since_start, length = (minute - start) % 1440, (end - start) % 1440
    on_step = since_start % schedule.interval_minutes == 0
    return local.second == 0 and since_start <= length and on_step


def fires_at(schedule: Schedule, instant: datetime) -> bool:
    """The rule, stated independently: a named wall time on its first occurrence, or the end
    of a DST gap that swallowed a named wall time."""
    zone = schedule.zone
    local = instant.astimezone(zone)
    if local.fold == 0 and on_grid(schedule, local.replace(tzinfo=None)):
        return True
    jump = local.utcoffset() - (instant - ONE_SECOND).astimezone(zone).utcoffset()
    if jump <= timedelta(0):
        return False
    gap_end = local.replace(tzinfo=None)
    missing = gap_end - jump
    while missing < gap_end:
        if on_grid(schedule, missing):
            return True
        missing += timedelta(minutes=1)
    return False


PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(st.data())
def test_next_due_is_the_first_firing_instant_strictly_after(data: st.DataObject) -> None:
    schedule = data.draw(schedules())
    after = data.draw(instants(schedule))
    due = schedule.next_due(after)
    assert due > after
    assert due.tzinfo is not None
    assert due.utcoffset() == timedelta(0)
    assert (due.second, due.microsecond) == (0, 0)
    assert fires_at(schedule, due)
    # No instant in between fires: every whole UTC minute in (after, due) is checked.
    minute = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < due:
        assert not fires_at(schedule, minute), minute
        minute += timedelta(minutes=1)


@settings(PROPERTY, max_examples=40)
@given(st.data())
def test_chained_next_due_never_skips_a_local_day(data: st.DataObject) -> None:
    schedule = data.draw(schedules())
    after = data.draw(instants(schedule))
    zone = schedule.zone
    first = after.astimezone(zone).date()
    # Through the end of the second local day after: a day with a DST fall-back is longer
    # than 24 h, so three UTC days from a local midnight can stop short of it.
    end_of_day_two = datetime.combine(first + timedelta(days=3), time(), tzinfo=zone)
    end = max(after + timedelta(days=3), end_of_day_two.astimezone(UTC))
    dues = due_times(schedule, after, end)
    assert dues == sorted(set(dues))
    assert all(fires_at(schedule, due) for due in dues)
    days = {due.astimezone(zone).date() for due in dues}
    assert {first + timedelta(days=n) for n in (1, 2)} <= days


def test_skip_today_in_a_window_over_midnight_skips_the_night_under_way() -> None:
    night = Schedule("UTC", interval_minutes=120, window_start=time(22), window_end=time(6))
    # At 23:00 the night began this evening: the next run is tomorrow's 22:00.
    assert night.next_due_after_today(utc(2026, 6, 1, 23, 0)) == utc(2026, 6, 2, 22, 0)
    # At 01:00 the night began yesterday evening: the next run is this evening's 22:00.
    assert night.next_due_after_today(utc(2026, 6, 2, 1, 0)) == utc(2026, 6, 2, 22, 0)
    # At noon, between nights: tonight's run is today's, so the next is tomorrow's.
    assert night.next_due_after_today(utc(2026, 6, 2, 12, 0)) == utc(2026, 6, 3, 22, 0)


# After a delivery ends


def claim_of(schedule: Schedule, due_at: datetime) -> Claim:
    reminder = Reminder(1, 1, 1, Kind.WATER, schedule, due_at, 0)
    return Claim(1, reminder, due_at, claimed_at=due_at)


def test_a_delivery_on_time_moves_its_reminder_to_the_next_time() -> None:
    claim = claim_of(every(15, "08:00", "22:00"), utc(2026, 6, 1, 8, 0))
    assert claim.following(utc(2026, 6, 1, 8, 0, 1), GRACE) == utc(2026, 6, 1, 8, 15)


def test_times_that_passed_before_the_claim_are_skipped() -> None:
    # The bot was down from 07:50 to 08:20: 07:45 is claimed at 08:20 (and skipped as
    # late); 08:00 and 08:15 passed while it was down, so 08:30 is next, not a burst.
    reminder = Reminder(1, 1, 1, Kind.WATER, every(15, "07:00", "22:00"), None, 0)
    claim = Claim(1, reminder, utc(2026, 6, 1, 7, 45), claimed_at=utc(2026, 6, 1, 8, 20))
    assert claim.following(utc(2026, 6, 1, 8, 20), GRACE) == utc(2026, 6, 1, 8, 30)


def test_a_delivery_held_up_moves_on_to_the_first_time_still_within_the_grace() -> None:
    # The chat could not be reached from 08:00 to 08:39: 08:15 and 08:30 came meanwhile.
    # 08:15 would only be skipped as late; 08:30 is 9 minutes late, and still goes.
    claim = claim_of(every(15, "08:00", "22:00"), utc(2026, 6, 1, 8, 0))
    assert claim.following(utc(2026, 6, 1, 8, 39), GRACE) == utc(2026, 6, 1, 8, 30)
