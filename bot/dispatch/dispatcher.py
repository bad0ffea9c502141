"""The Dispatcher: holds the lease, claims what is due, sends through a pool of senders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.reminders import Claim
from bot.dispatch.backlogs import Backlogs
from bot.dispatch.outcomes import finish, record
from bot.dispatch.ports import Outbound, Outcome, Sender, describe
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
        self._backlogs = Backlogs()
        self._withdrawals_seen = store.withdrawals
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
        return self._backlogs.held

    def kick(self) -> None:
        """Tick now rather than at the next heartbeat (a reminder was added or changed)."""
        self._wake.set()

    async def idle(self) -> None:
        """Wait for a tick that starts after this call, then until everything claimed is
        over and nothing more is waiting for room."""
        target = self._tick_starts + 1
        self.kick()
        while not (self._ticks >= target and self._backlogs.held == 0 and not self._starved):
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
        self._backlogs.stop_timers()
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
        self._backlogs.add([*claims, *sends])
        return True

    def _lose_lease(self) -> None:
        """Another instance holds the lease: forget what is in memory, it adopts those."""
        log.warning("dispatch lease lost to another instance: no longer dispatching")
        self.active = False
        self._backlogs.clear()
        self._starved = False

    async def _verify(self) -> None:
        """Drop what was withdrawn from the backlogs since the last tick (a /forget, a
        deleted reminder, a lease taken over), in one query: a send checks nothing itself,
        so a withdrawal takes effect within a tick."""
        self._withdrawals_seen = self.store.withdrawals
        waiting = self._backlogs.waiting()
        if not waiting:
            return
        kept = await self.store.still_pending(waiting, self.owner)
        for item in waiting:
            # Sent, moved or lost during the query, or taken by a sender: it stays.
            if item not in kept and self._backlogs.withdraw(item):
                log.info("%s withdrawn before it was sent", describe(item))
        self._progress.set()

    async def _fill(self) -> None:
        """Claim what is due into the backlogs, reminders before broadcasts, while there is
        room in memory."""
        while not self._stopping and self.active:
            room = IN_MEMORY - self._backlogs.held
            self._starved = room < BATCH
            if self._starved:
                return  # senders wake the loop when room frees up
            claims = await self.store.claim_due(
                self.clock.now(), BATCH, self.owner, self.sender.platforms
            )
            self._backlogs.add(claims)
            if claims.more:
                continue  # reminders first
            sends = await self.store.claim_broadcast_sends(
                self.clock.now(), BROADCAST_BATCH, self.owner
            )
            self._backlogs.add(sends)
            if len(sends) < BROADCAST_BATCH:
                return

    # Sending

    async def _work(self, index: int) -> None:
        backlogs = self._backlogs
        while not self._stopping:
            chat = await backlogs.next_chat()
            backlog = backlogs.get(chat)
            # A stale entry (its backlog withdrawn, or the chat already taken): skip it, so
            # one chat is never worked by two senders.
            if not backlog or chat in backlogs.in_hand:
                continue
            item = backlog[0]
            backlogs.in_hand.add(chat)
            try:
                retry_in = await self._attempt(item, index)
            except Exception:
                log.exception("delivering %s failed", describe(item))
                retry_in = backlogs.next_backoff(chat)
            finally:
                backlogs.in_hand.discard(chat)
            # A lost lease, or a stop, may have emptied the backlogs meanwhile; a lease taken
            # back since may have given the chat a new backlog, which must not be stranded.
            if self._stopping or backlogs.get(chat) is not backlog or backlog[0] is not item:
                if not self._stopping:
                    backlogs.resume(chat)
                continue
            if isinstance(retry_in, Moved):
                backlogs.move(chat, retry_in.chat_id)
            elif retry_in is None:
                backlogs.done(chat, backlog)
                # A reminder moves on when its delivery ends: if its next due time came
                # meanwhile, it is claimed now, not a heartbeat later.
                now = self.clock.now()
                if isinstance(item, Claim) and item.following(now, self.grace) <= now:
                    self.kick()
                if self._starved and backlogs.held <= IN_MEMORY - BATCH:
                    self._starved = False
                    self.kick()
                self._progress.set()
            else:
                backlogs.later(chat, retry_in)

    async def _attempt(self, item: Outbound, worker: int) -> float | Moved | None:
        """One try at a chat's next item: None when it is over, else when to try again."""
        now = self.clock.now()
        # A reminder is about now; a broadcast is as good later, so it has no deadline.
        if isinstance(item, Claim) and now - item.due_at > self.grace:
            await finish(self.store, item, "skipped_late", now, self.grace)
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
            if await record(self.store, self.clock, item, result, now, self.grace):
                return None
        finally:
            self._sending.discard(worker)
        if result.outcome is Outcome.MOVED and result.new_chat_id is not None:
            return Moved(result.new_chat_id)
        if result.retry_after is not None:
            return result.retry_after
        return self._backlogs.next_backoff(item.chat_id)
