"""Command path: updates/s and handling latency through the real Application over loopback,
side by side with a bare python-telegram-bot echo bot in the same run.

Run: .venv/bin/python -m bench.commands [--updates 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import load_settings
from bot.content import load_knowledge
from bot.core.knowledge import KnowledgeBase
from bot.offline.bot_api import FakeBotApi
from bot.telegram.app import build_application
from tests.bot_api_server import BotApiServer

TOKEN = "123456789:AAExampleExampleExampleExample_1234"
TARGET_RATIO = 0.8
# Both bots get the same limiter with Telegram's overall 30/s cap lifted: otherwise both
# measure the cap, not the handling. Per-chat limits stay (every update is a new chat).
UNCAPPED = 1_000_000


def limiter() -> AIORateLimiter:
    """The production rate limiter without the overall cap."""
    return AIORateLimiter(overall_max_rate=UNCAPPED, overall_time_period=1)


Builder = Callable[[str], Application]  # type: ignore[type-arg]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline: reply with the text."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def echo_bot(root: str) -> Application:  # type: ignore[type-arg]
    """PTB's echo example, pointed at the stand-in."""
    app = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot").rate_limiter(limiter()).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


@asynccontextmanager
async def serving(build: Builder) -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    async with BotApiServer(api, token=TOKEN) as server:
        app = build(server.base_url.removesuffix("/bot"))
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield api
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def measure(build: Builder, text: str, updates: int) -> tuple[float, float, float]:
    """Push `updates` messages from distinct users at once; (updates/s, p50 ms, p99 ms)."""
    async with serving(build) as api:
        sent_at: dict[int, float] = {}
        start = time.perf_counter()
        for user in range(updates):
            api.send_text(text, user_id=10_000 + user)
            sent_at[10_000 + user] = time.perf_counter()
        await api.wait_for(
            lambda: sum(s.method == "sendMessage" for s in api.outbox) >= updates, timeout=300
        )
        elapsed = time.perf_counter() - start
        replied = {s.chat_id: s.at for s in api.outbox if s.method == "sendMessage"}
    # FakeBotApi stamps sends with time.time(); convert both sides to one clock.
    offset = time.time() - time.perf_counter()
    latencies = sorted((replied[u] - (sent_at[u] + offset)) * 1000 for u in sent_at)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return updates / elapsed, statistics.median(latencies), p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    kb = KnowledgeBase(load_knowledge())
    load_ms = (time.perf_counter() - started) * 1000

    def ours(root: str) -> Application:  # type: ignore[type-arg]
        settings = load_settings({"BOT_TOKEN": TOKEN, "BOT_API_URL": root})
        return build_application(settings, kb, rate_limiter=limiter())

    rows = [("echo bot (baseline)", asyncio.run(measure(echo_bot, "hello", args.updates)))]
    for text in ("/foods magnesium", "/causes", "bananas?"):
        rows.append((text, asyncio.run(measure(ours, text, args.updates))))
    baseline = rows[0][1][0]
    print(f"content load: {load_ms:.0f} ms; {args.updates} updates per row, sent at once\n")
    print(f"{'path':<22}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'vs echo':>9}")
    missed = False
    for name, (rate, p50, p99) in rows:
        ratio = rate / baseline
        missed |= ratio < TARGET_RATIO
        print(f"{name:<22}{rate:>11.0f}{p50:>9.1f}{p99:>9.1f}{ratio:>9.2f}")
    verdict = "MISSED" if missed else "met"
    print(f"\ntarget: >= {TARGET_RATIO} of the echo bot's throughput: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
