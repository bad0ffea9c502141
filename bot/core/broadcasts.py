"""Operator broadcasts as the core sees them: one message, one copy per chat."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.platforms import Platform


@dataclass(frozen=True, slots=True)
class BroadcastSend:
    """One chat's copy of a broadcast, claimed for delivery exactly once."""

    id: int
    broadcast_id: int
    chat_id: int
    text: str  # Telegram HTML, as the operator formatted it
    platform: Platform = Platform.TELEGRAM

    def moved_to(self, chat_id: int) -> BroadcastSend:
        """The same send, to the chat's new id (a group that became a supergroup)."""
        return replace(self, chat_id=chat_id)
