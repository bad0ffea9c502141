"""Command path: updates/s and handling latency through the real Application over loopback
to the stand-in Bot API in its own process, side by side with a bare python-telegram-bot
echo bot in the same run.

Run: .venv/bin/python -m bench.commands [--updates 2000]
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
from bot.config import load_settings
from bot.content import load_knowledge
from bot.core.knowledge import KnowledgeBase
from bot.flood import FloodControl, Limits
from bot.telegram.app import build_application

TARGET_RATIO = 0.8
FIRST_USER = 10_000
Builder = Callable[[str], Application]  # type: ignore[type-arg]


def limiter() -> AIORateLimiter:
    """Both bots get the same limiter with Telegram's overall 30/s cap lifted: otherwise
    both would measure the cap, not the handling. Every update comes from a new chat."""
    return AIORateLimiter(overall_max_rate=0)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline: reply with the text."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def echo_bot(root: str) -> Application:  # type: ignore[type-arg]
    """PTB's echo example."""
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{root}/bot").rate_limiter(limiter())
    app = builder.build()
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
    for chat, at in data["sends"]:
        replied.setdefault(int(chat), at)
    latencies = sorted((replied[c] - injected[c]) * 1000 for c in injected)
    elapsed = max(replied.values()) - min(injected.values())
    return updates / elapsed, statistics.median(latencies), latencies[int(updates * 0.99) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    kb = KnowledgeBase(load_knowledge())
    load_ms = (time.perf_counter() - started) * 1000
    with tempfile.TemporaryDirectory(prefix="cramp-commands-") as folder:
        database = str(Path(folder) / "bot.sqlite3")

        def ours(root: str) -> Application:  # type: ignore[type-arg]
            settings = load_settings(
                {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": database}
            )
            # Telegram's overall cap lifted, as for the echo bot (every update is a new chat).
            return build_application(settings, kb, flood=FloodControl(Limits(per_second=1e6)))

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
