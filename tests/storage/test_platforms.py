"""Each chat's platform travels with its reminders: the dispatcher hands every claim to its
platform's sender, and claims nothing for a platform that is not running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.platforms import Platform
from bot.dispatch import Dispatcher, Outbound, Outcome, SendResult
from bot.senders import PlatformSenders
from bot.storage import Store
from tests.storage.test_store import add
from tests.telegram.harness import FakeClock

DUE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
DISCORD_DM = 1_300_000_000_000_000_000  # a snowflake: larger than any Telegram id


class Recorder:
    """One platform's sender: remembers the chats it delivered to."""

    def __init__(self, platform: Platform) -> None:
        self.platforms = frozenset({platform})
        self.sent: list[int] = []

    async def send(self, item: Outbound) -> SendResult:
        self.sent.append(item.chat_id)
        return SendResult(Outcome.SENT, message_id=1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()


async def run_until_idle(store: Store, senders: PlatformSenders) -> None:
    running = Dispatcher(store, senders, FakeClock(DUE), heartbeat_seconds=0.01)
    await running.start()
    try:
        await running.idle()
    finally:
        await running.stop()


async def test_each_reminder_goes_to_its_chats_platform(store: Store) -> None:
    await add(store, 5, next_due=DUE)
    await add(store, DISCORD_DM, next_due=DUE, platform=Platform.DISCORD, created_by=7)
    telegram, discord = Recorder(Platform.TELEGRAM), Recorder(Platform.DISCORD)
    await run_until_idle(
        store, PlatformSenders({Platform.TELEGRAM: telegram, Platform.DISCORD: discord})
    )
    assert telegram.sent == [5]
    assert discord.sent == [DISCORD_DM]
    chat = await store.chat(DISCORD_DM)
    assert chat is not None
    assert chat.platform is Platform.DISCORD


async def test_a_platform_not_running_keeps_its_reminders_waiting(store: Store) -> None:
    await add(store, 5, next_due=DUE)
    waiting = await add(store, DISCORD_DM, next_due=DUE, platform=Platform.DISCORD, created_by=7)
    telegram = Recorder(Platform.TELEGRAM)
    await run_until_idle(store, PlatformSenders({Platform.TELEGRAM: telegram}))
    assert telegram.sent == [5]
    assert await store.reminders(DISCORD_DM) == [waiting]  # not claimed, not moved on
    discord = Recorder(Platform.DISCORD)
    await run_until_idle(store, PlatformSenders({Platform.DISCORD: discord}))
    assert discord.sent == [DISCORD_DM]  # delivered once Discord runs
    assert telegram.sent == [5]


async def test_a_broadcast_copy_for_a_platform_not_running_is_dropped(store: Store) -> None:
    await add(store, 5, next_due=DUE + timedelta(days=1))
    await add(
        store,
        DISCORD_DM,
        next_due=DUE + timedelta(days=1),
        platform=Platform.DISCORD,
        created_by=7,
    )
    draft = await store.draft_broadcast(1, "hello", DUE)
    assert await store.start_broadcast(draft, DUE) == 2
    telegram = Recorder(Platform.TELEGRAM)
    await run_until_idle(store, PlatformSenders({Platform.TELEGRAM: telegram}))
    assert telegram.sent == [5]
    assert await store.pending_broadcast_sends() == []  # the Discord copy ended, failed
