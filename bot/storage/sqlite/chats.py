"""Chats in SQLite: a chat's record and time zone, a move to a new id, a chat gone, its
recorded deliveries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core.platforms import Platform
from bot.core.schedule import Schedule
from bot.storage.records import ChatRecord, Delivery
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.rows import chat_reminders, ensure_chat, from_seconds, to_seconds
from bot.storage.sqlite.translate import translated


class ChatsRepository(Connection):
    """The Chats repository (bot/storage/interfaces.py)."""

    @translated
    async def chat(self, chat_id: int) -> ChatRecord | None:
        """What is stored about a chat, if anything."""
        async with self.db.execute(
            "SELECT chat_id, chat_type, timezone, created_at, platform FROM chats "
            "WHERE chat_id = ?",
            (chat_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return ChatRecord(
            int(row[0]), str(row[1]), row[2], from_seconds(int(row[3])), Platform(row[4])
        )

    @translated
    async def set_timezone(
        self,
        chat_id: int,
        chat_type: str,
        zone: str,
        now: datetime,
        next_due: Callable[[Schedule], datetime],
        platform: Platform = Platform.TELEGRAM,
    ) -> int:
        """Set a chat's time zone and move its reminders to it; how many were moved."""
        async with self.transaction() as db:
            await ensure_chat(db, chat_id, chat_type, platform, now)
            await db.execute("UPDATE chats SET timezone = ? WHERE chat_id = ?", (zone, chat_id))
            reminders = await chat_reminders(db, chat_id)
            for reminder in reminders:
                schedule = replace(reminder.schedule, timezone=zone)
                due = to_seconds(next_due(schedule)) if reminder.active else None
                await db.execute(
                    "UPDATE reminders SET timezone = ?, next_due = ? WHERE id = ?",
                    (zone, due, reminder.id),
                )
        return len(reminders)

    @translated
    async def move_chat(self, old_id: int, new_id: int) -> int:
        """A group became a supergroup with a new id: move its settings and reminders there.
        How many reminders moved."""
        async with self._withdrawing() as db:
            await db.execute(
                "INSERT OR IGNORE INTO chats (chat_id, chat_type, timezone, created_at, platform) "
                "SELECT ?, 'supergroup', timezone, created_at, platform FROM chats "
                "WHERE chat_id = ?",
                (new_id, old_id),
            )
            cursor = await db.execute(
                "UPDATE reminders SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await db.execute(
                "UPDATE OR IGNORE broadcast_sends SET chat_id = ? WHERE chat_id = ?",
                (new_id, old_id),
            )
            await db.execute("DELETE FROM chats WHERE chat_id = ?", (old_id,))
            return cursor.rowcount

    @translated
    async def forget_chat(self, chat_id: int) -> bool:
        """Delete everything stored about a chat; whether there was anything."""
        async with self._withdrawing() as db:
            cursor = await db.execute("DELETE FROM chats WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount > 0

    @translated
    async def deactivate_chat(self, chat_id: int) -> int:
        """Pause every reminder of a chat the bot can no longer reach; how many."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE reminders SET next_due = NULL WHERE chat_id = ? AND next_due IS NOT NULL",
                (chat_id,),
            )
            return cursor.rowcount

    @translated
    async def deliveries(self, chat_id: int, limit: int) -> tuple[int, list[Delivery]]:
        """How many deliveries are recorded for a chat, and the latest `limit` of them."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE r.chat_id = ?",
            (chat_id,),
        ) as cursor:
            row = await cursor.fetchone()
        async with self.db.execute(
            "SELECT d.id, d.reminder_id, d.due_at, d.sent_at, d.outcome FROM deliveries d "
            "JOIN reminders r ON r.id = d.reminder_id WHERE r.chat_id = ? "
            "ORDER BY d.due_at DESC LIMIT ?",
            (chat_id, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        latest = [
            Delivery(
                int(r[0]),
                int(r[1]),
                from_seconds(int(r[2])),
                from_seconds(int(r[3])) if r[3] is not None else None,
                str(r[4]),
            )
            for r in rows
        ]
        return (int(row[0]) if row else 0), latest
