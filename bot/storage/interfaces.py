"""The storage as its callers see it: repositories grouped by what each caller needs.

A backend implements all of them (`Storage`); each caller is typed against the ones it
uses, so it never depends on one database. Times are aware datetimes; errors are those of
bot/storage/errors.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.broadcasts import BroadcastSend
from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.reminders import Claim, Reminder
from bot.core.schedule import Schedule
from bot.storage.records import ChatRecord, Claimed, Delivery, Lease, Stats


class Lifecycle(Protocol):
    """Opening and closing the storage, and whether it can be used."""

    @property
    def is_open(self) -> bool:
        """Whether the database is open."""
        ...

    @property
    def healthy(self) -> bool:
        """Whether the database is open and its latest integrity check found no fault."""
        ...

    async def open(self) -> None:
        """Connect and bring the schema up to date; StorageError (DamagedError for a
        damaged file) if it cannot be used."""
        ...

    async def close(self) -> None:
        """Stop background work and close (idempotent)."""
        ...


class Chats(Protocol):
    """A chat's own record: its time zone, a move to a new id, a chat gone, its data."""

    async def chat(self, chat_id: int) -> ChatRecord | None:
        """What is stored about a chat, if anything."""
        ...

    async def set_timezone(
        self,
        chat_id: int,
        chat_type: str,
        zone: str,
        now: datetime,
        next_due: Callable[[Schedule], datetime],
        platform: Platform = Platform.TELEGRAM,
    ) -> int:
        """Set a chat's time zone and move its reminders to it; how many were moved."""
        ...

    async def move_chat(self, old_id: int, new_id: int) -> int:
        """A group became a supergroup: move its settings and reminders; how many moved."""
        ...

    async def forget_chat(self, chat_id: int) -> bool:
        """Delete everything stored about a chat; whether there was anything."""
        ...

    async def deactivate_chat(self, chat_id: int) -> int:
        """Pause every reminder of a chat the bot can no longer reach; how many."""
        ...

    async def deliveries(self, chat_id: int, limit: int) -> tuple[int, list[Delivery]]:
        """How many deliveries are recorded for a chat, and the latest `limit` of them."""
        ...


class Reminders(Protocol):
    """A chat's reminders: made within a limit, listed, changed, paused, deleted."""

    async def add_reminder(
        self,
        *,
        chat_id: int,
        chat_type: str,
        platform: Platform = Platform.TELEGRAM,
        created_by: int,
        kind: Kind,
        schedule: Schedule,
        next_due: datetime,
        now: datetime,
        limit: int,
    ) -> Reminder:
        """Store a new reminder unless the chat already has `limit` (ReminderLimitError);
        the same one asked for twice is the one already there."""
        ...

    async def reminder(self, reminder_id: int) -> Reminder | None:
        """One reminder by id."""
        ...

    async def reminders(self, chat_id: int) -> list[Reminder]:
        """A chat's reminders, oldest first."""
        ...

    async def update_schedule(
        self, reminder_id: int, kind: Kind, schedule: Schedule, next_due: datetime
    ) -> None:
        """Replace a reminder's kind and schedule (which also resumes it)."""
        ...

    async def set_next_due(
        self, reminder_id: int, chat_id: int, next_due: datetime | None, *, only_if_active: bool
    ) -> bool:
        """Set when a chat's reminder is next due (None pauses it); whether it changed."""
        ...

    async def delete_reminder(self, reminder_id: int, chat_id: int) -> bool:
        """Delete one reminder of a chat; whether it existed there."""
        ...

    async def delete_reminders(self, chat_id: int) -> int:
        """Delete all of a chat's reminders; how many."""
        ...


class Deliveries(Protocol):
    """What the dispatcher sends, reminders and broadcast copies: claimed for the lease
    holder, recorded when done, checked again before sending."""

    @property
    def withdrawals(self) -> int:
        """Counts deletions that may have withdrawn claimed deliveries (in this process)."""
        ...

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        owner: str,
        platforms: Collection[Platform] = (Platform.TELEGRAM,),
    ) -> Claimed:
        """Claim up to `limit` due reminders of chats on `platforms` for the lease holder
        `owner`, each due time once, saying whether more are due; LeaseLostError if `owner`
        no longer holds the lease. A claimed reminder keeps its due time until its delivery
        is finished."""
        ...

    async def pending_claims(self) -> list[Claim]:
        """Deliveries claimed but not finished."""
        ...

    async def finish(
        self,
        claim: Claim,
        outcome: str,
        at: datetime,
        message_id: int | None = None,
        *,
        next_due: datetime,
    ) -> None:
        """Record how a claim's delivery ended, and move its reminder on to `next_due`
        unless the reminder was changed since the claim."""
        ...

    async def claim_broadcast_sends(
        self, now: datetime, limit: int, owner: str
    ) -> list[BroadcastSend]:
        """Claim up to `limit` queued broadcast copies for the lease holder `owner`."""
        ...

    async def pending_broadcast_sends(self) -> list[BroadcastSend]:
        """Broadcast copies claimed but not finished."""
        ...

    async def finish_broadcast_send(self, send_id: int, outcome: str, at: datetime) -> None:
        """Record how one broadcast copy ended."""
        ...

    async def still_pending(
        self, items: Sequence[Claim | BroadcastSend], owner: str
    ) -> set[Claim | BroadcastSend]:
        """Which of these are still `owner`'s to send."""
        ...

    async def adopt_pending(self, owner: str) -> tuple[list[Claim], list[BroadcastSend]]:
        """Make everything left pending by an earlier lease holder `owner`'s; all of it."""
        ...


class Leases(Protocol):
    """The dispatch lease: one instance per database claims and sends."""

    async def lease(self) -> Lease | None:
        """Who holds the lease and how often they have renewed it, if anyone."""
        ...

    async def take_lease(self, owner: str, seen: Lease | None, now: datetime) -> bool:
        """Take the lease if it is still as `seen`, in one compare-and-set."""
        ...

    async def renew_lease(self, owner: str, now: datetime) -> bool:
        """Show that `owner` is alive and still holds the lease; False if it does not."""
        ...

    async def release_lease(self, owner: str) -> None:
        """Give the lease up at once."""
        ...


class Broadcasts(Protocol):
    """The operator's broadcasts: drafted, then queued for every chat or cancelled."""

    async def audience(self) -> int:
        """How many chats a broadcast would go to."""
        ...

    async def draft_broadcast(self, created_by: int, text: str, now: datetime) -> int:
        """Keep a broadcast until it is confirmed; its id."""
        ...

    async def start_broadcast(self, broadcast_id: int, now: datetime) -> int | None:
        """Queue a draft for every chat; how many, or None if it is not a draft any more."""
        ...

    async def cancel_broadcast(self, broadcast_id: int) -> bool:
        """Drop a draft; whether there was one to drop."""
        ...


class Statistics(Protocol):
    """Counts for the operator."""

    async def stats(self, now: datetime, window: timedelta) -> Stats:
        """Chats, reminders, and deliveries since `now - window`."""
        ...


class ReminderStore(Chats, Reminders, Protocol):
    """What the reminder service uses."""


class DispatchStore(Chats, Deliveries, Leases, Protocol):
    """What the dispatcher uses."""


class OperatorStore(Lifecycle, Broadcasts, Statistics, Protocol):
    """What /healthz, /stats and /broadcast use."""


class Storage(Lifecycle, Chats, Reminders, Deliveries, Leases, Broadcasts, Statistics, Protocol):
    """All of it: what a backend implements."""
