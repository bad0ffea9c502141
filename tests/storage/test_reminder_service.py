"""ReminderService rules over a real store, with a clock set by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.core.reminder_input import Kind, parse_reminder
from bot.core.reminders import Reminder
from bot.reminder_service import (
    MAX_REMINDERS_PER_CHAT,
    ReminderError,
    ReminderService,
    TimezoneNeededError,
)
from tests.storage.stores import OWNER, open_store

BERLIN = "Europe/Berlin"
CHAT, OTHER_CHAT, USER = 100, 200, 7


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class FakeClock:
    """A clock that says what the test tells it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2026, 6, 1, 7, 15))  # Monday 09:15 CEST


@pytest.fixture
async def service(tmp_path: Path, clock: FakeClock) -> AsyncIterator[ReminderService]:
    store = await open_store(tmp_path / "bot.sqlite3")
    service = ReminderService(store, clock)
    await service.set_timezone(CHAT, "private", BERLIN)
    await service.set_timezone(OTHER_CHAT, "group", BERLIN)
    yield service
    await store.close()


async def create(
    service: ReminderService,
    text: str,
    chat_id: int = CHAT,
    *,
    zone: str | None = None,
    edit: int | None = None,
) -> Reminder:
    return await service.save(chat_id, "private", USER, parse_reminder(text), zone=zone, edit=edit)


# Creating


async def test_create_needs_a_time_zone(service: ReminderService) -> None:
    with pytest.raises(TimezoneNeededError, match=r"^First tell me your time zone\.$"):
        await create(service, "water every 2h", chat_id=300)
    assert await service.reminders(300) == []
    assert await service.timezone(300) is None


async def test_save_with_a_zone_sets_a_new_chats_zone_first(service: ReminderService) -> None:
    reminder = await create(service, "stretch at 20:00", chat_id=300, zone="Asia/Kolkata")
    assert await service.timezone(300) == "Asia/Kolkata"
    assert reminder.schedule.timezone == "Asia/Kolkata"
    assert reminder.next_due == utc(2026, 6, 1, 14, 30)  # 20:00 IST
    assert await service.reminders(300) == [reminder]


async def test_save_with_a_zone_keeps_the_zone_already_set(service: ReminderService) -> None:
    reminder = await create(service, "stretch at 20:00", zone="Asia/Kolkata")
    assert await service.timezone(CHAT) == BERLIN
    assert reminder.schedule.timezone == BERLIN
    assert reminder.next_due == utc(2026, 6, 1, 18, 0)  # 20:00 CEST


async def test_saving_the_same_spec_twice_is_one_reminder(
    service: ReminderService, clock: FakeClock
) -> None:
    first = await create(service, "water every 2h 08:00-22:00")
    clock.current = utc(2026, 6, 1, 9, 15)
    again = await create(service, "water every 2h")  # the same, in other words
    assert again.id == first.id
    assert again == first
    assert await service.reminders(CHAT) == [first]
    other = await create(service, "stretch every 2h")
    assert other.id != first.id
    assert len(await service.reminders(CHAT)) == 2


async def test_create_interval_is_due_at_the_next_grid_time(service: ReminderService) -> None:
    reminder = await create(service, "water every 2h 08:00-22:00")
    assert (reminder.chat_id, reminder.created_by, reminder.kind) == (CHAT, USER, Kind.WATER)
    assert reminder.schedule.timezone == BERLIN
    assert reminder.active
    assert reminder.next_due == utc(2026, 6, 1, 8, 0)  # 10:00 CEST
    assert await service.reminders(CHAT) == [reminder]


async def test_create_fixed_times_rolls_to_tomorrow(
    service: ReminderService, clock: FakeClock
) -> None:
    clock.current = utc(2026, 6, 1, 20, 0)  # 22:00 CEST
    reminder = await create(service, "stretch at 21:00 07:30")
    assert reminder.kind == Kind.STRETCH
    assert reminder.next_due == utc(2026, 6, 2, 5, 30)  # 07:30 CEST


async def test_at_most_twenty_reminders_per_chat(service: ReminderService) -> None:
    assert MAX_REMINDERS_PER_CHAT == 20
    made = [await create(service, f"water every {30 + n}m") for n in range(20)]
    assert len({r.id for r in made}) == 20
    with pytest.raises(ReminderError, match=r"already has 20 reminders"):
        await create(service, "water every 2h")
    assert len(await service.reminders(CHAT)) == 20
    # Asking again for one already there is no new reminder, so the limit allows it.
    assert await create(service, "water every 30m") == made[0]
    assert len(await service.reminders(CHAT)) == 20
    assert (await create(service, "water every 2h", chat_id=OTHER_CHAT)).chat_id == OTHER_CHAT


# Ownership


async def test_own_finds_this_chats_reminder(service: ReminderService) -> None:
    reminder = await create(service, "water every 2h")
    assert await service.own(CHAT, reminder.id) == reminder


OPERATIONS: dict[str, Callable[[ReminderService, int], Awaitable[object]]] = {
    "own": lambda s, rid: s.own(CHAT, rid),
    "pause": lambda s, rid: s.pause(CHAT, rid),
    "resume": lambda s, rid: s.resume(CHAT, rid),
    "snooze": lambda s, rid: s.snooze(CHAT, rid),
    "skip_today": lambda s, rid: s.skip_today(CHAT, rid),
    "delete": lambda s, rid: s.delete(CHAT, rid),
    "edit": lambda s, rid: s.save(
        CHAT, "private", USER, parse_reminder("stretch at 12:00"), edit=rid
    ),
}


@pytest.mark.parametrize("paused", [False, True], ids=["active", "paused"])
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_another_chats_reminder_is_not_found(
    service: ReminderService, operation: str, paused: bool
) -> None:
    mine = await create(service, "water every 2h")
    theirs = await create(service, "water every 2h", chat_id=OTHER_CHAT)
    if paused:
        await service.pause(OTHER_CHAT, theirs.id)
        theirs = await service.own(OTHER_CHAT, theirs.id)
        assert not theirs.active
    with pytest.raises(ReminderError) as caught:
        await OPERATIONS[operation](service, theirs.id)
    assert str(caught.value) == f"There is no reminder #{theirs.id} in this chat. See /reminders."
    assert await service.reminders(OTHER_CHAT) == [theirs]
    assert await service.reminders(CHAT) == [mine]


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_missing_reminder_is_not_found(service: ReminderService, operation: str) -> None:
    with pytest.raises(ReminderError, match=r"^There is no reminder #999 in this chat"):
        await OPERATIONS[operation](service, 999)
    assert await service.reminders(CHAT) == []


# Snooze, skip, pause, resume


async def test_snooze_is_fifteen_minutes_from_now(
    service: ReminderService, clock: FakeClock
) -> None:
    reminder = await create(service, "water every 2h")
    clock.current = utc(2026, 6, 1, 8, 0, 3, 250_000)
    snoozed, due = await service.snooze(CHAT, reminder.id)
    assert (snoozed.id, snoozed.kind, snoozed.schedule) == (
        reminder.id,
        reminder.kind,
        reminder.schedule,
    )
    assert due == utc(2026, 6, 1, 8, 15, 3)
    assert (await service.own(CHAT, reminder.id)).next_due == due


async def test_skip_today_moves_to_tomorrows_first(service: ReminderService) -> None:
    reminder = await create(service, "stretch at 08:00 21:00")
    assert reminder.next_due == utc(2026, 6, 1, 19, 0)  # today 21:00 CEST
    skipped, due = await service.skip_today(CHAT, reminder.id)
    assert (skipped.id, skipped.kind, skipped.schedule) == (
        reminder.id,
        reminder.kind,
        reminder.schedule,
    )
    assert due == utc(2026, 6, 2, 6, 0)  # tomorrow 08:00 CEST
    assert (await service.own(CHAT, reminder.id)).next_due == due


async def test_pause_and_resume(service: ReminderService, clock: FakeClock) -> None:
    reminder = await create(service, "water every 2h 08:00-22:00")
    assert await service.pause(CHAT, reminder.id) is None
    paused = await service.own(CHAT, reminder.id)
    assert (paused.active, paused.next_due) == (False, None)
    await service.pause(CHAT, reminder.id)  # pausing again is harmless
    assert await service.own(CHAT, reminder.id) == paused
    clock.current = utc(2026, 6, 1, 14, 30)  # 16:30 CEST
    assert await service.resume(CHAT, reminder.id) is None
    resumed = await service.own(CHAT, reminder.id)
    assert resumed.active
    assert resumed.next_due == utc(2026, 6, 1, 16, 0)  # 18:00 CEST


async def test_resume_late_in_the_evening_waits_for_the_morning(
    service: ReminderService, clock: FakeClock
) -> None:
    reminder = await create(service, "water every 2h 08:00-22:00")
    await service.pause(CHAT, reminder.id)
    clock.current = utc(2026, 6, 1, 20, 1)  # 22:01 CEST
    await service.resume(CHAT, reminder.id)
    resumed = await service.own(CHAT, reminder.id)
    assert resumed.next_due == utc(2026, 6, 2, 6, 0)


@pytest.mark.parametrize("operation", ["snooze", "skip_today"])
async def test_a_paused_reminder_cannot_be_snoozed_or_skipped(
    service: ReminderService, operation: str
) -> None:
    reminder = await create(service, "water every 2h")
    await service.pause(CHAT, reminder.id)
    paused = await service.own(CHAT, reminder.id)
    with pytest.raises(ReminderError, match=r"^That reminder is paused"):
        await OPERATIONS[operation](service, reminder.id)
    assert await service.own(CHAT, reminder.id) == paused


@pytest.mark.parametrize("operation", ["snooze", "skip_today"])
async def test_a_reminder_paused_because_the_chat_is_gone_stays_paused(
    service: ReminderService, operation: str
) -> None:
    reminder = await create(service, "water every 2h")
    assert await service.store.deactivate_chat(CHAT) == 1
    with pytest.raises(ReminderError, match=r"^That reminder is paused"):
        await OPERATIONS[operation](service, reminder.id)
    after = await service.own(CHAT, reminder.id)
    assert (after.active, after.next_due) == (False, None)


# Editing, time zones, deleting


async def test_edit_replaces_the_schedule_and_resumes(service: ReminderService) -> None:
    reminder = await create(service, "water every 2h")
    await service.pause(CHAT, reminder.id)
    edited = await create(service, "stretch at 12:00 18:00", edit=reminder.id)
    assert edited.id == reminder.id
    assert edited.kind == Kind.STRETCH
    assert edited.schedule.times == (time(12, 0), time(18, 0))
    assert edited.schedule.interval_minutes is None
    assert edited.schedule.timezone == BERLIN
    assert (edited.active, edited.next_due) == (True, utc(2026, 6, 1, 10, 0))
    assert await service.reminders(CHAT) == [edited]


async def test_set_timezone_keeps_local_times(service: ReminderService) -> None:
    fixed = await create(service, "stretch at 07:30 21:00")
    interval = await create(service, "water every 2h 08:00-22:00")
    paused = await create(service, "water every 3h")
    await service.pause(CHAT, paused.id)
    assert fixed.next_due == utc(2026, 6, 1, 19, 0)  # 21:00 CEST

    # 07:15 UTC is 03:15 EDT: the next 07:30 and 08:00 are New York's.
    assert await service.set_timezone(CHAT, "private", "America/New_York") == 3
    assert await service.timezone(CHAT) == "America/New_York"
    moved = {r.id: r for r in await service.reminders(CHAT)}
    assert moved[fixed.id].schedule.times == (time(7, 30), time(21, 0))
    assert moved[fixed.id].next_due == utc(2026, 6, 1, 11, 30)
    assert moved[interval.id].next_due == utc(2026, 6, 1, 12, 0)
    assert {r.schedule.timezone for r in moved.values()} == {"America/New_York"}
    assert (moved[paused.id].active, moved[paused.id].next_due) == (False, None)


async def test_set_timezone_first_time_creates_the_chat(service: ReminderService) -> None:
    assert await service.set_timezone(300, "group", "Asia/Kolkata") == 0
    assert await service.timezone(300) == "Asia/Kolkata"
    reminder = await create(service, "stretch at 20:00", chat_id=300)
    assert reminder.next_due == utc(2026, 6, 1, 14, 30)  # 20:00 IST


async def test_delete_and_delete_all(service: ReminderService) -> None:
    first = await create(service, "water every 2h")
    second = await create(service, "stretch at 07:30")
    theirs = await create(service, "water every 2h", chat_id=OTHER_CHAT)
    assert await service.delete(CHAT, first.id) == first
    assert await service.reminders(CHAT) == [second]
    with pytest.raises(ReminderError, match=rf"^There is no reminder #{first.id} in this chat"):
        await service.delete(CHAT, first.id)
    await create(service, "water every 3h")
    assert await service.delete_all(CHAT) == 2
    assert await service.reminders(CHAT) == []
    assert await service.reminders(OTHER_CHAT) == [theirs]


async def test_chat_gone_pauses_that_chat_only(service: ReminderService) -> None:
    await create(service, "water every 2h")
    theirs = await create(service, "water every 2h", chat_id=OTHER_CHAT)
    assert await service.chat_gone(CHAT) == 1
    assert [r.active for r in await service.reminders(CHAT)] == [False]
    assert await service.reminders(OTHER_CHAT) == [theirs]


async def test_data_and_forget(service: ReminderService) -> None:
    reminder = await create(service, "water every 2h 08:00-22:00")
    now = utc(2026, 6, 1, 8, 0)
    await service.store.claim_due(now, 10, OWNER)
    data = await service.data(CHAT)
    assert data.chat is not None
    assert (data.chat.chat_id, data.chat.timezone) == (CHAT, BERLIN)
    assert [r.id for r in data.reminders] == [reminder.id]
    assert data.delivery_count == 1
    assert [(d.reminder_id, d.due_at, d.outcome) for d in data.recent] == [
        (reminder.id, now, "pending")
    ]

    assert await service.forget(CHAT) is None
    empty = await service.data(CHAT)
    assert (empty.chat, empty.reminders, empty.delivery_count, empty.recent) == (None, [], 0, [])
    assert await service.timezone(CHAT) is None
    assert await service.forget(CHAT) is None  # forgetting again is harmless
    assert await service.data(CHAT) == empty
    assert await service.timezone(OTHER_CHAT) == BERLIN


async def test_a_reminder_made_or_moved_wakes_the_dispatcher(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = await open_store(tmp_path / "woken.sqlite3")
    wakes: list[str] = []
    service = ReminderService(store, clock, lambda: wakes.append("woken"))
    try:
        await service.set_timezone(CHAT, "private", BERLIN)
        made = await create(service, "water every 2h")
        await service.snooze(CHAT, made.id)
        await service.pause(CHAT, made.id)
        assert len(wakes) == 4  # the zone, the new reminder, the snooze, the pause
        await service.reminders(CHAT)
        await service.data(CHAT)
        assert len(wakes) == 4  # reading changes nothing
    finally:
        await store.close()
