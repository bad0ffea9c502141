"""Command path: updates/s and handling latency through the real Application over loopback
to the stand-in Bot API in its own process, side by side with python-telegram-bot's echo bot
in the same run: once as PTB ships it (one update at a time), and once handling updates as
ours does (16 at once, one chat's in order, our limiter), so that only the handling differs.

Run: .venv/bin/python -m bench.commands [--updates 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.standin import TOKEN, control, stand_in, stats
from bot.app import Core
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.flood import FloodControl, Limits
from bot.loader import load_knowledge
from bot.telegram.lifecycle import TelegramFrontEnd
from bot.telegram.rate_limiter import TelegramRateLimiter
from bot.telegram.update_order import PerChatOrder

TARGET_RATIO = 0.8
FIRST_USER = 10_000
PLAIN = "echo bot, 1 at a time"
EQUAL = "echo bot, 16 at a time"
Builder = Callable[[str], Application]  # type: ignore[type-arg]


def uncapped() -> FloodControl:
    """Telegram's limits with the overall 30/s cap lifted: every update comes from a new
    chat, so otherwise every row would measure the cap, not the handling."""
    return FloodControl(Limits(per_second=1e6))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline: reply with the text."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def echo_bot(root: str) -> Application:  # type: ignore[type-arg]
    """PTB's echo example, one update at a time as PTB handles them by default, behind
    PTB's own limiter (its overall cap lifted too)."""
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot")
    app = builder.rate_limiter(AIORateLimiter(overall_max_rate=0)).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def concurrent_echo_bot(root: str) -> Application:  # type: ignore[type-arg]
    """The echo example handling updates as ours does: the same update processor and
    limiter, so the HTTP pool carries as many requests at once."""
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot")
    limited = builder.rate_limiter(TelegramRateLimiter(uncapped()))
    app = limited.concurrent_updates(PerChatOrder()).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def measure(build: Builder, text: str, updates: int) -> tuple[float, float, float]:
    """`updates` users send `text` at once; (updates/s, p50 ms, p99 ms) to their replies."""
    async with stand_in() as root:
        app = build(root)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await control(root, "messages", first=FIRST_USER, count=updates, text=text)
            # The server is another process: polling its statistics is the way to watch it.
            while len((data := await stats(root))["sends"]) < updates:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    injected = {int(chat): at for chat, at in data["injected"].items()}
    replied: dict[int, float] = {}
    for chat, at, _ in data["sends"]:
        replied.setdefault(int(chat), at)
    latencies = sorted((replied[c] - injected[c]) * 1000 for c in injected)
    elapsed = max(replied.values()) - min(injected.values())
    return updates / elapsed, statistics.median(latencies), latencies[int(updates * 0.99) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    kb = KnowledgeBase(load_knowledge())
    load_ms = (time.perf_counter() - started) * 1000
    best: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-commands-") as folder:
        database = str(Path(folder) / "bot.sqlite3")

        def ours(root: str) -> Application:  # type: ignore[type-arg]
            settings = load_settings(
                {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": database}
            )
            # Lookups need no database: the core is never started here.
            return TelegramFrontEnd(Core(settings, kb), flood=uncapped()).app

        paths: list[tuple[str, Builder, str]] = [
            (PLAIN, echo_bot, "hello"),
            (EQUAL, concurrent_echo_bot, "hello"),
            *((text, ours, text) for text in ("/foods magnesium", "/causes", "bananas?")),
        ]
        # Each round runs every path once, so that other work on a shared machine slows
        # the baselines and ours alike; each path's best round is the one least disturbed.
        for _ in range(args.rounds):
            for name, build, text in paths:
                result = asyncio.run(measure(build, text, args.updates))
                if name not in best or result[0] > best[name][0]:
                    best[name] = result
    print(
        f"content load: {load_ms:.0f} ms; {args.updates} updates per row, sent at once; "
        f"best of {args.rounds} rounds\n"
    )
    header = f"{'path':<24}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}"
    print(f"{header}{'vs echo 16':>12}{'vs echo 1':>11}")
    missed = False
    for name, (rate, p50, p99) in best.items():
        ratio = rate / best[EQUAL][0]
        # The echo rows are the yardsticks, not candidates.
        missed |= name not in (PLAIN, EQUAL) and ratio < TARGET_RATIO
        line = f"{name:<24}{rate:>11.0f}{p50:>9.1f}{p99:>9.1f}"
        print(f"{line}{ratio:>12.2f}{rate / best[PLAIN][0]:>11.2f}")
    verdict = "MISSED" if missed else "met"
    print(f"\ntarget: >= {TARGET_RATIO} of the echo bot's rate at equal concurrency: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
