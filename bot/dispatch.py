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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Protocol

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


class Sender(Protocol):
    """Delivers one claimed reminder to its chat."""

    async def send(self, claim: Claim) -> SendResult:
        """Send the reminder message; never raises for Bot API errors."""
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
        self._queue: asyncio.Queue[Claim] = asyncio.Queue(maxsize=senders)
        self._senders = senders
        self._workers: list[asyncio.Task[None]] = []
        self._sending: set[int] = set()
        # Claims of one chat go out one at a time, in claim (due) order.
        self._chats = KeyedLocks()
        self._filler: asyncio.Task[None] | None = None
        self._recovered: list[Claim] = []
        self._stopping = False

    async def start(self) -> None:
        """Pick up deliveries a previous run left pending, then start the senders."""
        self._recovered = await self.store.pending_claims()
        if self._recovered:
            log.info("recovering %d pending deliveries", len(self._recovered))
        self._workers = [asyncio.create_task(self._work(i)) for i in range(self._senders)]
        self.kick()

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
                now = self.clock.now()
                claims = await self.store.claim_due(now, BATCH, self._after)
                for claim in claims:
                    await self._queue.put(claim)
                if len(claims) < BATCH:
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
            claim = await self._queue.get()
            try:
                async with self._chats.hold(claim.reminder.chat_id):
                    await self._deliver(claim, index)
            except Exception:
                log.exception("delivering reminder %d failed", claim.reminder.id)
            finally:
                self._queue.task_done()

    async def _deliver(self, claim: Claim, worker: int) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        reminder = claim.reminder
        while True:
            now = self.clock.now()
            if now - claim.due_at > self.grace:
                await self.store.finish(claim.delivery_id, "skipped_late", now)
                log.info(
                    "reminder %d due %s skipped: %s late",
                    reminder.id,
                    claim.due_at.isoformat(),
                    now - claim.due_at,
                )
                return
            # From the send until its outcome is recorded, stop() waits for this worker:
            # cancelling it in between would leave a delivered reminder pending.
            self._sending.add(worker)
            try:
                result = await self.sender.send(claim)
                if await self._record(claim, result, now):
                    return
            finally:
                self._sending.discard(worker)
            if self._stopping:
                return  # not sent: the claim stays pending for the next start
            if result.outcome is Outcome.MOVED and result.new_chat_id is not None:
                reminder = replace(reminder, chat_id=result.new_chat_id)
                claim = replace(claim, reminder=reminder)
                continue
            wait = result.retry_after if result.retry_after is not None else backoff
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            await asyncio.sleep(wait)

    async def _record(self, claim: Claim, result: SendResult, now: datetime) -> bool:
        """Store the outcome of one attempt; whether the delivery is over."""
        reminder = claim.reminder
        if result.outcome is Outcome.SENT:
            # Telegram has it: recording that must not give up, or it would be sent again.
            while True:
                try:
                    await self.store.finish(
                        claim.delivery_id, "sent", self.clock.now(), result.message_id
                    )
                    break
                except sqlite3.OperationalError as error:
                    log.warning("could not record a sent reminder (%s); retrying", error)
                    await asyncio.sleep(1)
        elif result.outcome is Outcome.UNREACHABLE:
            await self.store.finish(claim.delivery_id, "unreachable", now)
            paused = await self.store.deactivate_chat(reminder.chat_id)
            log.info("chat unreachable: paused its %d reminders", paused)
        elif result.outcome is Outcome.FAILED:
            await self.store.finish(claim.delivery_id, "failed", now)
        elif result.outcome is Outcome.MOVED and result.new_chat_id is not None:
            await self.store.move_chat(reminder.chat_id, result.new_chat_id)
            return False
        else:
            return False
        return True
