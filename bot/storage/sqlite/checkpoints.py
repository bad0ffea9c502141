"""Checkpoints of the write-ahead log, taken off the bot's own connection.

SQLite's automatic checkpoint runs inside whichever commit takes the log past 1 000 pages:
at a million reminders that was a claim's commit, 15–19 ms of a tick that should take 10.
The bot's connection turns it off (`wal_autocheckpoint = 0`) and this takes its place, on
a connection and thread of its own, so a checkpoint never waits in line with the bot's
queries and a PASSIVE one never waits for, or blocks, their writes.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)
CHECKPOINT_EVERY_SECONDS = 1.0
# Once a checkpoint has moved the whole log, the next write starts it over and cuts its file
# back to this (the bot's connection sets it as journal_size_limit). No checkpoint that
# blocks writers runs while the bot does: at 1 000 sends a second, a TRUNCATE waiting for
# readers held the bot's writes past their busy timeout.
WAL_BOUND_BYTES = 64 * 2**20
# The closing TRUNCATE waits this long at most for readers to finish.
TRUNCATE_BUSY_MS = 1000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What one checkpoint did, as `PRAGMA wal_checkpoint` reports it."""

    mode: str
    busy: bool  # a TRUNCATE one could not finish: a reader or writer was in the way
    wal_frames: int  # frames in the log
    moved_frames: int  # of them, frames in the database file now


class Checkpointer:
    """Checkpoints the log of the database at `path` every CHECKPOINT_EVERY_SECONDS
    (PASSIVE: it never waits for, or blocks, the bot's writes), and on close (TRUNCATE)."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.wal = path.with_name(f"{path.name}-wal")
        self.latest: Checkpoint | None = None

    @classmethod
    async def open(cls, path: Path) -> Checkpointer:
        """A checkpointer with its own connection to the database at `path`."""
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            await db.execute(f"PRAGMA busy_timeout = {TRUNCATE_BUSY_MS}")
        except sqlite3.Error:
            await db.close()
            raise
        return cls(db, path)

    async def run(self) -> None:
        """Checkpoint on schedule until cancelled."""
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY_SECONDS)
            await self.checkpoint("PASSIVE")

    async def close(self) -> None:
        """Leave the database file whole, the log empty, and close the connection."""
        try:
            await self.checkpoint("TRUNCATE")
        finally:
            await self._db.close()

    async def checkpoint(self, mode: str) -> Checkpoint | None:
        """Run one checkpoint; what it did, or None when it failed (logged: the log only
        grows until the next one succeeds)."""
        try:
            async with self._db.execute(f"PRAGMA wal_checkpoint({mode})") as cursor:
                row = await cursor.fetchone()
        except sqlite3.Error as error:
            log.warning("a %s checkpoint of %s failed: %s", mode, self.wal, error)
            return None
        if row is None:
            return None
        self.latest = Checkpoint(mode, bool(row[0]), int(row[1]), int(row[2]))
        return self.latest
