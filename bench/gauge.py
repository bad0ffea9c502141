"""How fast this machine is right now: a fixed SQLite transaction of a claim's shape, with
none of the bot's code, timed beside what a benchmark measures to scale its targets.

A target in milliseconds on shared cores is met or missed by the hour: the same claim took
5.5 ms on one quiet moment and 11.5 ms an hour later. The gauge slows down with the machine
but not with the bot, so a change to the bot shows in the ratio, and the weather does not.
Its workload is fixed (rows, statements, objects): change it and QUIET_MS must be measured
again, or every figure scaled by it moves. A figure "at quiet speed" is the ratio to the
gauge times QUIET_MS, which was measured on the project's machine alone. The gauge reads
its rows through the table, as the claim did before schema 6: it measures the machine, not
a copy of the claim.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path
from time import perf_counter
from typing import NamedTuple

import aiosqlite

# The gauge's p50 on the project's machine at its quickest: the least of its 57 figures
# (one per size) in 19 runs of bench.reminders_scale on 2026-12-02 (5.0-8.2 ms). A target
# is met at this speed; on a slower moment, in proportion. A quicker moment than any seen
# would make the scaled figures higher than the machine's true quiet speed gives.
QUIET_MS = 5.0
ROWS = 100_000
TAKEN = 500


class Item(NamedTuple):
    """A row read, as a claim builds a reminder from one."""

    id: int
    owner: int
    author: int
    kind: str
    zone: str
    every: int | None
    start: str | None
    end: str | None
    times: str
    due: int
    sent: int
    place: str


class Taken(NamedTuple):
    """A row written for an item read, as a claim records a delivery."""

    mark: int
    item: Item
    due: int
    at: int


class Gauge:
    """The fixed workload over its own database: `prepare()` makes TAKEN random items due
    (untimed), `timed()` takes them in one transaction and returns the seconds it took."""

    def __init__(self, db: aiosqlite.Connection, folder: Path) -> None:
        self._db = db
        self._folder = folder
        self._rng = random.Random(11)
        self._round = 0

    @classmethod
    async def open(cls) -> Gauge:
        """A gauge over a fresh database of ROWS items, in a folder of its own."""
        folder = Path(tempfile.mkdtemp(prefix="cramp-gauge-"))
        db = await aiosqlite.connect(folder / "gauge.sqlite3", isolation_level=None)
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA cache_size = -4096",
        ):
            await db.execute(pragma)
        await db.execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER, author INTEGER, "
            "kind TEXT, zone TEXT, every INTEGER, start TEXT, end TEXT, times TEXT, "
            "due INTEGER, sent INTEGER, place TEXT)"
        )
        await db.execute("CREATE INDEX items_due ON items (due, place) WHERE due IS NOT NULL")
        await db.execute(
            "CREATE TABLE marks (id INTEGER PRIMARY KEY, item INTEGER NOT NULL, "
            "due INTEGER NOT NULL, at INTEGER NOT NULL, UNIQUE (item, due))"
        )
        rng = random.Random(ROWS)
        await db.execute("BEGIN")
        await db.executemany(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'telegram')",
            (
                (i, i, 1000 + i, rng.choice(("water", "stretch")), "Europe/Berlin",
                 rng.choice((60, 120, None)), "08:00", "21:00", "", 10**9 + rng.randint(0, 10**6))
                for i in range(ROWS)
            ),
        )  # fmt: skip
        await db.execute("COMMIT")
        return cls(db, folder)

    async def close(self) -> None:
        """Close its database and remove it."""
        await self._db.close()
        shutil.rmtree(self._folder)

    async def prepare(self) -> None:
        """Make TAKEN random items due, each round at a due time of its own."""
        self._round += 1
        await self._db.execute("BEGIN IMMEDIATE")
        await self._db.executemany(
            "UPDATE items SET due = ? WHERE id = ?",
            [(self._round, i) for i in self._rng.sample(range(ROWS), TAKEN)],
        )
        await self._db.execute("COMMIT")

    async def timed(self) -> float:
        """Seconds to take the items due: read them by the index, record each, build each."""
        started = perf_counter()
        db = self._db
        await db.execute("BEGIN IMMEDIATE")
        rows = list(
            await db.execute_fetchall(
                "SELECT * FROM items WHERE due IS NOT NULL AND due <= ? "
                "ORDER BY due, place, id LIMIT ?",
                (self._round, TAKEN + 1),
            )
        )
        marks = await db.execute_fetchall(
            f"INSERT INTO marks (item, due, at) VALUES {', '.join('(?, ?, ?)' for _ in rows)} "
            "ON CONFLICT DO NOTHING RETURNING item, id",
            [v for row in rows for v in (row[0], row[9], self._round)],
        )
        mark = {int(item): int(m) for item, m in marks}
        taken = [Taken(mark[row[0]], Item(*row), row[9], self._round) for row in rows]
        await db.execute("COMMIT")
        seconds = perf_counter() - started
        assert len(taken) == TAKEN, len(taken)
        # Taken once: the next round's items are others, due at a time of their own.
        await db.execute("UPDATE items SET due = NULL WHERE due <= ?", (self._round,))
        return seconds
