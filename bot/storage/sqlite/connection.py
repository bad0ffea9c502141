"""The one connection the SQLite repositories share, its write lock and transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.errors import StorageError
from bot.storage.sqlite.translate import translated


class Connection:
    """The base of the store's repositories: the shared connection to the database at
    `path` (opened by the store), and how its writes are taken."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        # One connection is shared by handlers and the dispatcher: a lock keeps each write
        # transaction whole, so no statement of one coroutine lands inside another's.
        self._write_lock = asyncio.Lock()
        # Counts deletions that may withdraw claimed deliveries (a chat forgotten or moved, a
        # reminder deleted), so the dispatcher in this process re-checks before it sends.
        self.withdrawals = 0

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise StorageError("the database is not open")
        return self._db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE), committed or rolled back."""
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    @asynccontextmanager
    async def _withdrawing(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction that may withdraw claimed deliveries, counted once committed:
        a check from then on sees the withdrawal."""
        async with self.transaction() as db:
            yield db
        self.withdrawals += 1

    @translated
    async def schema_version(self) -> int:
        """The schema version stored in the database."""
        return await self._schema_version()

    async def _schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _counts(self, query: str, *values: int) -> dict[str, int]:
        async with self.db.execute(query, values) as cursor:
            return {str(row[0]): int(row[1]) for row in await cursor.fetchall() if row[1]}

    async def _count(self, query: str, *values: int) -> int:
        async with self.db.execute(query, values) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
