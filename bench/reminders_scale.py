"""Stored reminders vs. cost: start-up, memory, database size and dispatch-tick time at
1 000, 100 000 and 1 000 000 stored reminders. Each size is measured in a fresh process.

Run: .venv/bin/python -m bench.reminders_scale [--sizes 1000 100000 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import verdict
from bot.core.reminders import Claim
from bot.dispatch import BATCH, Dispatcher, Outcome, SendResult
from bot.storage import Store, to_seconds

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
DUE_IN_TICK = 500
ZONES = (
    "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Africa/Lagos", "UTC",
)  # fmt: skip
TARGET_STARTUP_S = 1.0
TARGET_RSS_GROWTH_MB = 15.0
TARGET_TICK_MS = 10.0


def rss_mb() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(path: Path, rows: int) -> None:
    """A realistic mix: zones, intervals, fixed times, windows, some paused; none due yet."""
    asyncio.run(_migrate(path))
    rng = random.Random(rows)
    now = to_seconds(NOW)

    def row(i: int) -> tuple[object, ...]:
        zone = rng.choice(ZONES)
        paused = rng.random() < 0.1
        due = None if paused else now + rng.randint(60, 86_400)
        if rng.random() < 0.65:
            start = rng.choice(("07:00", "08:00", "09:00", "22:00"))
            end = rng.choice(("20:00", "21:00", "22:00", "06:00"))
            schedule = (rng.choice((30, 60, 90, 120, 180, 240)), start, end, "")
        else:
            times = sorted({f"{rng.randint(6, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}"})
            schedule = (None, None, None, " ".join(times))
        return (
            i,
            i,
            1000 + i,
            rng.choice(("water", "stretch")),
            zone,
            *schedule,
            due,
            now,
        )

    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (chat_id, chat_type, timezone, created_at) "
            "VALUES (?, 'private', ?, ?)",
            ((i, rng.choice(ZONES), now) for i in range(rows)),
        )
        db.executemany(
            "INSERT INTO reminders (id, chat_id, created_by, kind, timezone, interval_minutes, "
            "window_start, window_end, times, next_due, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row(i) for i in range(rows)),
        )


async def _migrate(path: Path) -> None:
    store = Store(path)
    await store.open()
    await store.close()


class NoopSender:
    """Sends nothing: the benchmark measures the database side of a tick."""

    async def send(self, claim: Claim) -> SendResult:
        """Pretend the message went out."""
        return SendResult(Outcome.SENT, message_id=1)


class BenchClock:
    def now(self) -> datetime:
        return NOW


async def probe(path: Path) -> dict[str, float]:
    """Start-up to the first tick, RSS, and tick times, in this (fresh) process."""
    before = rss_mb()
    started = time.perf_counter()
    store = Store(path)
    await store.open()
    try:
        dispatcher = Dispatcher(store, NoopSender(), BenchClock())
        await dispatcher.start()
        await dispatcher.idle()  # the first tick: nothing is due
        startup = time.perf_counter() - started
        idle_tick = await timed_tick(dispatcher)
        ids = random.Random(7).sample(range(_count(path)), DUE_IN_TICK * 2)
        await make_due(store, ids[:DUE_IN_TICK])
        deliver_tick = await timed_tick(dispatcher)
        await dispatcher.stop()
        # The database side alone: claiming 500 due reminders, in the dispatcher's batches.
        await make_due(store, ids[DUE_IN_TICK:])
        await store.take_lease("bench", NOW, 3600)  # the dispatcher released its own
        started = time.perf_counter()
        total = 0
        while batch := await store.claim_due(NOW, BATCH, Dispatcher._after, "bench"):
            total += len(batch)
        claim_tick = time.perf_counter() - started
        assert total == DUE_IN_TICK, total
        return {
            "startup_ms": startup * 1000,
            "rss_mb": rss_mb(),
            "rss_start_mb": before,
            "idle_tick_ms": idle_tick * 1000,
            "claim_500_ms": claim_tick * 1000,
            "deliver_500_ms": deliver_tick * 1000,
        }
    finally:
        await store.close()


async def timed_tick(dispatcher: Dispatcher) -> float:
    """Seconds for one heartbeat's work: claim what is due and deliver it (no-op sender)."""
    started = time.perf_counter()
    dispatcher.kick()
    await dispatcher.idle()
    return time.perf_counter() - started


async def make_due(store: Store, ids: list[int]) -> None:
    """Make these reminders due half a minute ago."""
    async with store.transaction() as db:
        await db.executemany(
            "UPDATE reminders SET next_due = ? WHERE id = ?",
            [(to_seconds(NOW) - 30, i) for i in ids],
        )


def _count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(asyncio.run(probe(args.probe))))
        return 0
    results = {}
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as folder:
        for size in args.sizes:
            path = Path(folder) / f"reminders-{size}.sqlite3"
            seeded = time.perf_counter()
            seed(path, size)
            seed_s = time.perf_counter() - seeded
            size_mb = sum(p.stat().st_size for p in Path(folder).glob(f"{path.name}*")) / 2**20
            done = subprocess.run(
                [sys.executable, "-m", "bench.reminders_scale", "--probe", str(path)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            results[size] = {**json.loads(done.stdout), "db_mb": size_mb, "seed_s": seed_s}
    columns = ("stored", "db MB", "start-up ms", "RSS MB", "idle tick ms", "claim 500 ms")
    print("".join(f"{c:>16}" for c in (*columns, "deliver 500 ms")))
    for size, r in results.items():
        keys = ("db_mb", "startup_ms", "rss_mb", "idle_tick_ms", "claim_500_ms", "deliver_500_ms")
        print(f"{size:>16,}" + "".join(f"{r[k]:>16.1f}" for k in keys))
    smallest, largest = results[min(results)], results[max(results)]
    checks = {
        f"start-up <= {TARGET_STARTUP_S} s at every size": all(
            r["startup_ms"] <= TARGET_STARTUP_S * 1000 for r in results.values()
        ),
        f"RSS growth, largest vs smallest, <= {TARGET_RSS_GROWTH_MB} MB": (
            largest["rss_mb"] - smallest["rss_mb"] <= TARGET_RSS_GROWTH_MB
        ),
        f"claiming {DUE_IN_TICK} due <= {TARGET_TICK_MS} ms": all(
            r["claim_500_ms"] <= TARGET_TICK_MS for r in results.values()
        ),
    }
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
