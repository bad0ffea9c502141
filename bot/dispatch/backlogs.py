"""Claimed items in memory, per chat: in due order within a chat, chats in turn."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence

from bot.dispatch.ports import Outbound

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0


class Backlogs:
    """Each chat with claimed items is in exactly one place: the ready queue, a timer, or a
    sender's hands (`in_hand`); a stale entry in the ready queue is skipped by its taker."""

    def __init__(self) -> None:
        self._chats: dict[int, deque[Outbound]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._backoff: dict[int, float] = {}
        self.in_hand: set[int] = set()  # chats a sender is working on
        self.held = 0  # claimed items in memory

    def get(self, chat: int) -> deque[Outbound] | None:
        """The chat's backlog, if it has one."""
        return self._chats.get(chat)

    async def next_chat(self) -> int:
        """Wait for a chat whose turn it is (perhaps stale: check its backlog)."""
        return await self._ready.get()

    def add(self, items: Sequence[Outbound]) -> None:
        """Claimed items, each to the end of its chat's backlog."""
        for item in items:
            backlog = self._chats.get(item.chat_id)
            if backlog is None:
                self._chats[item.chat_id] = deque([item])
                self._ready.put_nowait(item.chat_id)
            else:
                backlog.append(item)
        self.held += len(items)

    def later(self, chat: int, seconds: float) -> None:
        """The chat's turn comes again in `seconds`."""
        if (timer := self._timers.pop(chat, None)) is not None:
            timer.cancel()
        if seconds <= 0:
            self._ready.put_nowait(chat)
        else:
            self._timers[chat] = asyncio.get_running_loop().call_later(seconds, self._due, chat)

    def _due(self, chat: int) -> None:
        self._timers.pop(chat, None)
        self._ready.put_nowait(chat)

    def resume(self, chat: int) -> None:
        """A sender let go of a chat it found changed meanwhile: a backlog it has now (a
        lease taken back) must not be stranded."""
        if self._chats.get(chat) and chat not in self._timers:
            self._ready.put_nowait(chat)

    def done(self, chat: int, backlog: deque[Outbound]) -> None:
        """The chat's first item is over: on to its next one."""
        backlog.popleft()
        self.held -= 1
        self._backoff.pop(chat, None)
        if backlog:
            self._ready.put_nowait(chat)
        else:
            self.forget(chat)

    def withdraw(self, item: Outbound) -> bool:
        """Drop an item that is no longer to be sent; whether it was still waiting here (not
        sent, moved or lost meanwhile, nor taken by a sender)."""
        backlog = self._chats.get(item.chat_id)
        if backlog is None or item not in backlog:
            return False
        if item.chat_id in self.in_hand and backlog[0] is item:
            return False  # a sender took it: it is on its way
        backlog.remove(item)
        self.held -= 1
        if not backlog:
            self.forget(item.chat_id)
        return True

    def waiting(self) -> list[Outbound]:
        """Every item no sender holds."""
        return [
            item
            for chat, backlog in self._chats.items()
            for item in backlog
            if chat not in self.in_hand or item is not backlog[0]
        ]

    def forget(self, chat: int) -> None:
        """A chat's backlog is empty: it leaves the timers."""
        del self._chats[chat]
        self._backoff.pop(chat, None)
        timer = self._timers.pop(chat, None)
        if timer is not None:
            timer.cancel()

    def move(self, old: int, new: int) -> None:
        """The group became a supergroup: its backlog follows it."""
        moved = deque(item.moved_to(new) for item in self._chats.pop(old))
        self._backoff.pop(old, None)
        backlog = self._chats.get(new)
        if backlog is None:
            self._chats[new] = moved
            self._ready.put_nowait(new)
        else:
            backlog.extend(moved)

    def next_backoff(self, chat: int) -> float:
        """How long the chat waits after a failure: doubling, up to MAX_BACKOFF_SECONDS."""
        wait = self._backoff.get(chat, FIRST_BACKOFF_SECONDS)
        self._backoff[chat] = min(wait * 2, MAX_BACKOFF_SECONDS)
        return wait

    def stop_timers(self) -> None:
        """No chat's turn comes round again (a stop)."""
        for timer in self._timers.values():
            timer.cancel()

    def clear(self) -> None:
        """Forget everything (the lease was lost: its new holder adopts these)."""
        self.stop_timers()
        self._timers.clear()
        self._chats.clear()
        self._backoff.clear()
        while not self._ready.empty():
            self._ready.get_nowait()
        self.held = 0
