"""The dispatch lease in SQLite: one row at most, the instance whose dispatcher may claim
and send, taken over by a standby in one compare-and-set."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.errors import LeaseLostError
from bot.storage.records import Lease
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.rows import to_seconds
from bot.storage.sqlite.translate import translated


async def hold_lease(db: aiosqlite.Connection, owner: str) -> None:
    """LeaseLostError unless `owner` holds the lease: claims are fenced by it."""
    # One trip to the connection's thread, not a cursor's three: an empty claim asks this.
    if not await db.execute_fetchall(
        "SELECT 1 FROM dispatch_lease WHERE id = 1 AND owner = ?", (owner,)
    ):
        raise LeaseLostError(owner)


class LeasesRepository(Connection):
    """The Leases repository (bot/storage/interfaces.py)."""

    @translated
    async def lease(self) -> Lease | None:
        """Who holds the dispatch lease and how often they have renewed it, if anyone."""
        async with self.db.execute(
            "SELECT owner, renewals FROM dispatch_lease WHERE id = 1"
        ) as cursor:
            row = await cursor.fetchone()
        return Lease(str(row[0]), int(row[1])) if row is not None else None

    @translated
    async def take_lease(self, owner: str, seen: Lease | None, now: datetime) -> bool:
        """Take the lease if it is still as `seen` (None: nobody holds it), in one
        compare-and-set: of two standbys seeing the same, one wins."""
        async with self._write_lock:
            if seen is None:
                cursor = await self.db.execute(
                    "INSERT INTO dispatch_lease (id, owner, renewals, renewed_at) "
                    "VALUES (1, ?, 0, ?) ON CONFLICT (id) DO NOTHING",
                    (owner, to_seconds(now)),
                )
            else:
                cursor = await self.db.execute(
                    "UPDATE dispatch_lease SET owner = ?, renewals = 0, renewed_at = ? "
                    "WHERE id = 1 AND owner = ? AND renewals = ?",
                    (owner, to_seconds(now), seen.owner, seen.renewals),
                )
            return cursor.rowcount == 1

    @translated
    async def renew_lease(self, owner: str, now: datetime) -> bool:
        """Show that `owner` is alive and still holds the lease; False if it does not."""
        async with self._write_lock:
            cursor = await self.db.execute(
                "UPDATE dispatch_lease SET renewals = renewals + 1, renewed_at = ? "
                "WHERE id = 1 AND owner = ?",
                (to_seconds(now), owner),
            )
            return cursor.rowcount == 1

    @translated
    async def release_lease(self, owner: str) -> None:
        """Give the lease up at once, so a standby takes over without waiting for it to
        expire; its unsent claims are adopted by whoever takes it."""
        async with self._write_lock:
            await self.db.execute("DELETE FROM dispatch_lease WHERE owner = ?", (owner,))
