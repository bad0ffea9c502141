"""The operator's side: counts for /stats, and broadcasts drafted, started or cancelled
(started ones go out through the dispatcher, under each platform's limits)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.dispatch import Dispatcher
from bot.storage import OperatorStore, Stats

log = logging.getLogger(__name__)
# /stats counts deliveries and broadcast copies over this window.
WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Overview:
    """What /stats shows: the counts, how long the bot has run, what the senders hold."""

    stats: Stats
    uptime: timedelta
    backlog: int


class OperatorService:
    """Statistics and broadcasts, over the store and the dispatcher."""

    def __init__(
        self, store: OperatorStore, dispatcher: Dispatcher, clock: Clock, started_at: datetime
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock
        self.started_at = started_at

    async def overview(self) -> Overview:
        """The counts an operator wants at a glance."""
        now = self.clock.now()
        stats = await self.store.stats(now, WINDOW)
        return Overview(stats, now - self.started_at, self.dispatcher.backlog)

    async def audience(self) -> int:
        """How many chats a broadcast would reach."""
        return await self.store.audience()

    async def draft(self, created_by: int, text: str) -> int:
        """Keep a broadcast's text until it is sent or cancelled; its id."""
        return await self.store.draft_broadcast(created_by, text, self.clock.now())

    async def start(self, draft: int) -> int | None:
        """Queue a drafted broadcast for every chat; how many, or None if it was already
        sent or cancelled."""
        count = await self.store.start_broadcast(draft, self.clock.now())
        if count is not None:
            self.dispatcher.kick()
            log.info("broadcast %d queued for %d chats", draft, count)
        return count

    async def cancel(self, draft: int) -> bool:
        """Drop a drafted broadcast; whether it was still a draft."""
        return await self.store.cancel_broadcast(draft)
