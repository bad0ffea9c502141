"""Taking updates from Telegram: each one read with distrust, and long polling that neither
an update it cannot read nor a second instance of the bot can wedge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.telegram.rate_limiter import retry_seconds

log = logging.getLogger(__name__)
# How long to wait after a failed poll. A second instance retries this often, so it takes
# over within this time once the first one stops.
RETRY_SECONDS = 5.0


def parse_update(data: object, bot: Bot) -> Update | None:
    """The update in decoded JSON, or None if it is not one the bot can read."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    # PTB's parser meets data it never expected in as many ways as the data can be wrong
    # (types, missing fields, huge dates, nesting too deep): each only means "unreadable".
    except Exception:
        return None


class Poller:
    """Long polling in place of PTB's Updater, which fetches an update it cannot parse again
    and again (never moving past it) and logs a traceback for each 409 Conflict."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        *,
        timeout: int,
        allowed_updates: Sequence[str],
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.app = app
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.retry_seconds = retry_seconds
        self._offset = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Remove any webhook (Telegram refuses getUpdates while one is set) and start
        polling; errors from the first call reach the caller, as a start-up problem."""
        await self.app.bot.delete_webhook()
        self._task = asyncio.create_task(self._poll(), name="polling")

    async def stop(self) -> None:
        """Stop polling, then confirm what was fetched so a restart does not handle it
        again."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if not self._offset:
            return
        try:
            await self._get_updates(hold=0, limit=1)
        except TelegramError as error:
            log.warning("could not confirm the last updates fetched: %s", error)

    async def _poll(self) -> None:
        # What went wrong last, so each kind of trouble is logged once, not on every retry.
        trouble: str | None = None
        # A 409 right after a good poll is most likely a newcomer's first request: the bot
        # that was taking updates asks again at once, and the newcomer is the one to wait.
        taking = False
        while True:
            try:
                batch = await self._get_updates(hold=self.timeout)
            except TimedOut:
                continue
            # Anything else (a Bot API error, or a fault of ours) waits and tries again: the
            # poll must not die quietly while /healthz still says updates are coming.
            except Exception as error:
                wait = (
                    retry_seconds(error) if isinstance(error, RetryAfter) else self.retry_seconds
                )
                if isinstance(error, Conflict) and taking:
                    taking = False
                    continue
                if trouble != type(error).__name__:
                    trouble = type(error).__name__
                    log.warning("cannot take updates (%s); trying again every %g s", error, wait)
                await asyncio.sleep(wait)
                continue
            if trouble is not None:
                log.info("taking updates again")
                trouble = None
            taking = True
            await self._queue(batch)

    async def _queue(self, batch: object) -> None:
        """Hand each readable update to the application; skip the others, confirming them
        with the next poll like any other."""
        for data in batch if isinstance(batch, list) else ():
            update = parse_update(data, self.app.bot)
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if update is None:
                # Never the data itself: it can hold what users wrote.
                log.warning("skipped update %s: it is not one the bot can read", update_id)
            else:
                await self.app.update_queue.put(update)
            if type(update_id) is int:
                self._offset = max(self._offset, update_id + 1)

    async def _get_updates(self, *, hold: int, limit: int | None = None) -> Any:
        """One getUpdates call that Telegram may `hold` open that many seconds, its answer
        as decoded JSON: PTB's get_updates would parse every update at once and fail for
        all of them if one cannot be read."""
        parameters = {
            "offset": self._offset or None,
            "timeout": hold,
            "limit": limit,
            "allowed_updates": self.allowed_updates,
        }
        read_timeout = (self.app.bot.request.read_timeout or 0) + hold
        # The one call PTB's get_updates makes before it parses; the request's own error
        # mapping (409, 429, timeouts) comes with it.
        return await self.app.bot._post(
            "getUpdates",
            {key: value for key, value in parameters.items() if value is not None},
            read_timeout=read_timeout,
        )
