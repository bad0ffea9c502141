"""The SQLite store: migrations, pragmas, reminders, and claiming each due time exactly once."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.reminders import Claim, Reminder
from bot.core.schedule import Schedule
from bot.dispatch import GRACE
from bot.storage import (
    MIGRATIONS,
    ReminderLimitError,
    StorageError,
    Store,
    from_seconds,
    to_seconds,
)
from tests.storage.stores import OWNER, open_store

BERLIN = "Europe/Berlin"
EVERY_2H = Schedule(BERLIN, 120, time(8, 0), time(22, 0))
MORNINGS = Schedule(BERLIN, times=(time(7, 30), time(21, 0)))
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 08:00 CEST
TEN_CEST = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def every(minutes: int) -> Schedule:
    """An interval schedule in the default window: different minutes, a different reminder."""
    return Schedule(BERLIN, minutes, time(8, 0), time(22, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def key(claim: Claim) -> tuple[int, int, datetime]:
    """A claim's identity: its reminder is a snapshot and its next_due moves on."""
    return claim.delivery_id, claim.reminder.id, claim.due_at


async def finish(
    store: Store, claim: Claim, outcome: str, at: datetime, message_id: int | None = None
) -> None:
    """What the dispatcher does when a delivery ends: its reminder moves on from there."""
    await store.finish(claim, outcome, at, message_id, next_due=claim.following(at, GRACE))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[Store]:
    store = await open_store(path)
    yield store
    await store.close()


async def add(
    store: Store,
    chat_id: int = 1,
    *,
    schedule: Schedule = EVERY_2H,
    next_due: datetime = TEN_CEST,
    limit: int = 20,
    kind: Kind = Kind.WATER,
    created_by: int | None = None,
    platform: Platform = Platform.TELEGRAM,
) -> Reminder:
    return await store.add_reminder(
        chat_id=chat_id,
        chat_type="private",
        platform=platform,
        created_by=chat_id * 10 if created_by is None else created_by,
        kind=kind,
        schedule=schedule,
        next_due=next_due,
        now=NOW,
        limit=limit,
    )


async def count(store: Store, table: str) -> int:
    async with store.db.execute(f"SELECT COUNT(*) FROM {table}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def set_user_version(path: Path, version: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {version}")
    db.close()


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    db.close()
    return version


# Schema and connection


async def test_new_database_gets_every_migration(store: Store, path: Path) -> None:
    assert len(MIGRATIONS) == 6
    assert await store.schema_version() == 6
    async with store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ) as cursor:
        tables = [row[0] for row in await cursor.fetchall()]
    assert tables == [
        "broadcast_sends",
        "broadcasts",
        "chats",
        "deliveries",
        "dispatch_lease",
        "reminders",
    ]
    async with store.db.execute("PRAGMA table_info(reminders)") as cursor:
        columns = [row[1] for row in await cursor.fetchall()]
    assert "active" not in columns  # paused is next_due IS NULL, nothing else
    assert columns == [
        "id",
        "chat_id",
        "created_by",
        "kind",
        "timezone",
        "interval_minutes",
        "window_start",
        "window_end",
        "times",
        "next_due",
        "sent_count",
        "created_at",
        "platform",
    ]
    assert user_version(path) == 6  # created, with its data folder


def old_database(path: Path, version: int, *rows: tuple[str, tuple[object, ...]]) -> None:
    """A database as a bot of schema `version` left it, with these rows in it."""
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        for statement in migration:
            db.execute(statement)
    for statement, values in rows:
        db.execute(statement, values)
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


async def test_a_version_1_database_is_migrated_with_its_data(path: Path) -> None:
    old_database(
        path,
        1,
        ("INSERT INTO chats (chat_id, chat_type, created_at) VALUES (5, 'private', 0)", ()),
    )
    store = Store(path)
    await store.open()
    try:
        assert await store.schema_version() == 6
        assert await store.audience() == 1  # the old chat is there, and broadcasts work
        chat = await store.chat(5)
        assert chat is not None
        assert chat.platform is Platform.TELEGRAM  # chats from before platforms
        draft = await store.draft_broadcast(1, "hello", NOW)
        assert await store.start_broadcast(draft, NOW) == 1
    finally:
        await store.close()


async def test_a_claim_left_pending_by_a_version_4_bot_ends_without_moving_its_reminder(
    path: Path,
) -> None:
    # A version 4 bot moved a reminder on when it claimed it; the claim, adopted after the
    # upgrade, must not move it again when it ends.
    moved_on = to_seconds(utc(2026, 6, 1, 10, 0))
    old_database(
        path,
        4,
        ("INSERT INTO chats (chat_id, chat_type, created_at) VALUES (1, 'private', 0)", ()),
        (
            "INSERT INTO reminders (id, chat_id, created_by, kind, timezone, interval_minutes, "
            "window_start, window_end, next_due, created_at) "
            "VALUES (7, 1, 1, 'water', ?, 120, '08:00', '22:00', ?, 0)",
            (BERLIN, moved_on),
        ),
        (
            "INSERT INTO deliveries (reminder_id, due_at, claimed_at, claimed_by) "
            "VALUES (7, ?, ?, 'old')",
            (to_seconds(TEN_CEST), to_seconds(TEN_CEST)),
        ),
    )
    store = Store(path)
    await store.open()
    try:
        assert await store.take_lease(OWNER, None, TEN_CEST)
        [adopted], _ = await store.adopt_pending(OWNER)
        assert await store.claim_due(TEN_CEST, 10, OWNER) == []
        await finish(store, adopted, "sent", TEN_CEST)
        after = await store.reminder(7)
        assert after is not None
        assert (after.next_due, after.sent_count) == (from_seconds(moved_on), 1)
    finally:
        await store.close()


async def test_deliveries_kept_by_a_version_5_bot_survive_the_rebuild_of_their_table(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Version 6 rebuilds the deliveries table without its foreign key: what was sent stays
    # sent, what was on its way is adopted and moves its reminder on, and deleting a
    # reminder or forgetting a chat still takes its deliveries with it.
    due = to_seconds(TEN_CEST)
    reminder = (
        "INSERT INTO reminders (id, chat_id, created_by, kind, timezone, interval_minutes, "
        "window_start, window_end, next_due, created_at) "
        "VALUES (?, ?, 1, 'water', ?, 120, '08:00', '22:00', ?, 0)"
    )
    delivery = (
        "INSERT INTO deliveries (id, reminder_id, due_at, claimed_at, claimed_by, outcome, "
        "sent_at, message_id, next_due) VALUES (?, ?, ?, ?, 'old', ?, ?, ?, ?)"
    )
    old_database(
        path,
        5,
        ("INSERT INTO chats (chat_id, chat_type, created_at) VALUES (1, 'private', 0)", ()),
        ("INSERT INTO chats (chat_id, chat_type, created_at) VALUES (2, 'private', 0)", ()),
        (reminder, (7, 1, BERLIN, due)),
        (reminder, (8, 2, BERLIN, due)),
        (delivery, (3, 7, due - 7200, due - 7200, "sent", due - 7200, 42, due)),
        (delivery, (4, 7, due, due, "pending", None, None, None)),
        (delivery, (5, 8, due, due, "pending", None, None, None)),
    )
    store = Store(path)
    with caplog.at_level(logging.INFO, logger="bot.storage.sqlite.store"):
        await store.open()
    try:
        # Said before the rebuild starts: an operator sees why a big database starts slowly.
        assert caplog.messages[0] == "migrating the database schema from version 5 to 6"
        async with store.db.execute(
            "SELECT id, reminder_id, outcome, sent_at, message_id FROM deliveries ORDER BY id"
        ) as cursor:
            assert [tuple(row) for row in await cursor.fetchall()] == [
                (3, 7, "sent", due - 7200, 42),
                (4, 7, "pending", None, None),
                (5, 8, "pending", None, None),
            ]
        assert await store.take_lease(OWNER, None, TEN_CEST)
        adopted, _ = await store.adopt_pending(OWNER)
        assert [(c.delivery_id, c.reminder.id) for c in adopted] == [(4, 7), (5, 8)]
        await finish(store, adopted[0], "sent", TEN_CEST)
        after = await store.reminder(7)
        assert after is not None
        assert (after.next_due, after.sent_count) == (TEN_CEST + timedelta(hours=2), 1)

        assert await store.delete_reminder(7, 1)
        assert await store.forget_chat(2)
        assert await count(store, "deliveries") == 0
    finally:
        await store.close()


async def test_reopening_is_idempotent_and_keeps_data(store: Store, path: Path) -> None:
    reminder = await add(store)
    await store.close()
    await store.close()  # closing twice is fine
    assert not store.is_open
    again = Store(path)
    await again.open()
    try:
        assert await again.schema_version() == len(MIGRATIONS)
        assert await again.reminders(1) == [reminder]
    finally:
        await again.close()


async def test_a_newer_database_is_refused(path: Path) -> None:
    set_user_version(path, 99)
    store = Store(path)
    try:
        with pytest.raises(StorageError) as caught:
            await store.open()
        assert f"schema version 99, newer than this bot's {len(MIGRATIONS)}" in str(caught.value)
        assert str(path) in str(caught.value)
    finally:
        await store.close()
    assert user_version(path) == 99


async def test_a_refused_database_is_not_left_open(path: Path) -> None:
    set_user_version(path, 99)
    store = Store(path)
    try:
        with pytest.raises(StorageError):
            await store.open()
        assert not store.is_open
    finally:
        await store.close()


async def test_using_a_closed_store_is_a_storage_error(path: Path) -> None:
    store = Store(path)
    with pytest.raises(StorageError, match=r"not open"):
        await store.reminders(1)


@pytest.mark.parametrize(
    ("pragma", "value"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("synchronous", 1), ("busy_timeout", 5000)],
)
async def test_connection_pragmas(store: Store, pragma: str, value: object) -> None:
    async with store.db.execute(f"PRAGMA {pragma}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] == value


async def test_a_failed_transaction_is_rolled_back(store: Store) -> None:
    async def insert_then_fail() -> None:
        async with store.transaction() as db:
            await db.execute(
                "INSERT INTO chats (chat_id, chat_type, created_at) VALUES (5, 'private', 0)"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await insert_then_fail()
    assert await store.chat(5) is None
    assert (await add(store, 5)).chat_id == 5  # the write lock was released


# Reminders


async def test_add_reminder_stores_everything(store: Store) -> None:
    reminder = await add(store, 7, schedule=MORNINGS, next_due=utc(2026, 6, 1, 19, 0))
    assert reminder == Reminder(
        id=reminder.id,
        chat_id=7,
        created_by=70,
        kind=Kind.WATER,
        schedule=MORNINGS,
        next_due=utc(2026, 6, 1, 19, 0),
        sent_count=0,
    )
    assert reminder.active
    chat = await store.chat(7)
    assert chat is not None
    assert (chat.chat_type, chat.timezone, chat.created_at) == ("private", None, NOW)


async def test_times_are_stored_as_whole_seconds(store: Store) -> None:
    reminder = await add(store, next_due=TEN_CEST + timedelta(microseconds=999_999))
    assert reminder.next_due == TEN_CEST
    assert reminder.next_due.tzinfo is UTC


async def test_reminders_are_listed_oldest_first_per_chat(store: Store) -> None:
    first, _, third = (
        await add(store, 1),
        await add(store, 2),
        await add(store, 1, schedule=MORNINGS),
    )
    assert [r.id for r in await store.reminders(1)] == [first.id, third.id]
    assert await store.reminders(3) == []


async def test_the_per_chat_limit(store: Store) -> None:
    first = await add(store, 1, limit=2)
    await add(store, 1, schedule=MORNINGS, limit=2)
    with pytest.raises(ReminderLimitError):
        await add(store, 1, schedule=every(90), limit=2)
    assert len(await store.reminders(1)) == 2
    assert (await add(store, 2, limit=2)).chat_id == 2
    # One already there is not a new one, so the limit does not stand in its way.
    assert await add(store, 1, limit=2) == first
    assert len(await store.reminders(1)) == 2


async def test_the_same_reminder_twice_is_the_one_already_there(store: Store) -> None:
    first = await add(store, 1)
    again = await add(store, 1, next_due=TEN_CEST + timedelta(hours=2), created_by=99)
    assert again == first  # not a copy, and the first one is left as it was
    assert await store.reminders(1) == [first]
    assert await count(store, "reminders") == 1


async def test_a_reminder_differing_in_anything_is_a_new_one(store: Store) -> None:
    first = await add(store, 1)
    others = [
        await add(store, 2),
        await add(store, 1, kind=Kind.STRETCH),
        await add(store, 1, schedule=Schedule("Europe/Paris", 120, time(8, 0), time(22, 0))),
        await add(store, 1, schedule=every(90)),
        await add(store, 1, schedule=Schedule(BERLIN, 120, time(9, 0), time(22, 0))),
        await add(store, 1, schedule=Schedule(BERLIN, 120, time(8, 0), time(21, 0))),
        await add(store, 1, schedule=MORNINGS),
        await add(store, 1, schedule=Schedule(BERLIN, times=(time(7, 30),))),
    ]
    assert len({first.id, *(r.id for r in others)}) == 1 + len(others)
    assert await count(store, "reminders") == 1 + len(others)


async def test_a_paused_reminder_asked_for_again_is_returned_still_paused(store: Store) -> None:
    first = await add(store, 1)
    assert await store.set_next_due(first.id, 1, None, only_if_active=False)
    again = await add(store, 1)
    assert again.id == first.id
    assert (again.active, again.next_due) == (False, None)
    assert len(await store.reminders(1)) == 1


async def test_delete_reminder_only_in_its_own_chat(store: Store) -> None:
    reminder = await add(store, 1)
    assert not await store.delete_reminder(reminder.id, 2)
    assert await store.reminder(reminder.id) == reminder
    assert await store.delete_reminder(reminder.id, 1)
    assert await store.reminder(reminder.id) is None


async def test_set_next_due_none_pauses(store: Store) -> None:
    reminder = await add(store)
    assert await store.set_next_due(reminder.id, 1, None, only_if_active=False)
    paused = await store.reminder(reminder.id)
    assert paused is not None
    assert (paused.active, paused.next_due) == (False, None)
    assert await store.set_next_due(reminder.id, 1, TEN_CEST, only_if_active=False)
    resumed = await store.reminder(reminder.id)
    assert resumed is not None
    assert (resumed.active, resumed.next_due) == (True, TEN_CEST)


async def test_set_next_due_only_if_active_moves_an_active_reminder(store: Store) -> None:
    reminder = await add(store)
    later = TEN_CEST + timedelta(minutes=15)
    assert await store.set_next_due(reminder.id, 1, later, only_if_active=True)
    moved = await store.reminder(reminder.id)
    assert moved is not None
    assert (moved.active, moved.next_due) == (True, later)


async def test_set_next_due_only_if_active_leaves_a_paused_reminder_paused(store: Store) -> None:
    reminder = await add(store)
    assert await store.set_next_due(reminder.id, 1, None, only_if_active=False)
    assert not await store.set_next_due(reminder.id, 1, TEN_CEST, only_if_active=True)
    still = await store.reminder(reminder.id)
    assert still is not None
    assert (still.active, still.next_due) == (False, None)


@pytest.mark.parametrize("only_if_active", [True, False])
async def test_set_next_due_only_in_its_own_chat(store: Store, only_if_active: bool) -> None:
    reminder = await add(store, 1)
    later = TEN_CEST + timedelta(hours=1)
    assert not await store.set_next_due(reminder.id, 2, later, only_if_active=only_if_active)
    assert not await store.set_next_due(reminder.id, 2, None, only_if_active=only_if_active)
    assert await store.reminder(reminder.id) == reminder
    assert not await store.set_next_due(999, 1, later, only_if_active=only_if_active)
    assert await store.reminders(1) == [reminder]


async def test_set_timezone_moves_reminders_keeping_local_times(store: Store) -> None:
    active = await add(store, 1, schedule=MORNINGS, next_due=utc(2026, 6, 1, 19, 0))
    paused = await add(store, 1)
    assert await store.set_next_due(paused.id, 1, None, only_if_active=False)
    other = await add(store, 2)
    now = utc(2026, 6, 1, 12, 0)
    moved = await store.set_timezone(
        1, "private", "America/New_York", now, lambda s: s.next_due(now)
    )
    assert moved == 2
    chat = await store.chat(1)
    assert chat is not None
    assert chat.timezone == "America/New_York"
    new_active = await store.reminder(active.id)
    assert new_active is not None
    assert new_active.schedule.timezone == "America/New_York"
    assert new_active.schedule.times == (time(7, 30), time(21, 0))
    assert new_active.next_due == utc(2026, 6, 2, 1, 0)  # 21:00 EDT
    new_paused = await store.reminder(paused.id)
    assert new_paused is not None
    assert (new_paused.active, new_paused.next_due) == (False, None)
    assert new_paused.schedule.timezone == "America/New_York"
    assert await store.reminder(other.id) == other


async def test_deactivate_chat_pauses_only_that_chat(store: Store) -> None:
    mine = [await add(store, 1), await add(store, 1, schedule=MORNINGS)]
    assert await store.set_next_due(mine[1].id, 1, None, only_if_active=False)
    theirs = await add(store, 2)
    assert await store.deactivate_chat(1) == 1
    assert [(r.active, r.next_due) for r in await store.reminders(1)] == [
        (False, None),
        (False, None),
    ]
    assert await store.reminder(theirs.id) == theirs
    assert await store.deactivate_chat(1) == 0


async def test_delete_reminders_of_one_chat(store: Store) -> None:
    await add(store, 1)
    await add(store, 1, schedule=MORNINGS)
    theirs = await add(store, 2)
    assert await store.delete_reminders(1) == 2
    assert await store.reminders(1) == []
    assert await store.reminders(2) == [theirs]


# Claiming and delivering


async def test_add_claim_finish_cycle(store: Store) -> None:
    reminder = await add(store)
    now = TEN_CEST + timedelta(seconds=5)
    [claim] = await store.claim_due(now, 10, OWNER)
    assert claim.due_at == TEN_CEST
    assert claim.reminder == reminder
    assert await store.reminder(reminder.id) == reminder  # it keeps the due time claimed
    assert [key(c) for c in await store.pending_claims()] == [key(claim)]

    await finish(store, claim, "sent", now, message_id=42)
    assert await store.pending_claims() == []
    finished = await store.reminder(reminder.id)
    assert finished is not None
    assert finished.sent_count == 1
    assert finished.next_due == utc(2026, 6, 1, 10, 0)  # 12:00 CEST
    total, [delivery] = await store.deliveries(1, 5)
    assert total == 1
    assert (delivery.id, delivery.reminder_id, delivery.due_at) == (
        claim.delivery_id,
        reminder.id,
        TEN_CEST,
    )
    assert (delivery.sent_at, delivery.outcome) == (utc(2026, 6, 1, 8, 0, 5), "sent")


async def test_a_failed_delivery_is_not_counted_as_sent(store: Store) -> None:
    reminder = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    await finish(store, claim, "failed", TEN_CEST)
    after = await store.reminder(reminder.id)
    assert after is not None
    assert after.sent_count == 0
    assert after.next_due == utc(2026, 6, 1, 10, 0)  # it moves on all the same
    _, [delivery] = await store.deliveries(1, 5)
    assert (delivery.sent_at, delivery.outcome) == (None, "failed")
    assert await store.pending_claims() == []


async def test_nothing_is_claimed_before_it_is_due(store: Store) -> None:
    await add(store)
    paused = await add(store, schedule=every(90), next_due=TEN_CEST - timedelta(hours=1))
    assert await store.set_next_due(paused.id, 1, None, only_if_active=False)
    assert await store.claim_due(TEN_CEST - timedelta(seconds=1), 10, OWNER) == []
    assert await count(store, "deliveries") == 0


async def test_a_claim_that_fails_half_way_leaves_nothing_pending(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminder = await add(store)
    statements = store.db.execute_fetchall

    async def reading_fails(sql: str, parameters: object = ()) -> object:
        if sql.startswith("SELECT"):  # the read of what was claimed
            raise sqlite3.OperationalError("disk I/O error")
        return await statements(sql, parameters)  # type: ignore[arg-type]

    monkeypatch.setattr(store.db, "execute_fetchall", reading_fails)
    with pytest.raises(StorageError):
        await store.claim_due(TEN_CEST, 10, OWNER)
    monkeypatch.undo()
    assert await store.pending_claims() == []
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)  # claimed afresh, once
    assert claim.reminder.id == reminder.id


async def test_claiming_twice_at_the_same_now_claims_nothing_more(store: Store) -> None:
    await add(store)
    assert len(await store.claim_due(TEN_CEST, 10, OWNER)) == 1
    assert await store.claim_due(TEN_CEST, 10, OWNER) == []
    assert await count(store, "deliveries") == 1


async def test_a_due_time_on_its_way_is_not_claimed_again(store: Store) -> None:
    reminder = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    # Hours later, still not finished (a long backlog, a stop): still not claimed again.
    assert await store.claim_due(TEN_CEST + timedelta(hours=5), 10, OWNER) == []
    assert [key(c) for c in await store.pending_claims()] == [key(claim)]
    # Finished, it moves on, and the next due time is claimed in its turn.
    await finish(store, claim, "sent", TEN_CEST)
    [following] = await store.claim_due(utc(2026, 6, 1, 10, 0), 10, OWNER)
    assert (following.reminder.id, following.due_at) == (reminder.id, utc(2026, 6, 1, 10, 0))


async def test_a_due_time_already_delivered_is_not_sent_again(store: Store) -> None:
    reminder = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    await finish(store, claim, "sent", TEN_CEST)
    # The clock stepped back, and an edit made then put the same due time back.
    assert await store.set_next_due(reminder.id, 1, TEN_CEST, only_if_active=True)
    now = TEN_CEST + timedelta(minutes=1)
    assert await store.claim_due(now, 10, OWNER) == []
    assert await count(store, "deliveries") == 1
    moved = await store.reminder(reminder.id)
    assert moved is not None
    assert moved.next_due == EVERY_2H.next_due(now)


async def test_a_due_time_already_delivered_does_not_hold_up_the_others_due(
    store: Store,
) -> None:
    delivered = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    await finish(store, claim, "sent", TEN_CEST)
    assert await store.set_next_due(delivered.id, 1, TEN_CEST, only_if_active=True)
    others = [await add(store, chat, next_due=TEN_CEST) for chat in (2, 3)]
    now = TEN_CEST + timedelta(minutes=1)
    claims = await store.claim_due(now, 2, OWNER)
    # The delivered one is picked first (lowest id), moved on, and not sent.
    assert [c.reminder.id for c in claims] == [others[0].id]
    assert claims.more
    rest = await store.claim_due(now, 2, OWNER)
    assert ([c.reminder.id for c in rest], rest.more) == ([others[1].id], False)
    moved = await store.reminder(delivered.id)
    assert moved is not None
    assert moved.next_due == EVERY_2H.next_due(now)
    assert await count(store, "deliveries") == 3


async def test_an_old_claim_does_not_touch_a_new_one_given_its_id(store: Store) -> None:
    first = await add(store)
    await add(store, 2, next_due=TEN_CEST + timedelta(days=1))  # not due: the ids differ
    [old] = await store.claim_due(TEN_CEST, 10, OWNER)
    assert await store.delete_reminder(first.id, 1)  # while its send is on the wire
    second = await add(store, schedule=MORNINGS)
    [new] = await store.claim_due(TEN_CEST, 10, OWNER)
    assert new.delivery_id == old.delivery_id  # SQLite gave the freed id again
    assert await store.still_pending([old, new], OWNER) == {new}
    await finish(store, old, "sent", TEN_CEST)
    assert [key(c) for c in await store.pending_claims()] == [key(new)]
    after = await store.reminder(second.id)
    assert after is not None
    assert (after.next_due, after.sent_count) == (TEN_CEST, 0)


async def test_a_finished_delivery_moves_its_reminder_to_the_time_given(store: Store) -> None:
    reminder = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    later = utc(2026, 6, 3, 0, 0)
    await store.finish(claim, "sent", TEN_CEST, next_due=later)
    moved = await store.reminder(reminder.id)
    assert moved is not None
    assert moved.next_due == later


@pytest.mark.parametrize("change", ["edited", "paused", "skipped"])
async def test_a_reminder_changed_while_on_its_way_keeps_the_change(
    store: Store, change: str
) -> None:
    reminder = await add(store)
    [claim] = await store.claim_due(TEN_CEST, 10, OWNER)
    skipped_to = utc(2026, 6, 2, 6, 0)
    if change == "edited":
        await store.update_schedule(reminder.id, Kind.WATER, MORNINGS, skipped_to)
    elif change == "paused":
        assert await store.set_next_due(reminder.id, 1, None, only_if_active=True)
    else:
        assert await store.set_next_due(reminder.id, 1, skipped_to, only_if_active=True)
    await finish(store, claim, "sent", TEN_CEST)
    after = await store.reminder(reminder.id)
    assert after is not None
    assert after.next_due == (None if change == "paused" else skipped_to)
    assert after.sent_count == 1


async def test_claims_come_earliest_first_up_to_the_limit(store: Store) -> None:
    late = await add(store, next_due=TEN_CEST)
    early = await add(store, schedule=every(90), next_due=TEN_CEST - timedelta(hours=1))
    middle = await add(store, schedule=MORNINGS, next_due=TEN_CEST - timedelta(minutes=30))
    claims = await store.claim_due(TEN_CEST, 2, OWNER)
    assert [(c.reminder.id, c.due_at) for c in claims] == [
        (early.id, TEN_CEST - timedelta(hours=1)),
        (middle.id, TEN_CEST - timedelta(minutes=30)),
    ]
    assert claims.more
    last = await store.claim_due(TEN_CEST, 2, OWNER)
    assert [(c.reminder.id, c.due_at) for c in last] == [(late.id, TEN_CEST)]
    assert not last.more


async def test_a_full_batch_says_when_nothing_more_is_due(store: Store) -> None:
    await add(store)
    await add(store, schedule=MORNINGS)
    claims = await store.claim_due(TEN_CEST, 2, OWNER)
    assert (len(claims), claims.more) == (2, False)


async def test_pending_claims_survive_a_restart(store: Store, path: Path) -> None:
    await add(store, 1)
    await add(store, 2, next_due=TEN_CEST - timedelta(minutes=1))
    claims = await store.claim_due(TEN_CEST, 10, OWNER)
    await finish(store, claims[0], "sent", TEN_CEST)
    await store.close()
    reopened = Store(path)
    await reopened.open()
    try:
        [pending] = await reopened.pending_claims()
        assert key(pending) == key(claims[1])
        assert (pending.reminder.chat_id, pending.due_at) == (1, TEN_CEST)
        assert pending.reminder.next_due == TEN_CEST  # not moved on until it is sent
    finally:
        await reopened.close()


async def test_deliveries_lists_the_latest_first(store: Store) -> None:
    reminder = await add(store)
    for hours in (0, 2, 4):
        [claim] = await store.claim_due(TEN_CEST + timedelta(hours=hours), 10, OWNER)
        await finish(store, claim, "sent", claim.due_at)
    total, latest = await store.deliveries(1, 2)
    assert total == 3
    assert [(d.reminder_id, d.due_at) for d in latest] == [
        (reminder.id, utc(2026, 6, 1, 12, 0)),
        (reminder.id, utc(2026, 6, 1, 10, 0)),
    ]
    assert await store.deliveries(2, 5) == (0, [])


# Forgetting


async def test_forget_chat_cascades_to_reminders_and_deliveries(store: Store) -> None:
    await add(store, 1)
    await add(store, 1, schedule=MORNINGS, next_due=TEN_CEST)
    theirs = await add(store, 2)
    await store.claim_due(TEN_CEST, 10, OWNER)
    assert await count(store, "deliveries") == 3

    assert await store.forget_chat(1)
    assert await store.chat(1) is None
    assert await store.reminders(1) == []
    assert await count(store, "reminders") == 1
    assert await count(store, "deliveries") == 1
    [pending] = await store.pending_claims()
    assert pending.reminder.id == theirs.id
    assert not await store.forget_chat(1)


async def test_deleting_a_reminder_deletes_its_deliveries(store: Store) -> None:
    reminder = await add(store)
    await store.claim_due(TEN_CEST, 10, OWNER)
    assert await store.delete_reminder(reminder.id, 1)
    assert await count(store, "deliveries") == 0
