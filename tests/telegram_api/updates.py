"""How updates leave the stand-in: long polling (one poller at a time, as on Telegram) or
a webhook set by the bot and delivered by a server that owns the transport."""

from __future__ import annotations

import asyncio
import copy
import re
from urllib.parse import urlsplit

from tests.telegram_api.protocol import (
    DEFAULT_WEBHOOK_CONNECTIONS,
    JSON,
    MAX_SECRET_TOKEN_LENGTH,
    POLL_CONFLICT,
    POLL_ENDED_BY_WEBHOOK,
    WEBHOOK_ACTIVE,
    WEBHOOK_CONNECTIONS_RANGE,
    BotApiError,
)
from tests.telegram_api.records import Webhook
from tests.telegram_api.state import State

_SECRET_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]*")


class Updates(State):
    """getUpdates, the webhook methods, and webhook delivery for a server."""

    @property
    def webhook(self) -> Webhook | None:
        """The webhook set by the bot, or None while it is to poll."""
        return self._webhook

    async def next_webhook_update(self) -> tuple[Webhook, JSON]:
        """Wait until a webhook is set and an update it wants is pending; return both."""
        while True:
            # Filtering only with a webhook set keeps the wake on each call cheap while polling.
            if self._webhook is not None:
                self._drop_unwanted()
                if self._updates:
                    return self._webhook, copy.deepcopy(self._updates[0])
            await self._changed.wait()

    def webhook_delivered(self, update_id: int) -> None:
        """The webhook accepted an update, so it leaves the queue."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._notify()

    def webhook_failed(self, message: str) -> None:
        """A delivery failed; getWebhookInfo reports it as the last error."""
        self._webhook_error = (int(self._clock()), message)
        self._notify()

    def _keep_allowed_updates(self, params: JSON) -> None:
        """Take allowed_updates if given: like Telegram, it sticks until changed again."""
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]

    def _drop_unwanted(self) -> None:
        """Forget pending updates of kinds the bot did not ask for."""
        if self._allowed_updates:
            self._updates = [
                u for u in self._updates if any(kind in u for kind in self._allowed_updates)
            ]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise BotApiError(409, WEBHOOK_ACTIVE)
        offset = params.get("offset") or 0
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        self._keep_allowed_updates(params)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._drop_unwanted()
        self._poll_generation += 1
        generation = self._poll_generation
        webhooks_set = self._webhooks_set
        # A newer poll ends an older one with 409, as on Telegram; wake it so it sees that.
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotApiError(409, POLL_CONFLICT)
            if webhooks_set != self._webhooks_set:
                raise BotApiError(409, POLL_ENDED_BY_WEBHOOK)
            remaining = deadline - loop.time()
            if self._updates or remaining <= 0:
                return self._updates[:limit]
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    def _set_webhook(self, params: JSON) -> bool:
        # Telegram reads a missing url as an empty one: both remove the webhook.
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        if url and not _is_webhook_url(url):
            raise BotApiError(400, "Bad Request: invalid webhook URL specified")
        if len(secret) > MAX_SECRET_TOKEN_LENGTH:
            raise BotApiError(400, "Bad Request: secret token is too long")
        if not _SECRET_TOKEN_CHARS.fullmatch(secret):
            raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url:
            return self._delete_webhook(params)
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._keep_allowed_updates(params)
        low, high = WEBHOOK_CONNECTIONS_RANGE
        connections = params.get("max_connections")
        if not isinstance(connections, int):
            connections = DEFAULT_WEBHOOK_CONNECTIONS
        if self._webhook is None or self._webhook.url != url:
            # Errors belong to an address: a new one starts clean, the same one keeps them.
            self._webhook_error = None
        self._webhook = Webhook(url, secret or None, min(max(connections, low), high))
        self._webhooks_set += 1
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        self._webhook_error = None
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        self._drop_unwanted()
        info: JSON = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info


def _is_webhook_url(url: str) -> bool:
    """Whether a webhook can be set to this URL; plain http too, as a local Bot API allows."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when what follows the colon is no port number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0
