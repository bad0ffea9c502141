"""Per-key locks: one key's work in arrival order, other keys alongside, nothing left over."""

from __future__ import annotations

import asyncio

from bot.keyed_locks import KeyedLocks


async def test_same_key_runs_in_order_other_keys_alongside() -> None:
    locks, events = KeyedLocks(), []
    release = asyncio.Event()

    async def work(key: str, name: str, wait: bool) -> None:
        async with locks.hold(key):
            events.append(f"start {name}")
            if wait:
                await release.wait()
            events.append(f"end {name}")

    first = asyncio.create_task(work("a", "a1", wait=True))
    second = asyncio.create_task(work("a", "a2", wait=False))
    other = asyncio.create_task(work("b", "b1", wait=False))
    await asyncio.sleep(0.01)
    assert events == ["start a1", "start b1", "end b1"]  # a2 waits for a1; b is not held up
    release.set()
    await asyncio.gather(first, second, other)
    assert events[3:] == ["end a1", "start a2", "end a2"]
    assert len(locks) == 0  # no lock outlives its use
