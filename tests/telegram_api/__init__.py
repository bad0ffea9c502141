"""An in-memory Telegram Bot API for the tests and benchmarks: the methods the bot calls,
validated the way Telegram does, with a user side that makes updates (served over HTTP by
tests/bot_api_server.py, or in process by request.InMemoryRequest)."""

from tests.telegram_api.api import FakeBotApi
from tests.telegram_api.parse_mode import HtmlParseError, parse_html, utf16_length
from tests.telegram_api.protocol import (
    JSON,
    NOT_MODIFIED,
    POLL_ENDED_BY_WEBHOOK,
    QUERY_TOO_OLD,
    WEBHOOK_ACTIVE,
    BotApiError,
)
from tests.telegram_api.records import Button, RateLimits, Sent, StoredMessage, Webhook

__all__ = [
    "JSON",
    "NOT_MODIFIED",
    "POLL_ENDED_BY_WEBHOOK",
    "QUERY_TOO_OLD",
    "WEBHOOK_ACTIVE",
    "BotApiError",
    "Button",
    "FakeBotApi",
    "HtmlParseError",
    "RateLimits",
    "Sent",
    "StoredMessage",
    "Webhook",
    "parse_html",
    "utf16_length",
]
