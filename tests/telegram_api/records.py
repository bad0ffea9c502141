"""What the stand-in keeps and what tests look at: sends, messages, buttons, the webhook,
and the flood limits' sliding windows."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from tests.telegram_api.protocol import JSON


@dataclass(frozen=True)
class Sent:
    """One bot call that changed what a user sees, in the order it happened."""

    method: str
    chat_id: int | None
    message_id: int | None
    text: str | None
    plain: str | None
    reply_markup: JSON | None
    params: JSON
    at: float


@dataclass(frozen=True)
class StoredMessage:
    """A bot message as it stands now, after edits."""

    message_id: int
    text: str
    plain: str
    reply_markup: JSON | None
    reply_to_message_id: int | None
    entities: list[JSON]


@dataclass(frozen=True)
class Button:
    """One inline keyboard button."""

    text: str
    callback_data: str | None
    url: str | None
    switch_inline_query: str | None
    switch_inline_query_current_chat: str | None
    raw: JSON


@dataclass(frozen=True)
class Webhook:
    """Where updates go while a webhook is set, and the secret to send with them."""

    url: str
    secret_token: str | None
    max_connections: int


@dataclass
class Message:
    """A message in a chat, a user's or the bot's, as it stands now (edits change it)."""

    message_id: int
    chat_id: int
    sender: JSON
    from_bot: bool
    date: int
    text: str
    plain: str
    entities: list[JSON]
    reply_markup: JSON | None
    reply_to: int | None
    edit_date: int | None = None


@dataclass
class Chat:
    """A chat: what Telegram says about it, and its messages by id."""

    info: JSON
    next_message_id: int = 1
    messages: dict[int, Message] = field(default_factory=dict)

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.info["id"])


def inline_markup(markup: JSON | None) -> JSON | None:
    """The markup if it is an inline keyboard: only those belong to a message."""
    return markup if markup is not None and "inline_keyboard" in markup else None


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits for sending messages (scaled up or down for tests)."""

    per_second: float = 30.0  # all chats together
    per_chat_per_second: float = 1.0  # one private chat
    per_group_per_minute: float = 20.0  # one group or supergroup


class Window:
    """Timestamps of recent sends in a sliding window of `seconds`."""

    def __init__(self, limit: float, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.seconds - now
