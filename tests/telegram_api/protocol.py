"""The Bot API's rules as the stand-in enforces them: limits, Telegram's error texts, the
error reply, and parameters read as Telegram reads them (form fields or JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_COMMANDS = 100
MAX_SECRET_TOKEN_LENGTH = 256
# setWebhook's max_connections: Telegram's default, and the range it clamps other values to.
DEFAULT_WEBHOOK_CONNECTIONS = 40
WEBHOOK_CONNECTIONS_RANGE = (1, 100)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_ENDED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"
BUTTON_PREFIX = "Bad Request: can't parse inline keyboard button: "

# Parameters PTB (and any form-encoding client) sends as JSON text; Telegram decodes them.
_JSON_PARAMS = frozenset(
    {
        "allowed_updates",
        "button",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "results",
        "scope",
    }
)
_INT_PARAMS = frozenset(
    {
        "cache_time",
        "limit",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "reply_to_message_id",
        "timeout",
        "user_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "is_personal",
        "protect_content",
        "show_alert",
    }
)
_INTEGER = re.compile(r"-?\d+")


class BotApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": code, "description": ...}."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Keep the fields Telegram sends back."""
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JSON:
        """The reply body Telegram would send."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {
            "retry_after": self.retry_after,
            "migrate_to_chat_id": self.migrate_to_chat_id,
        }
        if any(value is not None for value in parameters.values()):
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        return body


def normalize(params: Mapping[str, Any]) -> JSON:
    """Parameters as Telegram reads them, whether they came as form fields or JSON."""
    out: JSON = {}
    for key, raw in params.items():
        value = raw.decode() if isinstance(raw, bytes) else raw
        if value is None:
            continue
        if isinstance(value, str):
            if key in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise BotApiError(400, f"Bad Request: can't parse {key} JSON object") from None
            elif key in _INT_PARAMS or (key == "chat_id" and _INTEGER.fullmatch(value)):
                try:
                    value = int(float(value))
                except ValueError:
                    raise BotApiError(400, f"Bad Request: invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.lower() in ("true", "1")
        out[key] = value
    return out


def require_int(params: JSON, key: str) -> int:
    """An integer parameter Telegram insists on."""
    value = params.get(key)
    if value is None or value == "":
        raise BotApiError(400, f"Bad Request: {key} is empty")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BotApiError(400, f"Bad Request: invalid {key} specified")
    return value
