"""What the storage hands back besides the core's own types: plain records, and a claim's batch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.platforms import Platform
from bot.core.reminders import Claim


@dataclass(frozen=True, slots=True)
class Lease:
    """The dispatch lease as a standby saw it."""

    owner: str
    renewals: int


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """What is stored about a chat itself."""

    chat_id: int
    chat_type: str
    timezone: str | None
    created_at: datetime
    platform: Platform = Platform.TELEGRAM


@dataclass(frozen=True, slots=True)
class Delivery:
    """One recorded delivery attempt of a reminder."""

    id: int
    reminder_id: int
    due_at: datetime
    sent_at: datetime | None
    outcome: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for the operator's /stats, read in one pass."""

    chats: dict[str, int]  # by chat type
    active: dict[str, int]  # running reminders by kind
    paused: int
    deliveries: dict[str, int]  # reminder deliveries claimed in the window, by outcome
    broadcasts: dict[str, int]  # broadcast copies finished or waiting, by outcome
    due_unclaimed: int  # due now, not yet picked up by the dispatcher


class Claimed(list[Claim]):
    """What one claim took, and whether more was due than it could take (so the next
    claim is worth asking for)."""

    __slots__ = ("more",)

    def __init__(self, claims: Iterable[Claim] = (), *, more: bool = False) -> None:
        super().__init__(claims)
        self.more = more
