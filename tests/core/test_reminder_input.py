"""Reminder input as people type it: what is understood, and what is turned down and why."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.reminder_input import (
    InputError,
    Kind,
    ReminderSpec,
    parse_interval,
    parse_reminder,
    parse_time,
    parse_window,
)

# parse_reminder: what is understood


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        (
            "water every 2h 08:00-22:00",
            ReminderSpec(Kind.WATER, 120, time(8, 0), time(22, 0)),
        ),
        ("WATER every 90 min", ReminderSpec(Kind.WATER, 90, time(8, 0), time(22, 0))),
        (
            "water every 1h30m 6:30-21:30",
            ReminderSpec(Kind.WATER, 90, time(6, 30), time(21, 30)),
        ),
        ("drink every 45m", ReminderSpec(Kind.WATER, 45, time(8, 0), time(22, 0))),
        ("water 2h", ReminderSpec(Kind.WATER, 120, time(8, 0), time(22, 0))),
        ("hydrate every 1.5 hours", ReminderSpec(Kind.WATER, 90, time(8, 0), time(22, 0))),
        ("water every 2 h 8-22", ReminderSpec(Kind.WATER, 120, time(8, 0), time(22, 0))),
        (
            "water every 2h 8am to 10pm",
            ReminderSpec(Kind.WATER, 120, time(8, 0), time(22, 0)),
        ),
        (
            "water every 2h 22:00-08:00",
            ReminderSpec(Kind.WATER, 120, time(22, 0), time(8, 0)),
        ),
        (
            "stretch at 21:00 07:30",
            ReminderSpec(Kind.STRETCH, times=(time(7, 30), time(21, 0))),
        ),
        ("Exercise AT 7pm", ReminderSpec(Kind.STRETCH, times=(time(19, 0),))),
    ],
)
def test_reminders_people_type(text: str, spec: ReminderSpec) -> None:
    assert parse_reminder(text) == spec


# parse_reminder: what is turned down


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("water every 0 min", "longer than zero"),
        ("water every 0h", "longer than zero"),
        ("water every 5 min", "between 15 minutes and 12 hours"),
        ("water every 13h", "between 15 minutes and 12 hours"),
        ("stretch at 25:99", "“25:99” isn't a time of day"),
        ("stretch at", "At what time?"),
        ("stretch at 7:30 07:30", "only once"),
        ("stretch at " + " ".join(f"{h}:00" for h in range(13)), "At most 12 times"),
        ("at 25:99", "water or stretch?"),
        ("water every", "How often?"),
        ("water", "How often?"),
        ("coffee every 2h", "water or stretch?"),
        ("water every 2h 08:00-08:00", "different start and end"),
        ("water every 2h 8-", "“8-” isn't a time range"),
        ("water every 30", "“30” isn't an interval"),
        ("", "Try: /remind water every 2h 08:00-22:00"),
        ("   ", "Try: /remind water every 2h 08:00-22:00"),
    ],
)
def test_bad_reminders_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_reminder(text)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 5000,
        "water " + "x" * 5000,
        "water every " + "x " * 2500,
        "water every 2h " + "8-" * 2500,
        "stretch at " + "9" * 5000,
        "stretch at " + "7 " * 2500,
        "water every 2h " + "1" * 5000,
    ],
)
def test_long_junk_gets_a_short_answer(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_reminder(text)
    assert len(str(caught.value)) <= 200


def test_interval_with_thousands_of_digits_is_an_input_error() -> None:
    with pytest.raises(InputError):
        parse_reminder("water every " + "9" * 5000 + "m")


def test_interval_with_hundreds_of_hour_digits_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"isn't an interval"):
        parse_reminder("water every " + "9" * 400 + "h")


# The pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("19:05", time(19, 5)),
        ("7", time(7, 0)),
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:30am", time(0, 30)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("13pm", "the hour is 1 to 12"),
        ("0am", "the hour is 1 to 12"),
        ("24:00", "from 00:00 to 23:59"),
        ("12:60", "from 00:00 to 23:59"),
        ("7:5", "Use 24-hour HH:MM"),
        ("noon", "Use 24-hour HH:MM"),
        ("", "Use 24-hour HH:MM"),
    ],
)
def test_parse_time_refuses(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_time(text)
    assert words in str(caught.value)


def test_parse_time_shortens_what_it_quotes() -> None:
    with pytest.raises(InputError) as caught:
        parse_time("y" * 300)
    assert str(caught.value) == f"“{'y' * 19}…” isn't a time. Use 24-hour HH:MM, like 07:30."


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2h", 120),
        ("2 hrs", 120),
        ("2 hours", 120),
        ("1 hour", 60),
        ("90 min", 90),
        ("90 minutes", 90),
        ("45m", 45),
        ("1.5 hours", 90),
        ("1,5h", 90),
        ("1h30m", 90),
        ("1 h 30 min", 90),
        ("2H", 120),
    ],
)
def test_parse_interval(text: str, minutes: int) -> None:
    assert parse_interval(text) == minutes


@pytest.mark.parametrize("text", ["", "h", "30", "two hours", "2d"])
def test_parse_interval_refuses(text: str) -> None:
    with pytest.raises(InputError, match=r"isn't an interval"):
        parse_interval(text)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("08:00-22:00", (time(8, 0), time(22, 0))),
        ("8am to 10pm", (time(8, 0), time(22, 0))),
        ("22:00 until 06:00", (time(22, 0), time(6, 0))),
        ("8–22", (time(8, 0), time(22, 0))),
        ("7:30 — 21:15", (time(7, 30), time(21, 15))),
    ],
)
def test_parse_window(text: str, window: tuple[time, time]) -> None:
    assert parse_window(text) == window


def test_parse_window_refuses_a_single_time() -> None:
    with pytest.raises(InputError, match=r"isn't a time range"):
        parse_window("08:00")


def test_spec_schedule_carries_the_zone() -> None:
    schedule = parse_reminder("stretch at 07:30").schedule("Europe/Berlin")
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.times == (time(7, 30),)
    assert schedule.interval_minutes is None
