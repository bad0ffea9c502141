"""What the dispatcher hands a sender, and what the sender says back about each send."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.broadcasts import BroadcastSend
from bot.core.platforms import Platform
from bot.core.reminders import Claim


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


def describe(item: Outbound) -> str:
    """For log lines: which reminder or broadcast, never its text."""
    if isinstance(item, Claim):
        return f"reminder {item.reminder.id}"
    return f"broadcast {item.broadcast_id} copy {item.id}"
