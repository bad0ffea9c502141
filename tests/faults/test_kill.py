"""SIGKILL in the middle of a fan-out, then a restart on the same database: every due
reminder arrives, and only messages in flight at the kill may arrive twice."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.core.reminder_input import Kind
from bot.core.schedule import Schedule
from bot.offline.bot_api import FakeBotApi, RateLimits
from bot.storage import Store
from tests.bot_api_server import BotApiServer
from tests.telegram.harness import BOT_NAME, REMINDER_MARKS, TOKEN

DUE = 150
KILL_AFTER = 50
# At most the sends in flight may repeat: 8 senders, and a claim batch is never resent.
MOST_DUPLICATES = 30


async def seed(database: Path, due_at: datetime) -> None:
    """DUE private chats with one water reminder each, all due at `due_at`."""
    store = Store(database)
    await store.open()
    schedule = Schedule("UTC", interval_minutes=15, window_start=time(0), window_end=time(23, 45))
    try:
        for chat in range(1, DUE + 1):
            await store.add_reminder(
                chat_id=chat,
                chat_type="private",
                created_by=chat,
                kind=Kind.WATER,
                schedule=schedule,
                next_due=due_at,
                now=due_at,
                limit=20,
            )
    finally:
        await store.close()


async def start_bot(server: BotApiServer, database: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": server.base_url.removesuffix("/bot"),
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stdin=asyncio.subprocess.DEVNULL
    )


def delivered(api: FakeBotApi) -> Counter[int]:
    """Reminder messages per chat."""
    return Counter(
        int(s.chat_id or 0)
        for s in api.outbox
        if s.method == "sendMessage" and any(m in (s.plain or "") for m in REMINDER_MARKS)
    )


async def test_sigkill_mid_fan_out_then_restart(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed(database, datetime.now(UTC) + timedelta(seconds=1))
    api = FakeBotApi(username=BOT_NAME, limits=RateLimits())  # Telegram's own limits
    for chat in range(1, DUE + 1):
        api.open_private_chat(chat)
    async with BotApiServer(api, token=TOKEN) as server:
        first = await start_bot(server, database)
        try:
            await api.wait_for(lambda: sum(delivered(api).values()) >= KILL_AFTER, 30)
        finally:
            first.kill()  # SIGKILL: no shutdown hook runs
            await first.wait()
        at_kill = sum(delivered(api).values())
        second = await start_bot(server, database)
        try:
            await api.wait_for(lambda: len(delivered(api)) == DUE, 60)
            await asyncio.sleep(2)  # room for any late duplicate to show up
        finally:
            second.terminate()
            await second.wait()
    counts = delivered(api)
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\nSIGKILL after {at_kill} of {DUE}: {len(counts)} delivered, {duplicates} duplicates")
    assert len(counts) == DUE
    assert duplicates <= MOST_DUPLICATES
    assert second.returncode == 0  # SIGTERM is a clean stop
