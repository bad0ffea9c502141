"""Counts for the operator's /stats in SQLite, read in one pass."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.records import Stats
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.rows import ON_ITS_WAY, to_seconds
from bot.storage.sqlite.translate import translated


class StatisticsRepository(Connection):
    """The Statistics repository (bot/storage/interfaces.py)."""

    @translated
    async def stats(self, now: datetime, window: timedelta) -> Stats:
        """Chats, reminders, and deliveries since `now - window`, for /stats."""
        since = to_seconds(now - window)
        return Stats(
            chats=await self._counts("SELECT chat_type, COUNT(*) FROM chats GROUP BY 1"),
            active=await self._counts(
                "SELECT kind, COUNT(*) FROM reminders WHERE next_due IS NOT NULL GROUP BY 1"
            ),
            paused=await self._count("SELECT COUNT(*) FROM reminders WHERE next_due IS NULL"),
            deliveries=await self._counts(
                "SELECT outcome, COUNT(*) FROM deliveries WHERE claimed_at >= ? GROUP BY 1",
                since,
            ),
            broadcasts=await self._counts(
                "SELECT outcome, COUNT(*) FROM broadcast_sends "
                "WHERE outcome IN ('queued', 'pending') OR finished_at >= ? GROUP BY 1",
                since,
            ),
            due_unclaimed=await self._count(
                "SELECT COUNT(*) FROM reminders r WHERE next_due IS NOT NULL AND next_due <= ? "
                f"AND NOT {ON_ITS_WAY}",
                to_seconds(now),
            ),
        )
