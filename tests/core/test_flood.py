"""Flood control: windows a little under the limits, replies first, background never kept
waiting for one chat, and a 429 pausing only what it was about."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.flood import GROUP_REPLY_ROOM, MARGIN, ChatBusyError, FloodControl, Limits, Priority


class Ticks:
    """A monotonic clock that moves only when every task waits: asyncio.sleep is patched
    to wake sleepers in time order, so concurrent waits play out as they would, at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0), self._count, future))
        await future

    async def drive(self, settle: Callable[[float], Awaitable[None]]) -> None:
        while True:
            for _ in range(10):
                await settle(0)
            if self._sleepers:
                self.now, _, future = heapq.heappop(self._sleepers)
                future.set_result(None)


@pytest.fixture
async def ticks(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Ticks]:
    ticks = Ticks()
    real_sleep = asyncio.sleep
    monkeypatch.setattr("bot.flood.asyncio.sleep", ticks.sleep)
    driver = asyncio.create_task(ticks.drive(real_sleep))
    yield ticks
    driver.cancel()


async def test_background_is_told_to_come_back_instead_of_waiting_for_its_chat(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=30), ticks)
    await flood.acquire(1, group=False, priority=Priority.BACKGROUND)
    with pytest.raises(ChatBusyError) as busy:
        await flood.acquire(1, group=False, priority=Priority.BACKGROUND)
    assert busy.value.delay == pytest.approx(1 + MARGIN)
    await flood.acquire(2, group=False, priority=Priority.BACKGROUND)  # other chats go on
    ticks.now += 1 + MARGIN
    await flood.acquire(1, group=False, priority=Priority.BACKGROUND)


def busy_for(flood: FloodControl, chat: int, *, group: bool = False) -> float:
    """How long a delivery to `chat` would be told to wait (0: it may go now)."""
    return flood._chat_wait(chat, group, Priority.BACKGROUND)


async def test_a_group_takes_twenty_a_minute_three_of_them_kept_for_replies(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=10_000), ticks)
    for _ in range(20 - GROUP_REPLY_ROOM):
        await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)
        ticks.now += 0.01
    with pytest.raises(ChatBusyError) as busy:
        await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)
    assert 60 < busy.value.delay <= 60 * (1 + MARGIN)
    # Commands in the group are answered at once, up to the group's twenty…
    for _ in range(GROUP_REPLY_ROOM):
        await flood.acquire(-5, group=True, priority=Priority.REPLY)
    assert ticks.now == pytest.approx(1000.0 + 0.01 * (20 - GROUP_REPLY_ROOM))
    # …and past them a reply waits for the window rather than provoke a 429.
    started = ticks.now
    await flood.acquire(-5, group=True, priority=Priority.REPLY)
    assert 60 < ticks.now - started <= 60 * (1 + MARGIN)


async def test_replies_in_a_private_chat_burst_but_count_for_deliveries(ticks: Ticks) -> None:
    flood = FloodControl(Limits(per_second=30), ticks)
    for _ in range(3):
        await flood.acquire(7, group=False, priority=Priority.REPLY)
    assert ticks.now == 1000.0  # no waiting between a conversation's answers
    assert busy_for(flood, 7) > 0
    with pytest.raises(ChatBusyError):
        await flood.acquire(7, group=False, priority=Priority.BACKGROUND)


async def test_the_overall_limit_is_kept_a_little_under_and_spread_through_the_second(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=10), ticks)
    sent_at = []
    for chat in range(11):
        await flood.acquire(chat, group=False, priority=Priority.BACKGROUND)
        sent_at.append(ticks.now - 1000.0)
    step = 0.5 * (1 + MARGIN)  # at least five sends a step: here half a second
    assert sent_at == pytest.approx([0.0] * 5 + [step] * 5 + [2 * step])


async def test_replies_go_before_background_sends_waiting_for_the_overall_window(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=2), ticks)
    order: list[str] = []

    async def send(name: str, chat: int, priority: Priority) -> None:
        await flood.acquire(chat, group=False, priority=priority)
        order.append(name)

    await send("first", 1, Priority.BACKGROUND)
    await send("second", 2, Priority.BACKGROUND)  # the window is full now
    waiting = [
        asyncio.create_task(send(f"reminder {n}", 10 + n, Priority.BACKGROUND)) for n in range(3)
    ]
    await ticks.sleep(0)
    replies = [asyncio.create_task(send(f"reply {n}", 20 + n, Priority.REPLY)) for n in range(2)]
    await asyncio.gather(*waiting, *replies)
    assert order[2:4] == ["reply 0", "reply 1"]
    assert sorted(order[4:]) == ["reminder 0", "reminder 1", "reminder 2"]


async def test_a_429_pauses_its_chat_only_or_everything_when_it_names_none(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=30), ticks)
    flood.pause(1, 5)
    assert busy_for(flood, 1) == pytest.approx(5)
    assert busy_for(flood, 2) == 0
    flood.pause(None, 3)
    assert busy_for(flood, 2) == pytest.approx(3)
    started = ticks.now
    await flood.acquire(2, group=False, priority=Priority.REPLY)
    assert ticks.now - started == pytest.approx(3)


async def test_idle_chats_are_forgotten(ticks: Ticks) -> None:
    flood = FloodControl(Limits(per_second=1000), ticks)
    for chat in range(100):
        await flood.acquire(chat, group=False, priority=Priority.BACKGROUND)
    ticks.now += 61
    await flood.acquire("new", group=False, priority=Priority.BACKGROUND)
    assert len(flood._chats) == 1


async def test_a_send_refused_with_a_429_does_not_count(ticks: Ticks) -> None:
    flood = FloodControl(Limits(per_second=30), ticks)
    for _ in range(20):
        stamp = await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)
        flood.pause(-5, 1, refund=stamp)  # the group's minute was used up by an earlier run
        ticks.now += 1
    # Free again: the group gets its full allowance, not that less the refused attempts.
    for _ in range(20 - GROUP_REPLY_ROOM):
        await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)


async def test_a_429_for_an_uncounted_request_takes_back_no_send(ticks: Ticks) -> None:
    flood = FloodControl(Limits(per_second=30), ticks)
    for _ in range(20 - GROUP_REPLY_ROOM):
        await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)
    for _ in range(5):
        flood.pause(-5, 0)  # refused edits: they were never counted
    with pytest.raises(ChatBusyError):
        await flood.acquire(-5, group=True, priority=Priority.BACKGROUND)


async def test_a_delivery_told_to_wait_for_its_chat_keeps_no_overall_slot(
    ticks: Ticks,
) -> None:
    flood = FloodControl(Limits(per_second=2), ticks)
    await flood.acquire(1, group=False, priority=Priority.BACKGROUND)
    for _ in range(3):
        with pytest.raises(ChatBusyError):
            await flood.acquire(1, group=False, priority=Priority.BACKGROUND)
    await flood.acquire(2, group=False, priority=Priority.BACKGROUND)  # the window's second
    assert ticks.now == 1000.0


async def test_while_people_talk_deliveries_leave_room_for_replies(ticks: Ticks) -> None:
    flood = FloodControl(Limits(per_second=1000), ticks)  # 100 a tenth of a second
    await flood.acquire(1, group=False, priority=Priority.REPLY)
    for chat in range(10, 84):  # 100 less a quarter kept for replies: 75 with the reply
        await flood.acquire(chat, group=False, priority=Priority.BACKGROUND)
    assert ticks.now == 1000.0
    await flood.acquire(2, group=False, priority=Priority.REPLY)  # room at once
    assert ticks.now == 1000.0
    await flood.acquire(84, group=False, priority=Priority.BACKGROUND)  # waits its turn
    assert ticks.now > 1000.0
    # Nobody has written for a while: deliveries may fill the whole window again.
    ticks.now += 10
    quiet = ticks.now
    for chat in range(100, 200):
        await flood.acquire(chat, group=False, priority=Priority.BACKGROUND)
    assert ticks.now == quiet
