"""Stored reminders vs. cost: start-up, memory, database size and dispatch-tick time at
1 000, 100 000 and 1 000 000 stored reminders. Each size is measured in a fresh process.
A tick's targets (claim, deliver) are for the machine at its quiet speed: the claims are
timed beside bench.gauge, and judged at the speed it shows (raw figures printed too).

Run: .venv/bin/python -m bench.reminders_scale [--sizes 1000 100000 1000000] [--cache DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import verdict
from bench.gauge import QUIET_MS, Gauge
from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.dispatch import (
    BATCH,
    GRACE,
    HEARTBEAT_SECONDS,
    Dispatcher,
    Outbound,
    Outcome,
    SendResult,
)
from bot.storage import MIGRATIONS, Store, to_seconds

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
DUE_IN_TICK = 500
# Claims are timed over this many ticks, a heartbeat apart as in the bot, so that the p99
# shows the ticks that meet a checkpoint of the write-ahead log.
CLAIM_TICKS = 20
ZONES = (
    "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Africa/Lagos", "UTC",
)  # fmt: skip
TARGET_STARTUP_S = 1.0
TARGET_RSS_GROWTH_MB = 15.0
TARGET_CLAIM_P50_MS = 10.0
TARGET_CLAIM_P99_MS = 20.0
TARGET_DELIVER_MS = 100.0


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
            schedule: tuple[int | None, str | None, str | None, str] = (
                rng.choice((30, 60, 90, 120, 180, 240)),
                start,
                end,
                "",
            )
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

    # Closed at once: the last connection to close folds the WAL into the file.
    with contextlib.closing(sqlite3.connect(path)) as db, db:
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

    platforms = frozenset({Platform.TELEGRAM})

    async def send(self, item: Outbound) -> SendResult:
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
        rng, stored = random.Random(7), _count(path)
        await make_due(store, rng.sample(range(stored), DUE_IN_TICK), 30)
        deliver_tick = await timed_tick(dispatcher)
        await dispatcher.stop()
        rss = rss_mb()  # before the gauge adds a database of its own
        # The database side alone: claiming 500 due reminders, in the dispatcher's batches.
        await store.take_lease("bench", None, NOW)  # the dispatcher released its own
        claims: list[float] = []
        gauged: list[float] = []
        in_flight: list[Claim] = []
        gauge = await Gauge.open()
        try:
            for tick in range(CLAIM_TICKS):
                # A due time of its own each tick: a reminder drawn again is claimed again.
                await make_due(store, rng.sample(range(stored), DUE_IN_TICK), 31 + tick)
                await gauge.prepare()
                await asyncio.sleep(HEARTBEAT_SECONDS)
                seconds, claimed = await timed_claim(store)
                claims.append(seconds)
                # The dispatcher claims while it still holds up to a batch: the last tick's
                # deliveries are on their way during this claim, and end (untimed) after it.
                await finish_all(store, in_flight)
                in_flight = claimed
                # After an idle heartbeat of its own, as the claim: both start cold.
                await asyncio.sleep(HEARTBEAT_SECONDS)
                gauged.append(await gauge.timed())
        finally:
            await gauge.close()
        cuts = statistics.quantiles(claims, n=100, method="inclusive")
        return {
            "startup_ms": startup * 1000,
            "rss_mb": rss,
            "rss_start_mb": before,
            "idle_tick_ms": idle_tick * 1000,
            "claim_p50_ms": cuts[49] * 1000,
            "claim_p99_ms": cuts[98] * 1000,
            "gauge_p50_ms": statistics.median(gauged) * 1000,
            # The machine's own stalls, for the record: a claim and a gauge round are a
            # second apart, so a short stall shows in one of the two only.
            "gauge_p99_ms": statistics.quantiles(gauged, n=100, method="inclusive")[98] * 1000,
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


async def timed_claim(store: Store) -> tuple[float, list[Claim]]:
    """Seconds to claim what is due, in the dispatcher's batches, and the claims."""
    started = time.perf_counter()
    claimed: list[Claim] = []
    more = True
    while more:  # as the dispatcher does
        batch = await store.claim_due(NOW, BATCH, "bench")
        claimed += batch
        more = batch.more
    seconds = time.perf_counter() - started
    assert len(claimed) == DUE_IN_TICK, len(claimed)
    return seconds, claimed


async def finish_all(store: Store, claims: list[Claim]) -> None:
    """Record these deliveries as sent, as the dispatcher's senders would."""
    await asyncio.gather(
        *(store.finish(c, "sent", NOW, 1, next_due=c.following(NOW, GRACE)) for c in claims)
    )


async def make_due(store: Store, ids: list[int], seconds_ago: int) -> None:
    """Make these reminders due a little while ago."""
    async with store.transaction() as db:
        await db.executemany(
            "UPDATE reminders SET next_due = ? WHERE id = ?",
            [(to_seconds(NOW) - seconds_ago, i) for i in ids],
        )


def _count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0])


def seeded(folder: Path, cache: Path | None, size: int) -> tuple[Path, float]:
    """A freshly seeded database of `size` reminders in `folder`, and the seconds seeding
    took. With a cache, each size and schema is seeded once and copied after that: seeding
    is deterministic, and the copy is what the probe changes."""
    path = folder / f"reminders-{size}.sqlite3"
    # By the schema's text, not its version: a migration not yet released may be edited.
    schema = hashlib.sha256(repr(MIGRATIONS).encode()).hexdigest()[:12]
    kept = cache / f"reminders-{size}-{schema}.sqlite3" if cache else None
    if kept is not None and kept.exists():
        shutil.copyfile(kept, path)
        return path, 0.0
    started = time.perf_counter()
    seed(path, size)
    seconds = time.perf_counter() - started
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept)  # the file alone is whole: seed() leaves no WAL behind
    return path, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument(
        "--cache", type=Path, help="keep seeded databases here and reuse them (1 M takes a while)"
    )
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(asyncio.run(probe(args.probe))))
        return 0
    results = {}
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as folder:
        for size in args.sizes:
            path, seed_s = seeded(Path(folder), args.cache, size)
            size_mb = sum(p.stat().st_size for p in Path(folder).glob(f"{path.name}*")) / 2**20
            done = subprocess.run(
                [sys.executable, "-m", "bench.reminders_scale", "--probe", str(path)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            results[size] = {**json.loads(done.stdout), "db_mb": size_mb, "seed_s": seed_s}
    for r in results.values():
        # How much slower than at its quiet speed the machine was while this size was timed.
        slower = r["gauge_p50_ms"] / QUIET_MS
        for raw, quiet in (
            ("claim_p50_ms", "quiet_p50_ms"),
            ("claim_p99_ms", "quiet_p99_ms"),
            ("deliver_500_ms", "quiet_deliver_ms"),
        ):
            r[quiet] = r[raw] / slower
    columns = {
        "db MB": "db_mb",
        "start-up ms": "startup_ms",
        "RSS MB": "rss_mb",
        "idle tick ms": "idle_tick_ms",
        "claim p50 ms": "claim_p50_ms",
        "claim p99 ms": "claim_p99_ms",
        "gauge p50 ms": "gauge_p50_ms",
        "gauge p99 ms": "gauge_p99_ms",
        "quiet p50 ms": "quiet_p50_ms",
        "quiet p99 ms": "quiet_p99_ms",
        "deliver 500 ms": "deliver_500_ms",
        "quiet deliver": "quiet_deliver_ms",
    }
    print("".join(f"{c:>15}" for c in ("stored", *columns)))
    for size, r in results.items():
        print(f"{size:>15,}" + "".join(f"{r[k]:>15.1f}" for k in columns.values()))
    print(
        f"quiet: at the machine's quiet speed (bench.gauge's p50 {QUIET_MS} ms), scaled by "
        "the gauge timed beside the claims"
    )
    smallest, largest = results[min(results)], results[max(results)]
    checks = {
        f"start-up <= {TARGET_STARTUP_S} s at every size": all(
            r["startup_ms"] <= TARGET_STARTUP_S * 1000 for r in results.values()
        ),
        f"RSS growth, largest vs smallest, <= {TARGET_RSS_GROWTH_MB} MB": (
            largest["rss_mb"] - smallest["rss_mb"] <= TARGET_RSS_GROWTH_MB
        ),
        f"claiming {DUE_IN_TICK} due, p50 of {CLAIM_TICKS} ticks <= {TARGET_CLAIM_P50_MS} ms "
        "at quiet speed": all(r["quiet_p50_ms"] <= TARGET_CLAIM_P50_MS for r in results.values()),
        f"claiming {DUE_IN_TICK} due, p99 of {CLAIM_TICKS} ticks <= {TARGET_CLAIM_P99_MS} ms "
        "at quiet speed": all(r["quiet_p99_ms"] <= TARGET_CLAIM_P99_MS for r in results.values()),
        f"delivering {DUE_IN_TICK} due <= {TARGET_DELIVER_MS} ms at quiet speed": all(
            r["quiet_deliver_ms"] <= TARGET_DELIVER_MS for r in results.values()
        ),
    }
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
