"""SIGKILL or SIGTERM in the middle of a fan-out, then a restart on the same database: every
due reminder arrives; after SIGKILL only messages in flight may arrive twice, after SIGTERM
none do, and every command a user sent is answered once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic

from bot.core.reminder_input import Kind
from bot.core.schedule import Schedule
from bot.storage import Store
from tests.bot_api_server import BotApiServer
from tests.telegram.harness import BOT_NAME, REMINDER_MARKS, TOKEN
from tests.telegram_api import FakeBotApi, RateLimits

DUE = 150
KILL_AFTER = 50
# At most the sends in flight may repeat: 8 senders, and a claim batch is never resent.
MOST_DUPLICATES = 30


async def seed(
    database: Path, due_at: datetime, chats: Iterable[int] = range(1, DUE + 1), per_chat: int = 1
) -> None:
    """`chats` (by default DUE private chats; negative ids are groups) with `per_chat` water
    reminders each (at most 20), all due at `due_at`."""
    store = Store(database)
    await store.open()
    try:
        for chat in chats:
            for n in range(per_chat):
                # Once a day at a time just gone, a distinct one each (the same reminder twice
                # would be the one stored): after this due time the next is a day away, so a
                # second message in a test is a duplicate, never the schedule's next turn.
                earlier = (
                    (due_at - timedelta(minutes=n + 1)).time().replace(second=0, microsecond=0)
                )
                schedule = Schedule("UTC", times=(earlier,))
                await store.add_reminder(
                    chat_id=chat,
                    chat_type="group" if chat < 0 else "private",
                    created_by=abs(chat),
                    kind=Kind.WATER,
                    schedule=schedule,
                    next_due=due_at,
                    now=due_at,
                    limit=20,
                )
    finally:
        await store.close()


async def start_bot(
    server: BotApiServer, database: Path, *, stderr: int | None = None
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": server.base_url.removesuffix("/bot"),
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stdin=asyncio.subprocess.DEVNULL, stderr=stderr
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


def answers(api: FakeBotApi) -> Counter[int]:
    """Answers to /foods per chat."""
    return Counter(
        int(s.chat_id or 0)
        for s in api.outbox
        if s.method == "sendMessage" and "Magnesium: top foods" in (s.plain or "")
    )


async def test_sigterm_mid_fan_out_stops_cleanly_and_the_restart_repeats_nothing(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed(database, datetime.now(UTC) + timedelta(seconds=1))
    api = FakeBotApi(username=BOT_NAME, limits=RateLimits())
    for chat in range(1, DUE + 1):
        api.open_private_chat(chat)
    askers = range(5001, 5021)
    async with BotApiServer(api, token=TOKEN) as server:
        first = await start_bot(server, database, stderr=asyncio.subprocess.PIPE)
        try:
            await api.wait_for(lambda: sum(delivered(api).values()) >= KILL_AFTER, 30)
            # Users keep writing while the bot is told to stop.
            for user in askers:
                api.send_text("/foods magnesium", user_id=user)
            signalled = monotonic()
            first.terminate()  # SIGTERM
            _, stderr = await asyncio.wait_for(first.communicate(), 30)
            stop_seconds = monotonic() - signalled
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        at_stop = sum(delivered(api).values())
        second = await start_bot(server, database)
        try:
            await api.wait_for(lambda: len(delivered(api)) == DUE, 60)
            await api.wait_for(lambda: len(answers(api)) == len(askers), 30)
            await asyncio.sleep(2)  # room for any late duplicate to show up
        finally:
            second.terminate()
            await second.wait()
    counts = delivered(api)
    print(
        f"\nSIGTERM after {at_stop} of {DUE}: stopped in {stop_seconds:.2f} s, "
        f"{len(counts)} delivered"
    )
    assert first.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert len(counts) == DUE
    assert max(counts.values()) == 1  # a graceful stop repeats nothing
    assert set(answers(api).values()) == {1}  # each command answered once, none lost
    assert second.returncode == 0
