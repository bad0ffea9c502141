"""The dispatcher's own loop: a wall clock that steps, a standby that takes over, a busy
chat that holds up no one else, and health that notices a loop that stopped ticking."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.platforms import Platform
from bot.dispatch import GRACE, Dispatcher, Outbound, Outcome, SendResult
from bot.storage import StorageError, Store
from tests.storage.test_store import EVERY_2H, add, finish
from tests.telegram.harness import FakeClock

DUE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
BEAT = 0.01


class Recorder:
    """Sends instantly and remembers what went where; a chat in `busy` is told to wait."""

    platforms = frozenset({Platform.TELEGRAM})

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.busy: set[int] = set()
        self.gate: asyncio.Event | None = None

    async def send(self, item: Outbound) -> SendResult:
        if item.chat_id in self.busy:
            return SendResult(Outcome.RETRY, retry_after=3600)
        if self.gate is not None:
            await self.gate.wait()
        self.sent.append(item.reminder.id if hasattr(item, "reminder") else -item.id)
        return SendResult(Outcome.SENT, message_id=len(self.sent))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()


def dispatcher(store: Store, sender: Recorder, clock: FakeClock, **options: object) -> Dispatcher:
    return Dispatcher(store, sender, clock, heartbeat_seconds=BEAT, **options)  # type: ignore[arg-type]


async def test_a_wall_clock_step_back_neither_stalls_nor_repeats(store: Store) -> None:
    reminder = await add(store, 1, next_due=DUE, schedule=EVERY_2H)
    clock, sender = FakeClock(DUE - timedelta(seconds=1)), Recorder()
    running = dispatcher(store, sender, clock)
    await running.start()
    try:
        await running.idle()
        clock.set(DUE - timedelta(seconds=170))  # NTP steps the clock back 169 s…
        await running.idle()
        await running.idle()
        assert sender.sent == []
        clock.set(DUE + timedelta(seconds=1))  # …and puts it right: the loop ticks on
        await running.idle()
        assert sender.sent == [reminder.id]
        clock.set(DUE - timedelta(minutes=10))  # stepped back past a sent one
        await running.idle()
        clock.set(DUE + timedelta(seconds=5))
        await running.idle()
        assert sender.sent == [reminder.id]  # not again
    finally:
        await running.stop()


async def test_a_wall_clock_step_forward_sends_what_fell_due_once(store: Store) -> None:
    ids = [(await add(store, chat, next_due=DUE + timedelta(minutes=chat))).id for chat in (1, 5)]
    clock, sender = FakeClock(DUE - timedelta(seconds=1)), Recorder()
    running = dispatcher(store, sender, clock)
    await running.start()
    try:
        await running.idle()
        clock.set(DUE + timedelta(minutes=9))
        await running.idle()
        assert sorted(sender.sent) == sorted(ids)
        clock.set(DUE + timedelta(minutes=9, seconds=1))
        await running.idle()
        assert sorted(sender.sent) == sorted(ids)
    finally:
        await running.stop()


async def test_a_standby_takes_over_a_graceful_stop_at_once_without_repeats(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    first_store, second_store = Store(path), Store(path)
    await first_store.open()
    await second_store.open()
    ids = [(await add(first_store, chat, next_due=DUE)).id for chat in range(1, 21)]
    clock = FakeClock(DUE)
    first_sender, second_sender = Recorder(), Recorder()
    first = dispatcher(first_store, first_sender, clock, owner="first", senders=1)
    second = dispatcher(second_store, second_sender, clock, owner="second")
    try:
        first_sender.gate = asyncio.Event()  # the first instance is slow to send
        await first.start()
        async with asyncio.timeout(5):
            while not first.active:  # noqa: ASYNC110 - the lease has no event to wait on
                await asyncio.sleep(BEAT)
        await second.start()
        await asyncio.sleep(BEAT * 5)  # several of the standby's ticks
        assert not second.active
        assert second_sender.sent == []
        first_sender.gate.set()
        async with asyncio.timeout(5):
            while len(first_sender.sent) < 5:  # noqa: ASYNC110
                await asyncio.sleep(BEAT)
        await first.stop()  # SIGTERM mid-burst: hands the lease and its claims over
        await second.idle()
        await second.idle()
        assert second.active
        delivered = Counter(first_sender.sent + second_sender.sent)
        assert sorted(delivered) == sorted(ids)
        assert set(delivered.values()) == {1}
    finally:
        await second.stop()
        await first_store.close()
        await second_store.close()


async def test_a_chat_told_to_wait_holds_up_no_other_chat(store: Store) -> None:
    busy = await add(store, -100, next_due=DUE)
    others = [(await add(store, chat, next_due=DUE)).id for chat in range(1, 11)]
    sender = Recorder()
    sender.busy.add(-100)
    running = dispatcher(store, sender, FakeClock(DUE), senders=1)
    await running.start()
    try:
        # The last send is held until its outcome is recorded: wait for that too.
        async with asyncio.timeout(5):
            while len(sender.sent) < len(others) or running.backlog > 1:  # noqa: ASYNC110
                await asyncio.sleep(BEAT)
        assert sorted(sender.sent) == sorted(others)
        assert busy.id not in sender.sent
        assert running.backlog == 1  # waiting in its chat's backlog, not in a sender
    finally:
        await running.stop()


async def test_health_notices_a_loop_that_stopped_ticking(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.dispatch.dispatcher.STALLED_SECONDS", 0.5)
    stuck = asyncio.Event()

    async def claim_due(*args: object) -> list[object]:
        await stuck.wait()  # a database call that does not return
        return []

    running = dispatcher(store, Recorder(), FakeClock(DUE))
    await running.start()
    try:
        await running.idle()
        assert running.alive
        monkeypatch.setattr(store, "claim_due", claim_due)
        async with asyncio.timeout(5):
            while running.alive:  # noqa: ASYNC110
                await asyncio.sleep(BEAT)
        stuck.set()
        await running.idle()  # the stuck tick ends…
        await running.idle()  # …and the next one starts afresh
        assert running.alive
    finally:
        await running.stop()


async def test_a_wall_clock_step_does_not_move_the_lease(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    stores = [Store(path), Store(path)]
    for store in stores:
        await store.open()
    clock = FakeClock(DUE)
    holder = dispatcher(stores[0], Recorder(), clock, owner="holder")
    standby = dispatcher(stores[1], Recorder(), clock, owner="standby")
    try:
        await holder.start()
        await holder.idle()
        await standby.start()
        await standby.idle()
        clock.advance(timedelta(hours=1))  # NTP steps both instances' clock forward
        for _ in range(5):
            await standby.idle()
        assert holder.active
        assert not standby.active
    finally:
        await holder.stop()
        await standby.stop()
        for store in stores:
            await store.close()


async def test_outcomes_that_come_in_together_are_written_in_one_statement(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await store.take_lease("me", None, DUE)
    for chat in range(1, 21):
        await add(store, chat, next_due=DUE)
    claims = await store.claim_due(DUE, 50, "me")
    statements: list[str] = []
    execute = store.db.execute

    def counted(sql: str, *args: object) -> object:
        statements.append(sql)
        return execute(sql, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(store.db, "execute", counted)
    await asyncio.gather(
        *(finish(store, c, "sent", DUE, i) for i, c in enumerate(claims[:-1])),
        finish(store, claims[-1], "failed", DUE),
    )
    updates = [sql for sql in statements if sql.startswith("UPDATE deliveries")]
    assert len(updates) == 1  # all came in before the first was written
    assert await store.pending_claims() == []
    for claim in claims[:-1]:
        _, [delivery] = await store.deliveries(claim.chat_id, 5)
        assert (delivery.outcome, delivery.sent_at) == ("sent", DUE)
        reminder = await store.reminder(claim.reminder.id)
        assert reminder is not None
        assert reminder.sent_count == 1  # the trigger ran for each
        assert reminder.next_due == claim.following(DUE, GRACE)
    _, [failed] = await store.deliveries(claims[-1].chat_id, 5)
    assert (failed.outcome, failed.sent_at) == ("failed", None)


async def test_a_failed_write_of_outcomes_reaches_every_caller(store: Store) -> None:
    assert await store.take_lease("me", None, DUE)
    for chat in range(1, 4):
        await add(store, chat, next_due=DUE)
    claims = await store.claim_due(DUE, 50, "me")
    async with store.transaction() as db:
        await db.execute("DROP TRIGGER deliveries_finished")
        await db.execute(
            "CREATE TRIGGER broken AFTER UPDATE OF outcome ON deliveries "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    results = await asyncio.gather(
        *(finish(store, c, "sent", DUE, 1) for c in claims), return_exceptions=True
    )
    assert all(isinstance(r, StorageError) for r in results), results
    assert len(await store.pending_claims()) == len(claims)  # nothing half-recorded
