"""All storage, in SQLite through aiosqlite: schema migrations, chats, reminders, deliveries.

The database is the truth for reminders: nothing about one lives only in memory. Times are
stored as whole Unix seconds (UTC); each reminder also keeps its IANA time zone.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiosqlite

from bot import checkpoints
from bot.checkpoints import Checkpointer
from bot.core.broadcasts import BroadcastSend
from bot.core.reminder_input import Kind
from bot.core.reminders import Claim, Reminder, clock_time
from bot.core.schedule import Schedule
from bot.integrity import quick_check, read_only_uri

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
# The check before start-up may take this long (it reads the whole file: ~2.5 ms a MB here)…
START_CHECK_SECONDS = 2.0
# …and, while running, this long each minute: a damaged page is reported by health.
WATCH_CHECK_SECONDS = 0.25
WATCH_EVERY_SECONDS = 60.0

# Append-only: each entry moves the schema up one version, in one transaction.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            chat_type TEXT NOT NULL,
            timezone TEXT,
            created_at INTEGER NOT NULL
        )""",
        """CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
            created_by INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('water', 'stretch')),
            timezone TEXT NOT NULL,
            interval_minutes INTEGER,
            window_start TEXT,
            window_end TEXT,
            times TEXT NOT NULL DEFAULT '',
            next_due INTEGER,
            sent_count INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        )""",
        "CREATE INDEX reminders_by_chat ON reminders (chat_id)",
        "CREATE INDEX reminders_due ON reminders (next_due) WHERE next_due IS NOT NULL",
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            reminder_id INTEGER NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
            due_at INTEGER NOT NULL,
            claimed_at INTEGER NOT NULL,
            sent_at INTEGER,
            outcome TEXT NOT NULL DEFAULT 'pending',
            message_id INTEGER,
            UNIQUE (reminder_id, due_at)
        )""",
        "CREATE INDEX deliveries_pending ON deliveries (outcome) WHERE outcome = 'pending'",
        # A sent reminder moves its tip rotation on, in the same statement that records it.
        """CREATE TRIGGER deliveries_sent AFTER UPDATE OF outcome ON deliveries
            WHEN NEW.outcome = 'sent' AND OLD.outcome != 'sent'
            BEGIN
                UPDATE reminders SET sent_count = sent_count + 1 WHERE id = NEW.reminder_id;
            END""",
    ),
    (
        """CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            created_by INTEGER NOT NULL,
            text TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER
        )""",
        # One row per chat a started broadcast goes to: queued, then pending once claimed,
        # then how it ended. /forget in a chat takes its copies with it.
        """CREATE TABLE broadcast_sends (
            id INTEGER PRIMARY KEY,
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
            claimed_at INTEGER,
            finished_at INTEGER,
            outcome TEXT NOT NULL DEFAULT 'queued',
            UNIQUE (broadcast_id, chat_id)
        )""",
        "CREATE INDEX broadcast_sends_by_outcome ON broadcast_sends (outcome, id)",
        "CREATE INDEX deliveries_by_claim_time ON deliveries (claimed_at)",
    ),
    (
        # One row at most: the instance whose dispatcher may claim and send. It counts its
        # renewals; a standby takes over when the count stops moving for the lease's length
        # on its own monotonic clock (wall times are only for people: a clock step must not
        # move the lease).
        """CREATE TABLE dispatch_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            owner TEXT NOT NULL,
            renewals INTEGER NOT NULL,
            renewed_at INTEGER NOT NULL
        )""",
        # The lease holder that claimed a delivery; a new holder adopts what is left pending.
        "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
        "ALTER TABLE broadcast_sends ADD COLUMN claimed_by TEXT",
    ),
)

_REMINDER_COLUMNS = (
    "id, chat_id, created_by, kind, timezone, interval_minutes, window_start, window_end, "
    "times, next_due, sent_count"
)


class StorageError(Exception):
    """The database cannot be used as it is; the message says why."""


class DamagedError(StorageError):
    """The database file is damaged: SQLite's integrity check found a fault."""


@dataclass(frozen=True, slots=True)
class Lease:
    """The dispatch lease as a standby saw it."""

    owner: str
    renewals: int


class LeaseLostError(Exception):
    """Another instance holds the dispatch lease now: this one must not claim or send."""


class ReminderLimitError(Exception):
    """A chat already has the most reminders allowed."""


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """What is stored about a chat itself."""

    chat_id: int
    chat_type: str
    timezone: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One recorded delivery attempt of a reminder."""

    id: int
    reminder_id: int
    due_at: datetime
    sent_at: datetime | None
    outcome: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for the operator's /stats, read in one pass."""

    chats: dict[str, int]  # by chat type
    active: dict[str, int]  # running reminders by kind
    paused: int
    deliveries: dict[str, int]  # reminder deliveries claimed in the window, by outcome
    broadcasts: dict[str, int]  # broadcast copies finished or waiting, by outcome
    due_unclaimed: int  # due now, not yet picked up by the dispatcher


def to_seconds(moment: datetime) -> int:
    """An aware datetime as whole Unix seconds."""
    return int(moment.timestamp())


def from_seconds(seconds: int) -> datetime:
    """Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def _schedule_values(
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


def _reminder(row: Sequence[Any]) -> Reminder:
    rid, chat_id, created_by, kind, zone, interval, start, end, times, due, sent = row
    return Reminder(
        id=rid,
        chat_id=chat_id,
        created_by=created_by,
        kind=Kind(kind),
        schedule=_schedule(zone, interval, start, end, times),
        next_due=from_seconds(due) if due is not None else None,
        sent_count=sent,
    )


class Store:
    """The one place that talks to the database."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        # One connection is shared by handlers and the dispatcher: a lock keeps each write
        # transaction whole, so no statement of one coroutine lands inside another's.
        self._write_lock = asyncio.Lock()
        self._check_uri = read_only_uri(path)
        self._checkpoints: Checkpointer | None = None
        self._background: list[asyncio.Task[None]] = []  # started by open, ended by close
        self.damage: str | None = None  # the fault the latest integrity check found
        # Counts deletions that may withdraw claimed deliveries (a chat forgotten or moved, a
        # reminder deleted), so the dispatcher in this process re-checks before it sends.
        self.withdrawals = 0

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise StorageError("the database is not open")
        return self._db

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

    async def close(self) -> None:
        """Stop the background tasks, checkpoint the log into the file, and close the
        connections (idempotent)."""
        for task in self._background:
            task.cancel()
        # Awaited: none of them is left mid-query on a connection closed under it.
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        if self._checkpoints is not None:
            await self._checkpoints.close()
            self._checkpoints = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            await self.close()
            raise StorageError(
                f"the database at {self.path} has schema version {version}, newer than this "
                f"bot's {len(MIGRATIONS)}: run a newer version of the bot"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            async with self.transaction() as db:
                if await self.schema_version() >= number:
                    continue  # another instance starting beside this one migrated it
                for statement in statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
            log.info("database schema migrated to version %d", number)

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

    async def schema_version(self) -> int:
        """The schema version stored in the database."""
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # Chats

    async def chat(self, chat_id: int) -> ChatRecord | None:
        """What is stored about a chat, if anything."""
        async with self.db.execute(
            "SELECT chat_id, chat_type, timezone, created_at FROM chats WHERE chat_id = ?",
            (chat_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return ChatRecord(int(row[0]), str(row[1]), row[2], from_seconds(int(row[3])))

    async def set_timezone(
        self,
        chat_id: int,
        chat_type: str,
        zone: str,
        now: datetime,
        next_due: Callable[[Schedule], datetime],
    ) -> int:
        """Set a chat's time zone and move its reminders to it; how many were moved."""
        async with self.transaction() as db:
            await self._ensure_chat(db, chat_id, chat_type, now)
            await db.execute("UPDATE chats SET timezone = ? WHERE chat_id = ?", (zone, chat_id))
            reminders = await self._reminders(db, chat_id)
            for reminder in reminders:
                schedule = replace(reminder.schedule, timezone=zone)
                due = to_seconds(next_due(schedule)) if reminder.active else None
                await db.execute(
                    "UPDATE reminders SET timezone = ?, next_due = ? WHERE id = ?",
                    (zone, due, reminder.id),
                )
        return len(reminders)

    @staticmethod
    async def _ensure_chat(
        db: aiosqlite.Connection, chat_id: int, chat_type: str, now: datetime
    ) -> None:
        await db.execute(
            "INSERT OR IGNORE INTO chats (chat_id, chat_type, created_at) VALUES (?, ?, ?)",
            (chat_id, chat_type, to_seconds(now)),
        )

    async def move_chat(self, old_id: int, new_id: int) -> int:
        """A group became a supergroup with a new id: move its settings and reminders there.
        How many reminders moved."""
        async with self._withdrawing() as db:
            await db.execute(
                "INSERT OR IGNORE INTO chats (chat_id, chat_type, timezone, created_at) "
                "SELECT ?, 'supergroup', timezone, created_at FROM chats WHERE chat_id = ?",
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

    async def forget_chat(self, chat_id: int) -> bool:
        """Delete everything stored about a chat; whether there was anything."""
        async with self._withdrawing() as db:
            cursor = await db.execute("DELETE FROM chats WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount > 0

    # Reminders

    async def add_reminder(
        self,
        *,
        chat_id: int,
        chat_type: str,
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
        values = _schedule_values(kind, schedule, next_due)
        async with self.transaction() as db:
            await self._ensure_chat(db, chat_id, chat_type, now)
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
                    "window_end, times, next_due, chat_id, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, chat_id, created_by, to_seconds(now)),
                )
                reminder_id = int(cursor.lastrowid or 0)
        reminder = await self.reminder(reminder_id)
        assert reminder is not None
        return reminder

    async def reminder(self, reminder_id: int) -> Reminder | None:
        """One reminder by id."""
        async with self.db.execute(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE id = ?", (reminder_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _reminder(row) if row is not None else None

    async def reminders(self, chat_id: int) -> list[Reminder]:
        """A chat's reminders, oldest first."""
        return await self._reminders(self.db, chat_id)

    @staticmethod
    async def _reminders(db: aiosqlite.Connection, chat_id: int) -> list[Reminder]:
        async with db.execute(
            f"SELECT {_REMINDER_COLUMNS} FROM reminders WHERE chat_id = ? ORDER BY id",
            (chat_id,),
        ) as cursor:
            return [_reminder(row) for row in await cursor.fetchall()]

    async def update_schedule(
        self, reminder_id: int, kind: Kind, schedule: Schedule, next_due: datetime
    ) -> None:
        """Replace a reminder's kind and schedule (which also resumes it)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE reminders SET kind = ?, timezone = ?, interval_minutes = ?, "
                "window_start = ?, window_end = ?, times = ?, next_due = ? "
                "WHERE id = ?",
                (*_schedule_values(kind, schedule, next_due), reminder_id),
            )

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

    async def delete_reminder(self, reminder_id: int, chat_id: int) -> bool:
        """Delete one reminder of a chat; whether it existed there."""
        async with self._withdrawing() as db:
            cursor = await db.execute(
                "DELETE FROM reminders WHERE id = ? AND chat_id = ?", (reminder_id, chat_id)
            )
            return cursor.rowcount > 0

    async def delete_reminders(self, chat_id: int) -> int:
        """Delete all of a chat's reminders; how many."""
        async with self._withdrawing() as db:
            cursor = await db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount

    async def deactivate_chat(self, chat_id: int) -> int:
        """Pause every reminder of a chat the bot can no longer reach; how many."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE reminders SET next_due = NULL WHERE chat_id = ? AND next_due IS NOT NULL",
                (chat_id,),
            )
            return cursor.rowcount

    # The dispatch lease

    async def lease(self) -> Lease | None:
        """Who holds the dispatch lease and how often they have renewed it, if anyone."""
        async with self.db.execute(
            "SELECT owner, renewals FROM dispatch_lease WHERE id = 1"
        ) as cursor:
            row = await cursor.fetchone()
        return Lease(str(row[0]), int(row[1])) if row is not None else None

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

    async def renew_lease(self, owner: str, now: datetime) -> bool:
        """Show that `owner` is alive and still holds the lease; False if it does not."""
        async with self._write_lock:
            cursor = await self.db.execute(
                "UPDATE dispatch_lease SET renewals = renewals + 1, renewed_at = ? "
                "WHERE id = 1 AND owner = ?",
                (to_seconds(now), owner),
            )
            return cursor.rowcount == 1

    async def release_lease(self, owner: str) -> None:
        """Give the lease up at once, so a standby takes over without waiting for it to
        expire; its unsent claims are adopted by whoever takes it."""
        async with self._write_lock:
            await self.db.execute("DELETE FROM dispatch_lease WHERE owner = ?", (owner,))

    async def adopt_pending(self, owner: str) -> tuple[list[Claim], list[BroadcastSend]]:
        """Make every delivery and broadcast copy left pending by an earlier lease holder
        (stopped, crashed or expired) `owner`'s, and return them: they are sent now."""
        async with self.transaction() as db:
            await self._hold_lease(db, owner)
            for table in ("deliveries", "broadcast_sends"):
                await db.execute(
                    f"UPDATE {table} SET claimed_by = ? "
                    "WHERE outcome = 'pending' AND claimed_by IS NOT ?",
                    (owner, owner),
                )
        return await self.pending_claims(), await self.pending_broadcast_sends()

    async def _hold_lease(self, db: aiosqlite.Connection, owner: str) -> None:
        """LeaseLostError unless `owner` holds the lease: claims are fenced by it."""
        async with db.execute(
            "SELECT 1 FROM dispatch_lease WHERE id = 1 AND owner = ?", (owner,)
        ) as cursor:
            if await cursor.fetchone() is None:
                raise LeaseLostError(owner)

    # Deliveries

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        advance: Callable[[Reminder, datetime], datetime],
        owner: str,
    ) -> list[Claim]:
        """Claim up to `limit` due reminders for the lease holder `owner`: record a pending
        delivery for each due time and move the reminder to its next due time, all in one
        transaction, so that no due time is ever claimed twice and a claimed one is never
        forgotten. LeaseLostError if `owner` no longer holds the lease."""
        async with self.transaction() as db:
            await self._hold_lease(db, owner)
            async with db.execute(
                f"SELECT {_REMINDER_COLUMNS} FROM reminders "
                "WHERE next_due IS NOT NULL AND next_due <= ? ORDER BY next_due, id LIMIT ?",
                (to_seconds(now), limit),
            ) as cursor:
                due = [_reminder(row) for row in await cursor.fetchall()]
            if not due:
                return []
            claimed_at = to_seconds(now)
            rows = [(r.id, to_seconds(r.next_due), claimed_at, owner) for r in due if r.next_due]
            # One statement for the whole batch: a due time already claimed is skipped, and
            # RETURNING names the new deliveries.
            placeholders = ", ".join("(?, ?, ?, ?)" for _ in rows)
            async with db.execute(
                "INSERT OR IGNORE INTO deliveries (reminder_id, due_at, claimed_at, claimed_by) "
                f"VALUES {placeholders} RETURNING id, reminder_id",
                [value for row in rows for value in row],
            ) as cursor:
                inserted = {int(r[1]): int(r[0]) for r in await cursor.fetchall()}
            await db.executemany(
                "UPDATE reminders SET next_due = ? WHERE id = ?",
                [(to_seconds(advance(r, now)), r.id) for r in due],
            )
        return [
            Claim(inserted[r.id], r, r.next_due)
            for r in due
            if r.id in inserted and r.next_due is not None
        ]

    async def pending_claims(self) -> list[Claim]:
        """Deliveries claimed but not finished: left over from a stop or a crash."""
        async with self.db.execute(
            f"SELECT d.id, d.due_at, {', '.join('r.' + c for c in _REMINDER_COLUMNS.split(', '))} "
            "FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE d.outcome = 'pending' ORDER BY d.due_at",
        ) as cursor:
            rows = await cursor.fetchall()
        return [Claim(int(row[0]), _reminder(row[2:]), from_seconds(int(row[1]))) for row in rows]

    async def finish(
        self,
        delivery_id: int,
        outcome: str,
        at: datetime,
        message_id: int | None = None,
    ) -> None:
        """Record how a claimed delivery ended; `at` is kept as the sent time of a sent one.
        One statement: a trigger moves the tip rotation on for sent ones."""
        async with self._write_lock:
            await self.db.execute(
                "UPDATE deliveries SET outcome = ?, sent_at = ?, message_id = ? "
                "WHERE id = ? AND outcome = 'pending'",
                (outcome, to_seconds(at) if outcome == "sent" else None, message_id, delivery_id),
            )

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

    async def still_pending(
        self, items: Sequence[Claim | BroadcastSend], owner: str
    ) -> set[Claim | BroadcastSend]:
        """Which of these claimed reminders and broadcast copies are still `owner`'s to
        send, in one query: /forget, a deleted reminder, a chat migration that met the new
        chat's own copy, or another instance that took the lease over removes them."""
        claims = {item.delivery_id: item for item in items if isinstance(item, Claim)}
        sends = {item.id: item for item in items if isinstance(item, BroadcastSend)}
        kept: set[Claim | BroadcastSend] = set()
        for table, by_id in (("deliveries", claims), ("broadcast_sends", sends)):
            if not by_id:
                continue
            async with self.db.execute(
                f"SELECT id FROM {table} WHERE outcome = 'pending' AND claimed_by = ? "
                f"AND id IN ({', '.join('?' for _ in by_id)})",
                (owner, *by_id),
            ) as cursor:
                kept.update(by_id[int(row[0])] for row in await cursor.fetchall())
        return kept

    # Broadcasts

    async def audience(self) -> int:
        """How many chats a broadcast would go to: every chat the bot keeps a record of."""
        return await self._count("SELECT COUNT(*) FROM chats")

    async def draft_broadcast(self, created_by: int, text: str, now: datetime) -> int:
        """Keep an operator's broadcast until it is confirmed; its id."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO broadcasts (created_by, text, created_at) VALUES (?, ?, ?)",
                (created_by, text, to_seconds(now)),
            )
            return int(cursor.lastrowid or 0)

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

    async def cancel_broadcast(self, broadcast_id: int) -> bool:
        """Drop a draft; whether there was one to drop."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM broadcasts WHERE id = ? AND started_at IS NULL", (broadcast_id,)
            )
            return cursor.rowcount > 0

    async def claim_broadcast_sends(
        self, now: datetime, limit: int, owner: str
    ) -> list[BroadcastSend]:
        """Claim up to `limit` queued broadcast copies, oldest first, for the lease holder
        `owner` (none when it holds the lease no more)."""
        # One statement is its own transaction: when nothing is queued (nearly always), the
        # heartbeat pays for a single indexed look-up, not a BEGIN/COMMIT.
        async with (
            self._write_lock,
            self.db.execute(
                "UPDATE broadcast_sends SET outcome = 'pending', claimed_at = ?, claimed_by = ? "
                "WHERE id IN (SELECT id FROM broadcast_sends WHERE outcome = 'queued' "
                "ORDER BY id LIMIT ?) "
                "AND EXISTS (SELECT 1 FROM dispatch_lease WHERE id = 1 AND owner = ?) "
                "RETURNING id",
                (to_seconds(now), owner, limit, owner),
            ) as cursor,
        ):
            claimed = [int(row[0]) for row in await cursor.fetchall()]
        if not claimed:
            return []
        return await self._broadcast_sends(f"s.id IN ({', '.join('?' for _ in claimed)})", claimed)

    async def pending_broadcast_sends(self) -> list[BroadcastSend]:
        """Copies claimed but not finished: left over from a stop or a crash."""
        return await self._broadcast_sends("s.outcome = 'pending'", [])

    async def _broadcast_sends(self, where: str, values: list[int]) -> list[BroadcastSend]:
        async with self.db.execute(
            "SELECT s.id, s.broadcast_id, s.chat_id, b.text FROM broadcast_sends s "
            f"JOIN broadcasts b ON b.id = s.broadcast_id WHERE {where} ORDER BY s.id",
            values,
        ) as cursor:
            rows = await cursor.fetchall()
        texts: dict[int, str] = {}  # one string per broadcast, however many copies
        return [
            BroadcastSend(int(r[0]), int(r[1]), int(r[2]), texts.setdefault(int(r[1]), r[3]))
            for r in rows
        ]

    async def finish_broadcast_send(self, send_id: int, outcome: str, at: datetime) -> None:
        """Record how one broadcast copy ended."""
        async with self._write_lock:
            await self.db.execute(
                "UPDATE broadcast_sends SET outcome = ?, finished_at = ? "
                "WHERE id = ? AND outcome = 'pending'",
                (outcome, to_seconds(at), send_id),
            )

    # Operator statistics

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
                "SELECT COUNT(*) FROM reminders WHERE next_due IS NOT NULL AND next_due <= ?",
                to_seconds(now),
            ),
        )

    async def _counts(self, query: str, *values: int) -> dict[str, int]:
        async with self.db.execute(query, values) as cursor:
            return {str(row[0]): int(row[1]) for row in await cursor.fetchall() if row[1]}

    async def _count(self, query: str, *values: int) -> int:
        async with self.db.execute(query, values) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
