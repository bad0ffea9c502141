"""The reminder dispatcher: claims due reminders from the database and delivers each once.

A heartbeat (the JobQueue) kicks it; it claims due reminders in small batches, in a
transaction that also moves each reminder on to its next due time, and hands them to a
fixed pool of senders through a bounded queue. Memory and start-up cost do not grow with
the number of stored reminders, and a backlog waits in the database, not in tasks.

A claimed delivery is recorded before it is sent and marked when it has been, so a stop
or crash between the two leaves it pending: it is sent after the restart if it is still
within the grace period. Anything overdue by more than the grace period is skipped and
logged, never sent late in a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Protocol

from bot.core.broadcasts import BroadcastSend
from bot.core.clock import Clock
from bot.core.reminders import Claim, Reminder
from bot.core.schedule import Schedule
from bot.keyed_locks import KeyedLocks
from bot.storage import Store

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=10)
SENDERS = 8
# Claims wait in the bounded queue, so a batch costs only a few hundred small records.
BATCH = 500
# Broadcast copies are claimed in small batches between reminder claims, so reminders that
# fall due during a long broadcast wait seconds, not until the broadcast is over.
BROADCAST_BATCH = 50
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


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
    """Delivers one claimed message to its chat."""

    async def send(self, item: Outbound) -> SendResult:
        """Send the message; never raises for Bot API errors."""
        ...


@lru_cache(maxsize=4096)
def _next_due(schedule: Schedule, after: datetime) -> datetime:
    # Reminders due together often share a schedule: one computation serves them all.
    return schedule.next_due(after)


class Dispatcher:
    """Claims due reminders and delivers them through a fixed pool of senders."""

    def __init__(
        self,
        store: Store,
        sender: Sender,
        clock: Clock,
        *,
        grace: timedelta = GRACE,
        senders: int = SENDERS,
    ) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self.grace = grace
        self._queue: asyncio.Queue[Outbound] = asyncio.Queue(maxsize=senders)
        self._senders = senders
        self._workers: list[asyncio.Task[None]] = []
        self._sending: set[int] = set()
        # Claims of one chat go out one at a time, in claim (due) order.
        self._chats = KeyedLocks()
        self._filler: asyncio.Task[None] | None = None
        self._recovered: list[Outbound] = []
        self._stopping = False

    async def start(self) -> None:
        """Pick up deliveries a previous run left pending, then start the senders."""
        self._recovered = [
            *await self.store.pending_claims(),
            *await self.store.pending_broadcast_sends(),
        ]
        if self._recovered:
            log.info("recovering %d pending deliveries", len(self._recovered))
        self._workers = [asyncio.create_task(self._work(i)) for i in range(self._senders)]
        self.kick()

    @property
    def alive(self) -> bool:
        """Whether the senders are running and the dispatcher is not stopping."""
        return (
            bool(self._workers)
            and not self._stopping
            and not any(worker.done() for worker in self._workers)
        )

    @property
    def backlog(self) -> int:
        """Claims waiting in memory for a free sender."""
        return self._queue.qsize()

    def kick(self) -> None:
        """Look for due reminders now (the heartbeat calls this); cheap when already busy."""
        if self._stopping or (self._filler is not None and not self._filler.done()):
            return
        self._filler = asyncio.create_task(self._fill())

    async def idle(self) -> None:
        """Wait until the current claim pass is over and every claimed reminder is handled."""
        if self._filler is not None:
            await self._filler
        await self._queue.join()

    async def stop(self) -> None:
        """Stop claiming, let sends in flight finish, and leave the rest pending."""
        self._stopping = True
        if self._filler is not None:
            self._filler.cancel()
        # A worker waiting for work or for a retry holds nothing that would be lost: its claim
        # stays pending in the database. Only a send already on the wire is waited for.
        for index, worker in enumerate(self._workers):
            if index not in self._sending:
                worker.cancel()
        if self._workers:
            _, late = await asyncio.wait(self._workers, timeout=STOP_TIMEOUT_SECONDS)
            for worker in late:
                worker.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        if self._filler is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._filler
        self._workers = []

    async def _fill(self) -> None:
        try:
            while self._recovered:
                await self._queue.put(self._recovered.pop(0))
            while not self._stopping:
                claims = await self.store.claim_due(self.clock.now(), BATCH, self._after)
                for claim in claims:
                    await self._queue.put(claim)
                if len(claims) == BATCH:
                    continue  # reminders first: more may be due
                sends = await self.store.claim_broadcast_sends(self.clock.now(), BROADCAST_BATCH)
                for send in sends:
                    await self._queue.put(send)
                if len(sends) < BROADCAST_BATCH:
                    return
        except asyncio.CancelledError:
            raise
        except sqlite3.OperationalError as error:
            # Busy or locked: the next heartbeat tries again, and nothing is lost meanwhile.
            log.warning("could not claim due reminders (%s); will retry", error)
        except Exception:
            log.exception("claiming due reminders failed")

    @staticmethod
    def _after(reminder: Reminder, now: datetime) -> datetime:
        """The next due time after a claimed one; missed ones during downtime are skipped."""
        assert reminder.next_due is not None
        return _next_due(reminder.schedule, max(reminder.next_due, now))

    async def _work(self, index: int) -> None:
        while not self._stopping:
            item = await self._queue.get()
            try:
                async with self._chats.hold(item.chat_id):
                    await self._deliver(item, index)
            except Exception:
                log.exception("delivering %s failed", describe(item))
            finally:
                self._queue.task_done()

    async def _deliver(self, item: Outbound, worker: int) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        while True:
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
                return
            if not await self.store.is_pending(item):
                log.info("%s withdrawn before it was sent", describe(item))
                return
            # From the send until its outcome is recorded, stop() waits for this worker:
            # cancelling it in between would leave a delivered reminder pending.
            self._sending.add(worker)
            try:
                result = await self.sender.send(item)
                if await self._record(item, result, now):
                    return
            finally:
                self._sending.discard(worker)
            if self._stopping:
                return  # not sent: the claim stays pending for the next start
            if result.outcome is Outcome.MOVED and result.new_chat_id is not None:
                item = item.moved_to(result.new_chat_id)
                continue
            wait = result.retry_after if result.retry_after is not None else backoff
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            await asyncio.sleep(wait)

    async def _record(self, item: Outbound, result: SendResult, now: datetime) -> bool:
        """Store the outcome of one attempt; whether the delivery is over."""
        if result.outcome is Outcome.SENT:
            # Telegram has it: recording that must not give up, or it would be sent again.
            while True:
                try:
                    await self._finish(item, "sent", self.clock.now(), result.message_id)
                    break
                except sqlite3.OperationalError as error:
                    log.warning("could not record a sent message (%s); retrying", error)
                    await asyncio.sleep(1)
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
