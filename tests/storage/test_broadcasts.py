"""Broadcast drafts, their copies per chat, and the operator's counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.schedule import Schedule
from bot.dispatch import Dispatcher, Outbound, Outcome, SendResult
from bot.storage import Store
from tests.storage.stores import OWNER, open_store
from tests.telegram.harness import FakeClock

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
EVERY_HOUR = Schedule("UTC", 60, time(0), time(23, 0))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await open_store(tmp_path / "bot.sqlite3")
    yield store
    await store.close()


async def add_chat(store: Store, chat_id: int, kind: Kind = Kind.WATER) -> int:
    reminder = await store.add_reminder(
        chat_id=chat_id,
        chat_type="private" if chat_id > 0 else "group",
        created_by=abs(chat_id),
        kind=kind,
        schedule=EVERY_HOUR,
        next_due=NOW + timedelta(hours=1),
        now=NOW,
        limit=20,
    )
    return reminder.id


async def test_a_started_broadcast_queues_one_copy_per_chat_once(store: Store) -> None:
    for chat in (1, 2, -3):
        await add_chat(store, chat)
    assert await store.audience() == 3
    draft = await store.draft_broadcast(99, "<b>News</b>", NOW)
    assert await store.claim_broadcast_sends(NOW, 10, OWNER) == []  # a draft sends nothing
    assert await store.start_broadcast(draft, NOW) == 3
    assert await store.start_broadcast(draft, NOW) is None  # a second tap queues nothing
    assert not await store.cancel_broadcast(draft)  # too late to cancel
    first = await store.claim_broadcast_sends(NOW, 2, OWNER)
    rest = await store.claim_broadcast_sends(NOW, 2, OWNER)
    assert sorted(s.chat_id for s in first + rest) == [-3, 1, 2]
    assert {s.text for s in first + rest} == {"<b>News</b>"}
    assert await store.claim_broadcast_sends(NOW, 2, OWNER) == []


async def test_a_cancelled_draft_never_goes_out(store: Store) -> None:
    await add_chat(store, 1)
    draft = await store.draft_broadcast(99, "hello", NOW)
    assert await store.cancel_broadcast(draft)
    assert await store.start_broadcast(draft, NOW) is None
    assert await store.claim_broadcast_sends(NOW, 10, OWNER) == []


async def test_claimed_copies_stay_pending_until_finished(store: Store) -> None:
    for chat in (1, 2):
        await add_chat(store, chat)
    draft = await store.draft_broadcast(99, "hello", NOW)
    await store.start_broadcast(draft, NOW)
    first, second = await store.claim_broadcast_sends(NOW, 10, OWNER)
    await store.finish_broadcast_send(first.id, "sent", NOW)
    # After a stop or crash, only the unfinished copy is picked up again.
    assert await store.pending_broadcast_sends() == [second]


async def test_forgetting_a_chat_drops_its_queued_copy(store: Store) -> None:
    for chat in (1, 2):
        await add_chat(store, chat)
    draft = await store.draft_broadcast(99, "hello", NOW)
    await store.start_broadcast(draft, NOW)
    await store.forget_chat(1)
    assert [s.chat_id for s in await store.claim_broadcast_sends(NOW, 10, OWNER)] == [2]


async def test_a_queued_copy_follows_a_group_that_became_a_supergroup(store: Store) -> None:
    await add_chat(store, -5)
    draft = await store.draft_broadcast(99, "hello", NOW)
    await store.start_broadcast(draft, NOW)
    await store.move_chat(-5, -1005)
    assert [s.chat_id for s in await store.claim_broadcast_sends(NOW, 10, OWNER)] == [-1005]


async def test_stats_count_chats_reminders_and_recent_deliveries(store: Store) -> None:
    water = await add_chat(store, 1)
    await add_chat(store, 2, Kind.STRETCH)
    await add_chat(store, -3)
    await store.set_next_due(water, 1, None, only_if_active=False)  # paused
    due = NOW + timedelta(hours=1)
    claims = await store.claim_due(due, 10, OWNER)
    assert len(claims) == 2
    on_their_way = await store.stats(due, timedelta(hours=24))
    assert (on_their_way.due_unclaimed, on_their_way.deliveries) == (0, {"pending": 2})
    later = due + timedelta(hours=1)
    await store.finish(claims[0], "sent", due, 7, next_due=later)
    await store.finish(claims[1], "unreachable", due, next_due=later)
    draft = await store.draft_broadcast(99, "hello", NOW)
    await store.start_broadcast(draft, NOW)

    stats = await store.stats(due, timedelta(hours=24))

    assert stats.chats == {"private": 2, "group": 1}
    assert stats.active == {"water": 1, "stretch": 1}
    assert stats.paused == 1
    assert stats.deliveries == {"sent": 1, "unreachable": 1}
    assert stats.broadcasts == {"queued": 3}
    assert stats.due_unclaimed == 0
    later = await store.stats(due + timedelta(days=2), timedelta(hours=24))
    assert later.deliveries == {}  # outside the window
    assert later.due_unclaimed == 2


class Recorder:
    """A sender that records where copies went; one group has become a supergroup, and
    sending to one chat makes another chat /forget meanwhile."""

    platforms = frozenset({Platform.TELEGRAM})

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sent: list[int] = []

    async def send(self, item: Outbound) -> SendResult:
        if item.chat_id == -3:
            return SendResult(Outcome.MOVED, new_chat_id=-1000000003)
        if item.chat_id == 1:
            await self.store.forget_chat(2)  # chat 2 says /forget while copies go out
        self.sent.append(item.chat_id)
        return SendResult(Outcome.SENT, message_id=1)


async def test_copies_withdrawn_meanwhile_are_not_sent_and_none_goes_twice(
    store: Store,
) -> None:
    # The supergroup already has its own record (someone set a reminder there first), so
    # the broadcast queued a copy for both the old group id and the new supergroup id.
    for chat in (-1000000003, -3, 1, 2):
        await add_chat(store, chat)
    draft = await store.draft_broadcast(99, "hello", NOW)
    assert await store.start_broadcast(draft, NOW) == 4
    sender = Recorder(store)
    dispatcher = Dispatcher(store, sender, FakeClock(NOW), owner=OWNER, senders=1)  # id order
    await dispatcher.start()
    try:
        await dispatcher.idle()
    finally:
        await dispatcher.stop()
    assert sorted(sender.sent) == [-1000000003, 1]
    assert await store.pending_broadcast_sends() == []
