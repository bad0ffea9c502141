"""The SQLite store: one connection shared by every repository, opened with its pragmas
and schema migrations, watched for damage, its log checkpointed off the bot's commits.

The database is the truth for reminders: nothing about one lives only in memory.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import aiosqlite

from bot.storage.errors import DamagedError, StorageError
from bot.storage.sqlite import checkpoints
from bot.storage.sqlite.broadcasts import BroadcastsRepository
from bot.storage.sqlite.chats import ChatsRepository
from bot.storage.sqlite.checkpoints import Checkpointer
from bot.storage.sqlite.deliveries import DeliveriesRepository
from bot.storage.sqlite.integrity import quick_check, read_only_uri
from bot.storage.sqlite.lease import LeasesRepository
from bot.storage.sqlite.reminders import RemindersRepository
from bot.storage.sqlite.schema import MIGRATIONS
from bot.storage.sqlite.stats import StatisticsRepository
from bot.storage.sqlite.translate import translated

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
# The check before start-up may take this long (it reads the whole file: ~2.5 ms a MB here)…
START_CHECK_SECONDS = 2.0
# …and, while running, this long each minute: a damaged page is reported by health.
WATCH_CHECK_SECONDS = 0.25
WATCH_EVERY_SECONDS = 60.0
# A claim of 500 at a million stored dirties ~800 pages (4 KB each) spread over the file;
# SQLite's default 2 MB cache could not hold one claim's pages, so it read them twice and
# spilled dirty ones early: 14-15 ms of SQL at 1 M, 8.5-9.5 ms with 4 MB (6-12 MB did no
# better). It fills only as far as the file goes, so only a large database's RSS grows.
CACHE_KIB = 4096


class Store(
    ChatsRepository,
    RemindersRepository,
    DeliveriesRepository,
    LeasesRepository,
    BroadcastsRepository,
    StatisticsRepository,
):
    """The one place that talks to the database: every repository of
    bot/storage/interfaces.py over one connection."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self._check_uri = read_only_uri(path)
        self._checkpoints: Checkpointer | None = None
        self._background: list[asyncio.Task[None]] = []  # started by open, ended by close
        self.damage: str | None = None  # the fault the latest integrity check found

    @property
    def is_open(self) -> bool:
        """Whether the database is open."""
        return self._db is not None

    @property
    def healthy(self) -> bool:
        """Whether the database is open and its latest integrity check found no fault."""
        return self.is_open and self.damage is None

    async def open(self) -> None:
        """Connect, set the pragmas, and bring the schema up to date; StorageError if the
        file cannot be opened (a volume the bot may not write to, say)."""
        try:
            if isinstance(self.path, Path) and str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            for pragma in (
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = NORMAL",
                "PRAGMA foreign_keys = ON",
                f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
                f"PRAGMA cache_size = -{CACHE_KIB}",
                # Not in the commits of claims and handlers: the checkpointer's own task.
                "PRAGMA wal_autocheckpoint = 0",
                f"PRAGMA journal_size_limit = {checkpoints.WAL_BOUND_BYTES}",
            ):
                await self._db.execute(pragma)
            # Before migrating: a damaged file is not written to.
            self.damage = await quick_check(self._check_uri, START_CHECK_SECONDS)
            if self.damage is not None:
                raise DamagedError(
                    f"the database at {self.path} is damaged ({self.damage}); "
                    "restore it from a backup, or move it aside to start afresh"
                )
            await self._migrate()
            if self._check_uri is not None:  # a file: an in-memory database has no log
                self._checkpoints = await Checkpointer.open(Path(self.path))
        except DamagedError:
            await self.close()
            raise
        except (OSError, sqlite3.Error) as error:
            await self.close()
            raise StorageError(f"cannot open the database at {self.path} ({error})") from None
        self._background.append(asyncio.create_task(self._watch_integrity()))
        if self._checkpoints is not None:
            self._background.append(asyncio.create_task(self._checkpoints.run()))

    async def _watch_integrity(self) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY_SECONDS)
            found = await quick_check(self._check_uri, WATCH_CHECK_SECONDS)
            if found is not None and self.damage is None:
                log.error("the database at %s is damaged: %s", self.path, found)
            self.damage = found

    @translated
    async def close(self) -> None:
        """Stop the background tasks, checkpoint the log into the file, and close the
        connections (idempotent)."""
        for task in self._background:
            task.cancel()
        # Awaited: none of them is left mid-query on a connection closed under it.
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        if self._db is not None:
            await self._finished()  # outcomes handed over are written, not dropped
        if self._checkpoints is not None:
            await self._checkpoints.close()
            self._checkpoints = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _migrate(self) -> None:
        version = await self._schema_version()
        if version > len(MIGRATIONS):
            await self.close()
            raise StorageError(
                f"the database at {self.path} has schema version {version}, newer than this "
                f"bot's {len(MIGRATIONS)}: run a newer version of the bot"
            )
        if 0 < version < len(MIGRATIONS):
            # Said first: an upgrade may rebuild a table (version 6: 16 s for 2 M deliveries).
            log.info(
                "migrating the database schema from version %d to %d", version, len(MIGRATIONS)
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            async with self.transaction() as db:
                if await self._schema_version() >= number:
                    continue  # another instance starting beside this one migrated it
                for statement in statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
            log.info("database schema migrated to version %d", number)
