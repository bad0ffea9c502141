"""Flood control: keeps sends under a platform's windows, replies to people before deliveries.

Platforms limit messages overall, per chat and per group in sliding windows, and answer 429
above them. Waiting here, a little under each limit, avoids provoking those 429s. Replies
take the overall capacity first; reminders and broadcasts get what replies leave. A
background send is never kept waiting for one busy chat: it is told how long that chat
needs, so the dispatcher can serve other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import Enum

# Windows are stretched by this much: the platform counts a send when it arrives, a little
# after we count it, and arrival times jitter.
MARGIN = 0.05
# Idle per-chat windows are dropped this often, so memory follows the chats of the last
# seconds, not every chat of a burst.
PRUNE_EVERY_SECONDS = 5.0
# The overall limit is also kept over this share of a second (at least SMOOTH_SENDS sends):
# sends spread evenly through each second, rather than leave in one burst whose arrivals a
# jittery network could crowd into the platform's window.
SMOOTH_SHARE = 0.1
SMOOTH_SENDS = 5
# While people are talking to the bot (a reply within the last few seconds), deliveries leave
# this share of the overall window free, so a reply finds room at once instead of waiting
# for a window full of reminders to move on. Otherwise deliveries may use all of it.
REPLY_SHARE = 0.25
TALKING_SECONDS = 5.0
# Deliveries to a group leave this many of its 20 a minute to replies, so a command in a
# group whose reminders just went out is answered at once.
GROUP_REPLY_ROOM = 3


class Priority(Enum):
    """Who is waiting for a send: a person (a reply) or nobody in particular (a delivery)."""

    REPLY = "reply"
    BACKGROUND = "background"


@dataclass(frozen=True, slots=True)
class Limits:
    """A platform's flood limits."""

    per_second: float = 30.0  # all chats together
    per_chat_per_second: float = 1.0  # one private chat
    per_group_per_minute: float = 20.0  # one group


class ChatBusyError(Exception):
    """A background send to a chat that has used its allowance: try that chat again later."""

    def __init__(self, delay: float) -> None:
        super().__init__(f"chat busy for {delay:.2f} s")
        self.delay = delay


class _Window:
    """At most `limit` sends in any `seconds`, counted by their start times."""

    __slots__ = ("limit", "seconds", "times")

    def __init__(self, limit: float, seconds: float) -> None:
        self.limit = max(1, int(limit))
        self.seconds = seconds * (1 + MARGIN)
        # A list, not a deque: one per chat sent to lately, and a deque's first block alone
        # is ten times a short list's size.
        self.times: list[float] = []

    def wait(self, now: float, share: float = 1.0) -> float:
        """Seconds until one more send fits in `share` of the window (0 if it fits now)."""
        expired = bisect.bisect_right(self.times, now - self.seconds)
        if expired:
            del self.times[:expired]
        limit = max(1, int(self.limit * share))
        if len(self.times) < limit:
            return 0.0
        return self.times[len(self.times) - limit] + self.seconds - now

    def idle(self, now: float) -> bool:
        """Whether nothing in the window counts any more."""
        return not self.times or self.times[-1] <= now - self.seconds


class FloodControl:
    """The windows of one bot: overall, and one per chat it has sent to lately."""

    def __init__(
        self, limits: Limits | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or Limits()
        self._now = monotonic
        rate = self.limits.per_second
        smooth = max(SMOOTH_SENDS, rate * SMOOTH_SHARE)
        self._overall = (_Window(rate, 1.0), _Window(smooth, smooth / rate))
        self._chats: dict[Hashable, _Window] = {}
        self._paused: dict[Hashable, float] = {}  # chat (or None: all) → until, after a 429
        self._replies_waiting = 0
        self._replied_at = -TALKING_SECONDS
        self._pruned_at = monotonic()

    async def acquire(self, chat: Hashable, *, group: bool, priority: Priority) -> float:
        """Wait for room to send one message to `chat`; ChatBusyError instead of waiting
        for the chat's own window when the send is a background one. The time it counts
        the send at, for `pause` to take back if the platform refuses it."""
        window = self._chat(chat, group)
        # A reply in a private chat does not wait for that chat's window (Telegram lets a
        # conversation burst), but counts in it, so deliveries there keep their distance.
        bursts = priority is Priority.REPLY and not group
        while not bursts and (delay := self._chat_wait(chat, group, priority)) > 0:
            if priority is Priority.BACKGROUND:
                raise ChatBusyError(delay)
            await asyncio.sleep(delay)
        stamp = await self._take_overall(priority)
        # Sleeping for the overall window may have let another send into this chat.
        if priority is Priority.BACKGROUND and (delay := self._chat_wait(chat, group, priority)):
            for window in self._overall:
                window.times.remove(stamp)
            raise ChatBusyError(delay)
        window.times.append(stamp)
        self._prune()
        return stamp

    def _chat_wait(self, chat: Hashable, group: bool, priority: Priority) -> float:
        now = self._now()
        paused = max(self._paused.get(chat, 0.0), self._paused.get(None, 0.0)) - now
        window = self._chat(chat, group)
        share = 1.0
        if group and priority is Priority.BACKGROUND:
            share = (window.limit - GROUP_REPLY_ROOM) / window.limit
        return max(window.wait(now, share), paused, 0.0)

    def pause(self, chat: Hashable | None, seconds: float, refund: float | None = None) -> None:
        """After a 429: nothing more to `chat` (None: to anyone) for `seconds`. The refused
        send (counted at `refund`) did not count with the platform, so it stops counting
        here too: otherwise a group refused while a previous run's minute ran out would wait
        a minute more."""
        until = self._now() + seconds
        self._paused[chat] = max(self._paused.get(chat, 0.0), until)
        if refund is None:
            return
        for window in (self._chats.get(chat), *self._overall):
            if window is not None and refund in window.times:
                window.times.remove(refund)

    async def _take_overall(self, priority: Priority) -> float:
        reply = priority is Priority.REPLY
        self._replies_waiting += reply
        try:
            while True:
                now = self._now()
                talking = now - self._replied_at < TALKING_SECONDS
                share = 1.0 if reply or not talking else 1.0 - REPLY_SHARE
                wait = max(
                    *(window.wait(now, share) for window in self._overall),
                    self._paused.get(None, 0.0) - now,
                )
                if wait <= 0 and (reply or not self._replies_waiting):
                    for window in self._overall:
                        window.times.append(now)
                    if reply:
                        self._replied_at = now
                    return now
                # A delivery that yields to a waiting reply looks again one send later.
                await asyncio.sleep(wait if wait > 0 else 1 / self.limits.per_second)
        finally:
            self._replies_waiting -= reply

    def _chat(self, chat: Hashable, group: bool) -> _Window:
        window = self._chats.get(chat)
        if window is None:
            limits = self.limits
            window = self._chats[chat] = (
                _Window(limits.per_group_per_minute, 60.0)
                if group
                else _Window(limits.per_chat_per_second, 1.0)
            )
        return window

    def _prune(self) -> None:
        now = self._now()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        self._chats = {chat: w for chat, w in self._chats.items() if not w.idle(now)}
        self._paused = {chat: until for chat, until in self._paused.items() if until > now}
