"""Burst delivery: many reminders due in the same minute, sent through the real Application
over loopback HTTP to a stand-in Bot API (its own process) that enforces a flood limit and
answers 429 above it. Side by side: the naive way, one JobQueue job per reminder.

Telegram allows about 30 messages/s; the limit is scaled up (--rate, both sides) so the run
finishes in minutes. Run: .venv/bin/python -m bench.burst [--count 100000] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bench import verdict
from bench.reminders_scale import rss_mb
from bench.standin import TOKEN, stand_in, stats
from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.flood import FloodControl, Limits
from bot.loader import load_knowledge
from bot.storage import Store
from bot.telegram.lifecycle import TelegramFrontEnd

SPREAD_SECONDS = 60  # "due in the same minute"
START_MARGIN_SECONDS = 10
STALL_SECONDS = 60
TARGET_RATE_SHARE = 0.9
TARGET_429_SHARE = 0.001
TARGET_RSS_GROWTH_MB = 20.0


def due_time(t0: float, chat: int) -> float:
    """Chat n's reminder is due n mod 60 seconds into the minute."""
    return t0 + chat % SPREAD_SECONDS


async def seed(path: Path, count: int, t0: float) -> None:
    """`count` chats with one water reminder each, due within one minute from t0."""
    store = Store(path)  # creates the schema
    await store.open()
    await store.close()
    created = int(t0)
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (chat_id, chat_type, timezone, created_at) "
            "VALUES (?, 'private', 'UTC', ?)",
            ((chat, created) for chat in range(1, count + 1)),
        )
        db.executemany(
            "INSERT INTO reminders (chat_id, created_by, kind, timezone, interval_minutes, "
            "window_start, window_end, next_due, created_at) "
            "VALUES (?, ?, 'water', 'UTC', 720, '00:00', '23:59', ?, ?)",
            ((chat, chat, int(due_time(t0, chat)), created) for chat in range(1, count + 1)),
        )


class RssPeak:
    """Samples this process's RSS while a run goes on."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            await asyncio.sleep(0.2)

    def stop(self) -> float:
        """The peak, and stop sampling."""
        self._task.cancel()
        return max(self.peak, rss_mb())


async def wait_for_all(root: str, count: int) -> None:
    """Poll the stand-in until every chat has a message or progress stalls."""
    last, last_change = -1, time.monotonic()
    while True:
        await asyncio.sleep(2)
        counts = await stats(root, counts_only=True)
        if counts["chats"] >= count:
            await asyncio.sleep(3)  # room for duplicates to show
            return
        if counts["sent"] != last:
            last, last_change = counts["sent"], time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            return


async def observe(
    root: str, count: int, t0: float, rate: float, rss_before: float
) -> dict[str, float]:
    """Watch a run to its end (peak RSS sampled meanwhile), then sum it up."""
    peak = RssPeak()
    await wait_for_all(root, count)
    growth = peak.stop() - rss_before
    result = summarize(await stats(root), count, t0, rate)
    result["rss_growth"] = growth
    return result


def summarize(data: dict[str, Any], count: int, t0: float, rate: float) -> dict[str, float]:
    sends = data["sends"]
    assert isinstance(sends, list)
    per_chat = Counter(int(chat) for chat, _, _ in sends)
    first_at: dict[int, float] = {}
    for chat, at, _ in sends:
        first_at.setdefault(int(chat), at)
    lateness = sorted(at - due_time(t0, chat) for chat, at in first_at.items())
    times = [at for _, at, _ in sends]
    span = (max(times) - min(times)) if len(times) > 1 else 0.0
    too_many = data["too_many_requests"]
    assert isinstance(too_many, int)
    return {
        "delivered": len(per_chat),
        "due": count,
        "duplicates": sum(n - 1 for n in per_chat.values()),
        "rate_share": (len(sends) / span / rate) if span else 0.0,
        "too_many": too_many,
        "too_many_share": too_many / max(1, len(sends) + too_many),
        "late_p50": statistics.median(lateness) if lateness else float("nan"),
        "late_p99": lateness[int(len(lateness) * 0.99) - 1] if lateness else float("nan"),
    }


async def run_ours(kb: KnowledgeBase, count: int, rate: float, folder: Path) -> dict[str, float]:
    """Our dispatcher: the database is the queue."""
    t0 = time.time() + START_MARGIN_SECONDS
    database = folder / "burst.sqlite3"
    await seed(database, count, t0)
    async with stand_in(rate, open_chats=count) as root:
        settings = load_settings(
            {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": str(database)}
        )
        core = Core(settings, kb)
        TelegramFrontEnd(core, poll=False, flood=FloodControl(Limits(per_second=rate)))
        before = rss_mb()
        started = time.perf_counter()
        async with running(core):
            startup = time.perf_counter() - started
            result = await observe(root, count, t0, rate, before)
        result["startup_s"] = startup
    return result


async def run_naive(count: int, rate: float) -> dict[str, float]:
    """PTB's timer example at scale: one JobQueue job per reminder, all kept in memory."""
    t0 = time.time() + START_MARGIN_SECONDS
    async with stand_in(rate, open_chats=count) as root:
        limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
        app = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot").rate_limiter(limiter)
        application: Application = app.build()  # type: ignore[type-arg]

        async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
            assert context.job is not None
            assert context.job.chat_id is not None
            await context.bot.send_message(context.job.chat_id, "💧 Time for some water")

        before = rss_mb()
        started = time.perf_counter()
        await application.initialize()
        await application.start()
        assert application.job_queue is not None
        for chat in range(1, count + 1):
            when = datetime.fromtimestamp(due_time(t0, chat), UTC)
            application.job_queue.run_once(remind, when, chat_id=chat)
        startup = time.perf_counter() - started
        scheduled_rss = rss_mb() - before
        result = await observe(root, count, t0, rate, before)
        result["rss_after_scheduling"] = scheduled_rss
        result["startup_s"] = startup
        await application.stop()
        await application.shutdown()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    kb = KnowledgeBase(load_knowledge())
    with tempfile.TemporaryDirectory(prefix="cramp-burst-") as folder:
        ours = asyncio.run(run_ours(kb, args.count, args.rate, Path(folder)))
    naive = None if args.skip_naive else asyncio.run(run_naive(args.count, args.rate))
    print(f"{args.count:,} reminders due within {SPREAD_SECONDS} s; limit {args.rate:g} msg/s\n")
    rows = [
        ("delivered / due", "{delivered:.0f} / {due:.0f}"),
        ("duplicates", "{duplicates:.0f}"),
        ("rate achieved / limit", "{rate_share:.2f}"),
        ("429s received (share)", "{too_many:.0f} ({too_many_share:.3%})"),
        ("lateness p50 / p99 s", "{late_p50:.1f} / {late_p99:.1f}"),
        ("peak RSS growth MB", "{rss_growth:.1f}"),
        ("start-up s", "{startup_s:.2f}"),
    ]
    print(f"{'':<26}{'dispatcher':>22}{'naive JobQueue':>22}")
    for label, template in rows:
        naive_cell = template.format(**naive) if naive else "-"
        print(f"{label:<26}{template.format(**ours):>22}{naive_cell:>22}")
    if naive:
        growth = naive["rss_growth"] / max(ours["rss_growth"], 0.1)
        startup = naive["startup_s"] / max(ours["startup_s"], 1e-3)
        dropped = (naive["due"] - naive["delivered"], ours["due"] - ours["delivered"])
        print(f"\nnaive RSS right after scheduling: +{naive['rss_after_scheduling']:.1f} MB")
        print(f"naive / dispatcher: RSS growth x{growth:.1f}, start-up x{startup:.1f}")
        print(f"dropped: naive {dropped[0]:.0f}, dispatcher {dropped[1]:.0f}")
    checks = {
        "all delivered": ours["delivered"] == ours["due"],
        "no duplicates": ours["duplicates"] == 0,
        f"rate >= {TARGET_RATE_SHARE} of the limit": ours["rate_share"] >= TARGET_RATE_SHARE,
        f"429s < {TARGET_429_SHARE:.1%} of sends": ours["too_many_share"] < TARGET_429_SHARE,
        f"peak RSS growth <= {TARGET_RSS_GROWTH_MB} MB": ours["rss_growth"]
        <= TARGET_RSS_GROWTH_MB,
    }
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
