"""Reminders as the core sees them, and how to describe their schedules in words."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple

from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.schedule import Schedule

KIND_LABELS = {Kind.WATER: "💧 Water", Kind.STRETCH: "🧘 Stretch"}


# Reminders and claims are named tuples, not frozen dataclasses: a claim builds 500 of each,
# and a frozen dataclass takes four times as long to build (a claim at 1 M: 12.0 ms, not 10.2).
class Reminder(NamedTuple):
    """One stored reminder of one chat."""

    id: int
    chat_id: int
    created_by: int
    kind: Kind
    schedule: Schedule
    next_due: datetime | None  # None while paused
    sent_count: int
    platform: Platform = Platform.TELEGRAM

    @property
    def active(self) -> bool:
        """Whether the reminder is running (not paused)."""
        return self.next_due is not None


class Claim(NamedTuple):
    """A reminder's due time, claimed for delivery exactly once."""

    delivery_id: int
    reminder: Reminder
    due_at: datetime
    claimed_at: datetime

    @property
    def chat_id(self) -> int:
        """Where it goes."""
        return self.reminder.chat_id

    @property
    def platform(self) -> Platform:
        """Which platform's sender takes it."""
        return self.reminder.platform

    def following(self, ended_at: datetime, grace: timedelta) -> datetime:
        """The reminder's next due time once this delivery has ended at `ended_at`: the
        next after this one and after the claim (times that passed while the bot was down
        are skipped), and not more than `grace` late by then (the chat could not be
        reached for a while: those would only be skipped as late)."""
        return self.reminder.schedule.next_due(max(self.due_at, self.claimed_at, ended_at - grace))

    def moved_to(self, chat_id: int) -> Claim:
        """The same claim, to the chat's new id (a group that became a supergroup)."""
        return self._replace(reminder=self.reminder._replace(chat_id=chat_id))


def clock_time(moment: time) -> str:
    """'07:30'."""
    return moment.strftime("%H:%M")


def describe_schedule(schedule: Schedule) -> str:
    """'every 2 h, 08:00–22:00' or 'at 07:30, 21:00'."""
    if schedule.interval_minutes is None:
        return "at " + ", ".join(clock_time(t) for t in sorted(schedule.times))
    assert schedule.window_start is not None
    assert schedule.window_end is not None
    return (
        f"every {describe_minutes(schedule.interval_minutes)}, "
        f"{clock_time(schedule.window_start)}–{clock_time(schedule.window_end)}"
    )


def describe_minutes(minutes: int) -> str:
    """90 -> '1 h 30 min', 120 -> '2 h', 45 -> '45 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def describe_next(due: datetime, now: datetime, schedule: Schedule) -> str:
    """When a reminder is next due, in the user's zone: 'today 14:00', 'tomorrow 08:00'."""
    zone = schedule.zone
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days, local.strftime("%a %d %b"))
    return f"{day} {local.strftime('%H:%M')}"
