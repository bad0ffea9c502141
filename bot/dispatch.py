"""The reminder dispatcher: claims due reminders from the database and delivers each once.

Its own loop ticks every second (sooner when kicked), waiting on the monotonic clock, so a
step of the wall clock neither stalls nor repeats it; due times are compared on the wall
clock. Each tick claims due reminders in batches, in a transaction that also moves each
reminder on to its next due time, into per-chat backlogs worked by a fixed pool of
senders: a chat at its flood limit waits in its backlog without holding a sender, so other
chats are not held up. Memory does not grow with the number of stored reminders; a large
backlog waits in the database.

One instance per database dispatches: the one holding the lease row, renewed while it
runs. Others wait as standbys and take over when the lease is released (a graceful stop)
or expires (a crash), adopting the deliveries it left pending; a delivery is sent only by
the lease holder that claimed or adopted it. A claimed delivery is recorded before it is
sent and marked when it has been; anything overdue by more than the grace period is
skipped and logged, never sent late in a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Protocol

from bot.core.broadcasts import BroadcastSend
from bot.core.clock import Clock
from bot.core.platforms import Platform
from bot.core.reminders import Claim, Reminder
from bot.core.schedule import Schedule
from bot.storage import DispatchStore, Lease, LeaseLostError, StorageError, TransientError

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=10)
SENDERS = 8
HEARTBEAT_SECONDS = 1.0
BATCH = 500
# Claimed items held in memory at most (a few hundred small records); the rest of a backlog
# waits in the database.
IN_MEMORY = 2 * BATCH
# Broadcast copies are claimed in small batches between reminder claims, so reminders that
# fall due during a long broadcast wait seconds, not until the broadcast is over.
BROADCAST_BATCH = 50
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
# A standby takes over once the holder's renewals have stopped for this long on the standby's
# own monotonic clock (a crash); the holder renews every RENEW_SECONDS, and starts no send
# once its last renewal is older than SAFE_SECONDS, well inside the lease.
LEASE_SECONDS = 15.0
RENEW_SECONDS = 5.0
SAFE_SECONDS = LEASE_SECONDS - RENEW_SECONDS
# A wall clock that moved this much more (or less) than the monotonic one was stepped.
CLOCK_STEP_SECONDS = 5.0
# Health turns red when the loop has not ticked for this long.
STALLED_SECONDS = 15.0


class Outcome(Enum):
    """How one send attempt ended."""

    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked, removed, chat gone: stop sending to this chat
    RETRY = "retry"  # rate limited or a network problem: try again
    MOVED = "moved"  # the group became a supergroup with a new chat id: follow it
    FAILED = "failed"  # a bad request that will not get better by retrying


@dataclass(frozen=True, slots=True)
class SendResult:
    """The result of one send attempt."""

    outcome: Outcome
    message_id: int | None = None
    retry_after: float | None = None
    new_chat_id: int | None = None


# What the senders take from the queue: a reminder's due time or a broadcast's copy.
Outbound = Claim | BroadcastSend


class Sender(Protocol):
    """Delivers one claimed message to its chat, on the platforms it serves."""

    @property
    def platforms(self) -> frozenset[Platform]:
        """Whose chats it delivers to: reminders of other platforms' chats stay unclaimed."""
        ...

    async def send(self, item: Outbound) -> SendResult:
        """Send the message; never raises for Bot API errors."""
        ...


@lru_cache(maxsize=4096)
def _next_due(schedule: Schedule, after: datetime) -> datetime:
    # Reminders due together often share a schedule: one computation serves them all.
    return schedule.next_due(after)


@dataclass(frozen=True, slots=True)
class Moved:
    """The chat has a new id now: its backlog follows it."""

    chat_id: int


def instance_name() -> str:
    """Who holds a lease, for log lines and /stats: host, process and a random part (a
    restarted container may reuse both)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    """Claims due reminders while it holds the lease, and delivers them from per-chat
    backlogs through a fixed pool of senders."""

    def __init__(
        self,
        store: DispatchStore,
        sender: Sender,
        clock: Clock,
        *,
        owner: str | None = None,
        grace: timedelta = GRACE,
        senders: int = SENDERS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self.owner = owner or instance_name()
        self.grace = grace
        self.heartbeat_seconds = heartbeat_seconds
        self.active = False  # holds the lease
        # Each chat with claimed items is in exactly one place: the ready queue, a timer,
        # or a sender's hands; its items go out one at a time, in claim (due) order.
        self._backlogs: dict[int, deque[Outbound]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._backoff: dict[int, float] = {}
        self._in_hand: set[int] = set()  # chats a sender is working on
        self._withdrawals_seen = store.withdrawals
        self._held = 0  # claimed items in memory
        self._starved = False  # a tick stopped claiming for want of room
        self._senders = senders
        self._workers: list[asyncio.Task[None]] = []
        self._sending: set[int] = set()
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._ticks = 0
        self._ticked_at = time.monotonic()
        self._renewed_at = -LEASE_SECONDS
        self._seen: tuple[Lease, float] | None = None  # a standby's view, and since when
        self._troubles: set[str] = set()  # errors already logged with a traceback
        self._tick_starts = 0
        self._stopping = False

    async def start(self) -> None:
        """Start the loop and the senders; the first tick takes the lease if it is free."""
        self._workers = [asyncio.create_task(self._work(i)) for i in range(self._senders)]
        self._loop = asyncio.create_task(self._run())

    @property
    def alive(self) -> bool:
        """Whether the loop ticks and the senders run (as the active instance or a standby)."""
        return (
            self._loop is not None
            and not self._loop.done()
            and not self._stopping
            and not any(worker.done() for worker in self._workers)
            and time.monotonic() - self._ticked_at
            < max(STALLED_SECONDS, 3 * self.heartbeat_seconds)
        )

    @property
    def backlog(self) -> int:
        """Claimed items in memory, waiting for a sender or for their chat's turn."""
        return self._held

    def kick(self) -> None:
        """Tick now rather than at the next heartbeat (a reminder was added or changed)."""
        self._wake.set()

    async def idle(self) -> None:
        """Wait for a tick that starts after this call, then until everything claimed is
        over and nothing more is waiting for room."""
        target = self._tick_starts + 1
        self.kick()
        while not (self._ticks >= target and self._held == 0 and not self._starved):
            self._progress.clear()
            await self._progress.wait()

    async def stop(self) -> None:
        """Stop claiming, let sends on the wire finish, and hand the lease and every unsent
        claim over at once: a standby adopts them on its next tick."""
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            _, late = await asyncio.wait([self._loop], timeout=STOP_TIMEOUT_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        for timer in self._timers.values():
            timer.cancel()
        # A sender waiting for work or for its chat's turn holds nothing that would be lost:
        # its claim stays pending in the database. Only a send on the wire is waited for,
        # under a lease renewed just now, so a standby cannot take over while it is.
        for index, worker in enumerate(self._workers):
            if index not in self._sending:
                worker.cancel()
        if self._sending and self.active:
            with contextlib.suppress(StorageError):
                await self.store.renew_lease(self.owner, self.clock.now())
        if self._workers:
            _, late = await asyncio.wait(self._workers, timeout=SAFE_SECONDS)
            for worker in late:
                worker.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self.active:
            try:
                await self.store.release_lease(self.owner)
                log.info("dispatch lease released")
            except StorageError as error:
                log.warning("could not release the dispatch lease (%s): it expires", error)
        self.active = False

    # The loop

    async def _run(self) -> None:
        wall = self.clock.now()
        while not self._stopping:
            self._wake.clear()
            wall, last_wall, last_tick = self.clock.now(), wall, self._ticked_at
            self._ticked_at = time.monotonic()
            step = (wall - last_wall).total_seconds() - (self._ticked_at - last_tick)
            if abs(step) > CLOCK_STEP_SECONDS:
                log.warning("the wall clock stepped %+.0f s; due times follow it", step)
            self._tick_starts += 1
            try:
                await self._tick()
                self._troubles.clear()
            except LeaseLostError:
                self._lose_lease()
            except TransientError as error:
                # Busy or locked: the next tick tries again, and nothing is lost meanwhile.
                log.warning("could not claim due reminders (%s); will retry", error)
            except Exception as error:
                # A fault that lasts (a damaged file) is one traceback, not one a second.
                kind = type(error).__name__
                if kind in self._troubles:
                    log.warning("dispatcher tick failed again (%s)", kind)
                else:
                    self._troubles.add(kind)
                    log.exception("dispatcher tick failed")
            self._ticks += 1
            self._progress.set()
            # asyncio waits on the monotonic clock: a wall-clock step does not stretch this.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.heartbeat_seconds)

    async def _tick(self) -> None:
        if self.active:
            if time.monotonic() - self._renewed_at >= RENEW_SECONDS:
                if not await self.store.renew_lease(self.owner, self.clock.now()):
                    self._lose_lease()
                    return
                self._renewed_at = time.monotonic()
        elif not await self._take_lease():
            return
        await self._verify()
        await self._fill()

    async def _take_lease(self) -> bool:
        """As a standby: take the lease if nobody holds it, or once its holder's renewals
        have stopped for LEASE_SECONDS on this instance's monotonic clock."""
        lease = await self.store.lease()
        now = time.monotonic()
        if lease is not None and lease.owner != self.owner:
            if self._seen is None or self._seen[0] != lease:
                self._seen = (lease, now)  # the holder renewed: it is alive
                return False
            if now - self._seen[1] < LEASE_SECONDS:
                return False
        if lease is not None and lease.owner == self.owner:
            taken = await self.store.renew_lease(self.owner, self.clock.now())
        else:
            taken = await self.store.take_lease(self.owner, lease, self.clock.now())
        if not taken:
            return False
        self._renewed_at = time.monotonic()
        self._seen = None
        claims, sends = await self.store.adopt_pending(self.owner)
        self.active = True
        previous = lease.owner if lease is not None and lease.owner != self.owner else None
        log.info(
            "dispatching as %s (lease %s); adopted %d pending deliveries",
            self.owner,
            f"taken over from {previous}, silent for {LEASE_SECONDS:.0f} s"
            if previous
            else "taken",
            len(claims) + len(sends),
        )
        self._add([*claims, *sends])
        return True

    def _lose_lease(self) -> None:
        """Another instance holds the lease: forget what is in memory, it adopts those."""
        log.warning("dispatch lease lost to another instance: no longer dispatching")
        self.active = False
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._backlogs.clear()
        self._backoff.clear()
        while not self._ready.empty():
            self._ready.get_nowait()
        self._held = 0
        self._starved = False

    async def _verify(self) -> None:
        """Drop what was withdrawn from the backlogs since the last tick (a /forget, a
        deleted reminder, a lease taken over), in one query: a send checks nothing itself,
        so a withdrawal takes effect within a tick."""
        self._withdrawals_seen = self.store.withdrawals
        waiting = [
            item
            for chat, backlog in self._backlogs.items()
            for item in backlog
            if chat not in self._in_hand or item is not backlog[0]
        ]
        if not waiting:
            return
        kept = await self.store.still_pending(waiting, self.owner)
        for item in waiting:
            if item in kept:
                continue
            backlog = self._backlogs.get(item.chat_id)
            if backlog is None or item not in backlog:
                continue  # sent, moved or lost meanwhile
            if item.chat_id in self._in_hand and backlog[0] is item:
                continue  # a sender took it during the query: it is on its way
            backlog.remove(item)
            self._held -= 1
            log.info("%s withdrawn before it was sent", describe(item))
            if not backlog:
                self._forget(item.chat_id)
        self._progress.set()

    def _forget(self, chat: int) -> None:
        """A chat's backlog is empty: it leaves the timers (a stale entry in the ready
        queue is skipped by the sender that takes it)."""
        del self._backlogs[chat]
        self._backoff.pop(chat, None)
        timer = self._timers.pop(chat, None)
        if timer is not None:
            timer.cancel()

    async def _fill(self) -> None:
        """Claim what is due into the backlogs, reminders before broadcasts, while there is
        room in memory."""
        while not self._stopping and self.active:
            room = IN_MEMORY - self._held
            self._starved = room < BATCH
            if self._starved:
                return  # senders wake the loop when room frees up
            claims = await self.store.claim_due(
                self.clock.now(), BATCH, self._after, self.owner, self.sender.platforms
            )
            self._add(claims)
            if len(claims) == BATCH:
                continue  # reminders first: more may be due
            sends = await self.store.claim_broadcast_sends(
                self.clock.now(), BROADCAST_BATCH, self.owner
            )
            self._add(sends)
            if len(sends) < BROADCAST_BATCH:
                return

    @staticmethod
    def _after(reminder: Reminder, now: datetime) -> datetime:
        """The next due time after a claimed one; missed ones during downtime are skipped."""
        assert reminder.next_due is not None
        return _next_due(reminder.schedule, max(reminder.next_due, now))

    # Backlogs

    def _add(self, items: Sequence[Outbound]) -> None:
        for item in items:
            backlog = self._backlogs.get(item.chat_id)
            if backlog is None:
                self._backlogs[item.chat_id] = deque([item])
                self._ready.put_nowait(item.chat_id)
            else:
                backlog.append(item)
        self._held += len(items)

    def _later(self, chat: int, seconds: float) -> None:
        if (timer := self._timers.pop(chat, None)) is not None:
            timer.cancel()
        if seconds <= 0:
            self._ready.put_nowait(chat)
        else:
            self._timers[chat] = asyncio.get_running_loop().call_later(seconds, self._due, chat)

    def _due(self, chat: int) -> None:
        self._timers.pop(chat, None)
        self._ready.put_nowait(chat)

    def _done(self, chat: int, backlog: deque[Outbound]) -> None:
        backlog.popleft()
        self._held -= 1
        self._backoff.pop(chat, None)
        if backlog:
            self._ready.put_nowait(chat)
        else:
            self._forget(chat)
        if self._starved and self._held <= IN_MEMORY - BATCH:
            self._starved = False
            self.kick()
        self._progress.set()

    def _move(self, old: int, new: int) -> None:
        """The group became a supergroup: its backlog follows it."""
        moved = deque(item.moved_to(new) for item in self._backlogs.pop(old))
        self._backoff.pop(old, None)
        backlog = self._backlogs.get(new)
        if backlog is None:
            self._backlogs[new] = moved
            self._ready.put_nowait(new)
        else:
            backlog.extend(moved)

    # Sending

    async def _work(self, index: int) -> None:
        while not self._stopping:
            chat = await self._ready.get()
            backlog = self._backlogs.get(chat)
            # A stale entry (its backlog withdrawn, or the chat already taken): skip it, so
            # one chat is never worked by two senders.
            if not backlog or chat in self._in_hand:
                continue
            item = backlog[0]
            self._in_hand.add(chat)
            try:
                retry_in = await self._attempt(item, index)
            except Exception:
                log.exception("delivering %s failed", describe(item))
                retry_in = self._next_backoff(chat)
            finally:
                self._in_hand.discard(chat)
            # A lost lease, or a stop, may have emptied the backlogs meanwhile; a lease taken
            # back since may have given the chat a new backlog, which must not be stranded.
            current = self._backlogs.get(chat)
            if self._stopping or current is not backlog or backlog[0] is not item:
                if not self._stopping and current and chat not in self._timers:
                    self._ready.put_nowait(chat)
                continue
            if isinstance(retry_in, Moved):
                self._move(chat, retry_in.chat_id)
            elif retry_in is None:
                self._done(chat, backlog)
            else:
                self._later(chat, retry_in)

    async def _attempt(self, item: Outbound, worker: int) -> float | Moved | None:
        """One try at a chat's next item: None when it is over, else when to try again."""
        now = self.clock.now()
        # A reminder is about now; a broadcast is as good later, so it has no deadline.
        if isinstance(item, Claim) and now - item.due_at > self.grace:
            await self.store.finish(item.delivery_id, "skipped_late", now)
            log.info(
                "reminder %d due %s skipped: %s late",
                item.reminder.id,
                item.due_at.isoformat(),
                now - item.due_at,
            )
            return None
        # A lease not renewed for a while may be about to pass to a standby: send nothing
        # until the loop has renewed it (or found it lost).
        if time.monotonic() - self._renewed_at > SAFE_SECONDS:
            return self.heartbeat_seconds
        # Something was withdrawn in this process since the last tick's check (a /forget
        # here, say): make sure it was not this.
        if self.store.withdrawals != self._withdrawals_seen and not await self.store.still_pending(
            [item], self.owner
        ):
            log.info("%s withdrawn before it was sent", describe(item))
            return None
        # From the send until its outcome is recorded, stop() waits for this worker:
        # cancelling it in between would leave a delivered reminder pending.
        self._sending.add(worker)
        try:
            result = await self.sender.send(item)
            if await self._record(item, result, now):
                return None
        finally:
            self._sending.discard(worker)
        if result.outcome is Outcome.MOVED and result.new_chat_id is not None:
            return Moved(result.new_chat_id)
        if result.retry_after is not None:
            return result.retry_after
        return self._next_backoff(item.chat_id)

    def _next_backoff(self, chat: int) -> float:
        wait = self._backoff.get(chat, FIRST_BACKOFF_SECONDS)
        self._backoff[chat] = min(wait * 2, MAX_BACKOFF_SECONDS)
        return wait

    async def _record(self, item: Outbound, result: SendResult, now: datetime) -> bool:
        """Store the outcome of one attempt; whether the delivery is over."""
        if result.outcome is Outcome.SENT:
            # Telegram has it: whatever happens to the record, it is never sent again from
            # here. A locked database is waited for; a damaged one leaves it pending.
            while True:
                try:
                    await self._finish(item, "sent", self.clock.now(), result.message_id)
                    break
                except TransientError as error:
                    log.warning("could not record a sent message (%s); retrying", error)
                    await asyncio.sleep(1)
                except StorageError as error:
                    log.error("could not record %s as sent (%s)", describe(item), error)
                    break
        elif result.outcome is Outcome.UNREACHABLE:
            await self._finish(item, "unreachable", now)
            paused = await self.store.deactivate_chat(item.chat_id)
            log.info("chat unreachable: paused its %d reminders", paused)
        elif result.outcome is Outcome.FAILED:
            await self._finish(item, "failed", now)
        elif result.outcome is Outcome.MOVED and result.new_chat_id is not None:
            await self.store.move_chat(item.chat_id, result.new_chat_id)
            return False
        else:
            return False
        return True

    async def _finish(
        self, item: Outbound, outcome: str, at: datetime, message_id: int | None = None
    ) -> None:
        if isinstance(item, Claim):
            await self.store.finish(item.delivery_id, outcome, at, message_id)
        else:
            await self.store.finish_broadcast_send(item.id, outcome, at)


def describe(item: Outbound) -> str:
    """For log lines: which reminder or broadcast, never its text."""
    if isinstance(item, Claim):
        return f"reminder {item.reminder.id}"
    return f"broadcast {item.broadcast_id} copy {item.id}"
