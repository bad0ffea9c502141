"""The operator's broadcasts in SQLite: drafted, then queued for every chat (one row per
copy, which the dispatcher claims) or cancelled."""

from __future__ import annotations

from datetime import datetime

from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.rows import to_seconds
from bot.storage.sqlite.translate import translated


class BroadcastsRepository(Connection):
    """The Broadcasts repository (bot/storage/interfaces.py)."""

    @translated
    async def audience(self) -> int:
        """How many chats a broadcast would go to: every chat the bot keeps a record of."""
        return await self._count("SELECT COUNT(*) FROM chats")

    @translated
    async def draft_broadcast(self, created_by: int, text: str, now: datetime) -> int:
        """Keep an operator's broadcast until it is confirmed; its id."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO broadcasts (created_by, text, created_at) VALUES (?, ?, ?)",
                (created_by, text, to_seconds(now)),
            )
            return int(cursor.lastrowid or 0)

    @translated
    async def start_broadcast(self, broadcast_id: int, now: datetime) -> int | None:
        """Queue a drafted broadcast for every chat; how many, or None if it is not a draft
        any more (sent or cancelled already: a second tap queues nothing twice)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET started_at = ? WHERE id = ? AND started_at IS NULL",
                (to_seconds(now), broadcast_id),
            )
            if cursor.rowcount == 0:
                return None
            cursor = await db.execute(
                "INSERT INTO broadcast_sends (broadcast_id, chat_id) "
                "SELECT ?, chat_id FROM chats ORDER BY chat_id",
                (broadcast_id,),
            )
            return cursor.rowcount

    @translated
    async def cancel_broadcast(self, broadcast_id: int) -> bool:
        """Drop a draft; whether there was one to drop."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM broadcasts WHERE id = ? AND started_at IS NULL", (broadcast_id,)
            )
            return cursor.rowcount > 0
