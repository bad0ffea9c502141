"""Reminders in SQLite: made within a limit, listed, changed, paused, deleted."""

from __future__ import annotations

from datetime import datetime

from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.reminders import Reminder
from bot.core.schedule import Schedule
from bot.storage.errors import ReminderLimitError
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.rows import (
    REMINDER_COLUMNS,
    chat_reminders,
    ensure_chat,
    reminder_from,
    schedule_values,
    to_seconds,
)
from bot.storage.sqlite.translate import translated


class RemindersRepository(Connection):
    """The Reminders repository (bot/storage/interfaces.py)."""

    @translated
    async def add_reminder(
        self,
        *,
        chat_id: int,
        chat_type: str,
        platform: Platform = Platform.TELEGRAM,
        created_by: int,
        kind: Kind,
        schedule: Schedule,
        next_due: datetime,
        now: datetime,
        limit: int,
    ) -> Reminder:
        """Store a new reminder unless the chat already has `limit` (ReminderLimitError). The
        same reminder asked for twice (a double tap on the last setup button) is the one
        already there, not a copy."""
        values = schedule_values(kind, schedule, next_due)
        async with self.transaction() as db:
            await ensure_chat(db, chat_id, chat_type, platform, now)
            async with db.execute(
                "SELECT id FROM reminders WHERE kind = ? AND timezone = ? "
                "AND interval_minutes IS ? AND window_start IS ? AND window_end IS ? "
                "AND times = ? AND chat_id = ?",
                (*values[:6], chat_id),
            ) as cursor:
                same = await cursor.fetchone()
            async with db.execute(
                "SELECT COUNT(*) FROM reminders WHERE chat_id = ?", (chat_id,)
            ) as cursor:
                count = await cursor.fetchone()
            if same is not None:
                reminder_id = int(same[0])
            elif count is not None and int(count[0]) >= limit:
                raise ReminderLimitError
            else:
                cursor = await db.execute(
                    "INSERT INTO reminders (kind, timezone, interval_minutes, window_start, "
                    "window_end, times, next_due, chat_id, created_by, created_at, platform) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, chat_id, created_by, to_seconds(now), platform.value),
                )
                reminder_id = int(cursor.lastrowid or 0)
        reminder = await self.reminder(reminder_id)
        assert reminder is not None
        return reminder

    @translated
    async def reminder(self, reminder_id: int) -> Reminder | None:
        """One reminder by id."""
        async with self.db.execute(
            f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE id = ?", (reminder_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return reminder_from(row) if row is not None else None

    @translated
    async def reminders(self, chat_id: int) -> list[Reminder]:
        """A chat's reminders, oldest first."""
        return await chat_reminders(self.db, chat_id)

    @translated
    async def update_schedule(
        self, reminder_id: int, kind: Kind, schedule: Schedule, next_due: datetime
    ) -> None:
        """Replace a reminder's kind and schedule (which also resumes it)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE reminders SET kind = ?, timezone = ?, interval_minutes = ?, "
                "window_start = ?, window_end = ?, times = ?, next_due = ? "
                "WHERE id = ?",
                (*schedule_values(kind, schedule, next_due), reminder_id),
            )

    @translated
    async def set_next_due(
        self, reminder_id: int, chat_id: int, next_due: datetime | None, *, only_if_active: bool
    ) -> bool:
        """Set when a chat's reminder is next due (None pauses it), in one conditional write
        so a reminder paused meanwhile is not switched back on; whether it was changed."""
        condition = " AND next_due IS NOT NULL" if only_if_active else ""
        async with self.transaction() as db:
            cursor = await db.execute(
                f"UPDATE reminders SET next_due = ? WHERE id = ? AND chat_id = ?{condition}",
                (to_seconds(next_due) if next_due else None, reminder_id, chat_id),
            )
            return cursor.rowcount > 0

    @translated
    async def delete_reminder(self, reminder_id: int, chat_id: int) -> bool:
        """Delete one reminder of a chat; whether it existed there."""
        async with self._withdrawing() as db:
            cursor = await db.execute(
                "DELETE FROM reminders WHERE id = ? AND chat_id = ?", (reminder_id, chat_id)
            )
            return cursor.rowcount > 0

    @translated
    async def delete_reminders(self, chat_id: int) -> int:
        """Delete all of a chat's reminders; how many."""
        async with self._withdrawing() as db:
            cursor = await db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount
