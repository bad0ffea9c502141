"""Conversions between rows and the core's types, and the statements several repositories
share. Times are stored as whole Unix seconds (UTC); each reminder keeps its IANA zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any

import aiosqlite

from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.reminders import Reminder, clock_time
from bot.core.schedule import Schedule

REMINDER_COLUMNS = (
    "id, chat_id, created_by, kind, timezone, interval_minutes, window_start, window_end, "
    "times, next_due, sent_count, platform"
)
# A reminder `r` whose due time has a delivery on its way: claimed, not yet finished. The
# claim passes over it, and /stats does not count it as waiting.
ON_ITS_WAY = (
    "EXISTS (SELECT 1 FROM deliveries d WHERE d.reminder_id = r.id AND d.due_at = r.next_due "
    "AND d.outcome = 'pending')"
)
# By stored value: a look-up here is a tenth of an Enum call, paid for every row read.
_KINDS = {kind.value: kind for kind in Kind}
_PLATFORMS = {platform.value: platform for platform in Platform}


def to_seconds(moment: datetime) -> int:
    """An aware datetime as whole Unix seconds."""
    return int(moment.timestamp())


def from_seconds(seconds: int) -> datetime:
    """Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def schedule_values(
    kind: Kind, schedule: Schedule, next_due: datetime
) -> tuple[str, str, int | None, str | None, str | None, str, int]:
    """Column values for kind, timezone, interval_minutes, window_start, window_end, times
    and next_due, in that order."""
    return (
        kind.value,
        schedule.timezone,
        schedule.interval_minutes,
        clock_time(schedule.window_start) if schedule.window_start else None,
        clock_time(schedule.window_end) if schedule.window_end else None,
        " ".join(clock_time(t) for t in schedule.times),
        to_seconds(next_due),
    )


@lru_cache(maxsize=4096)
def _schedule(
    zone: str, interval: int | None, start: str | None, end: str | None, times: str
) -> Schedule:
    # Most reminders share a handful of preset schedules: build each distinct one once.
    return Schedule(
        timezone=zone,
        interval_minutes=interval,
        window_start=time.fromisoformat(start) if start else None,
        window_end=time.fromisoformat(end) if end else None,
        times=tuple(time.fromisoformat(t) for t in times.split()),
    )


def reminder_from(row: Sequence[Any], next_due: datetime | None = None) -> Reminder:
    """A reminder from a row of REMINDER_COLUMNS; `next_due`, when given, is its next_due
    already as a datetime (a claim makes one per due time, not one per row)."""
    rid, chat_id, created_by, kind, zone, interval, start, end, times, due, sent, platform = row
    if next_due is None and due is not None:
        next_due = from_seconds(due)
    # Positional: keywords cost more, and this runs for each of a claim's 500 rows.
    return Reminder(
        rid,
        chat_id,
        created_by,
        _KINDS[kind],
        _schedule(zone, interval, start, end, times),
        next_due,
        sent,
        _PLATFORMS[platform],
    )


async def chat_reminders(db: aiosqlite.Connection, chat_id: int) -> list[Reminder]:
    """A chat's reminders, oldest first."""
    async with db.execute(
        f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE chat_id = ? ORDER BY id",
        (chat_id,),
    ) as cursor:
        return [reminder_from(row) for row in await cursor.fetchall()]


async def ensure_chat(
    db: aiosqlite.Connection, chat_id: int, chat_type: str, platform: Platform, now: datetime
) -> None:
    """A record for the chat, unless it has one."""
    await db.execute(
        "INSERT OR IGNORE INTO chats (chat_id, chat_type, platform, created_at) "
        "VALUES (?, ?, ?, ?)",
        (chat_id, chat_type, platform.value, to_seconds(now)),
    )
