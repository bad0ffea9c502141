"""Fault scenarios that finish in seconds: rate limiting, dropped connections, a locked
database. Nothing is lost, nothing is sent twice, and the bot keeps answering meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.storage.sqlite import store as storage
from bot.telegram.app import BUSY
from tests.telegram.harness import Harness, running_bot
from tests.telegram_api import BotApiError, Sent

# Just after the third due time: all three are due at once, and within the grace period.
ALL_DUE = datetime(2026, 6, 1, 10, 32, 30, tzinfo=UTC)
CHATS = range(5001, 5021)


def reminder_id(sent: Sent) -> int:
    """The reminder a delivered message is for, read from its Done button."""
    assert sent.reply_markup is not None
    data: str = sent.reply_markup["inline_keyboard"][0][0]["callback_data"]
    return int(data.rsplit(":", 1)[1])


async def three_reminders_each(bot: Harness) -> dict[int, list[int]]:
    """Twenty chats with reminders at 10:30, 10:31 and 10:32 UTC; their ids per chat."""
    ids: dict[int, list[int]] = {}
    for chat in CHATS:
        await bot.say("/timezone UTC", user_id=chat)
        for moment in ("10:30", "10:31", "10:32"):
            made = await bot.say(f"/remind water at {moment}", user_id=chat)
            ids.setdefault(chat, []).append(int(made.plain.split("#")[1].split(" ")[0]))
    return ids


async def test_429s_for_a_while_then_all_arrive_in_order_once(bot: Harness) -> None:
    ids = await three_reminders_each(bot)
    too_many = BotApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    bot.api.fail_next("sendMessage", too_many, times=25)
    bot.clock.set(ALL_DUE)  # sixty reminders due at once
    await bot.api.wait_for(lambda: all(len(bot.reminders_sent(c)) >= 3 for c in CHATS), 20)
    await bot.quiet()
    for chat in CHATS:
        assert [reminder_id(s) for s in bot.reminders_sent(chat)] == ids[chat], chat


async def test_dropped_connections_lose_nothing_and_commands_still_work(bot: Harness) -> None:
    ids = await three_reminders_each(bot)
    bot.server.drop_connections("sendMessage", set(CHATS), times=12)
    bot.clock.set(ALL_DUE)
    # Meanwhile, someone else asks something and gets an answer.
    answer = await bot.say("/foods calcium", user_id=9001)
    assert "Calcium: top foods" in answer.plain
    await bot.api.wait_for(lambda: all(len(bot.reminders_sent(c)) >= 3 for c in CHATS), 20)
    await bot.quiet()
    assert bot.server.dropped == 12
    for chat in CHATS:
        assert [reminder_id(s) for s in bot.reminders_sent(chat)] == ids[chat], chat


def hold_write_lock(path: Path, held: threading.Event, release: threading.Event) -> None:
    """Another process's writer holding the database until told to let go."""
    with sqlite3.connect(path, timeout=1) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE chats SET chat_type = chat_type")
        held.set()
        release.wait(timeout=30)
        other.rollback()


async def locked(path: Path) -> tuple[asyncio.Task[None], threading.Event]:
    """Lock the database from another connection; returns once the lock is held."""
    held, release = threading.Event(), threading.Event()
    task = asyncio.create_task(asyncio.to_thread(hold_write_lock, path, held, release))
    await asyncio.to_thread(held.wait, 10)
    assert held.is_set()
    return task, release


async def test_a_briefly_locked_database_makes_commands_wait(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with running_bot(kb, database) as bot:
        await bot.say("/timezone UTC")
        locker, release = await locked(database)
        asyncio.get_running_loop().call_later(2.0, release.set)  # a writer busy for 2 s
        made = await bot.say("/remind water every 2h 08:00-22:00", patience=10)
        assert "Reminder #1 set" in made.plain
        await locker
        assert "#1 💧 Water" in (await bot.say("/reminders")).plain


async def test_a_long_locked_database_says_try_again_and_keeps_data(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lock outlasting the busy timeout; a 1 s timeout keeps the test short.
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 1000)
    database = tmp_path / "bot.sqlite3"
    async with running_bot(kb, database) as bot:
        await bot.say("/timezone UTC")
        await bot.say("/remind water at 09:00")
        locker, release = await locked(database)
        try:
            refused = await bot.say("/stop 1", patience=15)
        finally:
            release.set()  # held until the refusal arrived, however slow the machine
        assert refused.plain == BUSY
        await locker
        listing = await bot.say("/reminders")
        assert "#1 💧 Water at 09:00" in listing.plain  # not deleted, not damaged
        assert "Deleted reminder #1" in (await bot.say("/stop 1")).plain
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
