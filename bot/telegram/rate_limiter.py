"""PTB's rate-limiter seam over FloodControl: Telegram's windows, replies first, 429s local."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.flood import FloodControl, Priority

log = logging.getLogger(__name__)
# A reply hit by a 429 is tried again this often before the error reaches the handler.
REPLY_RETRIES = 3
# What counts as a message against the windows; edits, answers and polling do not.
_SENDS = ("send", "copy", "forward")

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class TelegramRateLimiter(BaseRateLimiter[Priority]):
    """Waits for room under Telegram's limits before each message; a reply (the default)
    goes before any background send, which passes `rate_limit_args=Priority.BACKGROUND`."""

    def __init__(self, flood: FloodControl) -> None:
        self.flood = flood

    async def initialize(self) -> None:
        """Nothing to set up: the windows start empty."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Priority | None,
    ) -> JSONResult:
        """Send within the windows. A 429 pauses only the chat it was about (everything for
        a request to no chat); a background send then gets the RetryAfter to reschedule,
        a reply is tried again after the wait."""
        priority = rate_limit_args or Priority.REPLY
        chat = data.get("chat_id")
        counted = chat is not None and endpoint.startswith(_SENDS)
        # Telegram's group and channel ids are negative; '@name' addresses a public one.
        group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        retries = 0
        while True:
            stamp = (
                await self.flood.acquire(chat, group=group, priority=priority) if counted else None
            )
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self.flood.pause(chat, seconds, refund=stamp)
                if priority is Priority.BACKGROUND or retries == REPLY_RETRIES:
                    raise
                retries += 1
                log.info("%s hit Telegram's flood limit; retrying in %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds)
