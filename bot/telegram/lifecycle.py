"""Running the Application: start and stop in PTB's order, and serving until a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.telegram import updates
from bot.telegram.runtime import runtime
from bot.telegram.updates import Poller
from bot.telegram.web import WebServer

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Long-poll length: an idle bot asks Telegram for updates about this often.
POLL_TIMEOUT_SECONDS = 10
# Telegram's default; a bot answers in milliseconds, so more would only add connections.
WEBHOOK_CONNECTIONS = 40
# What the handlers use, asked for in both modes: Telegram keeps an earlier call's list when
# none is given, so leaving it out would carry one mode's choice over to the other.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]


@asynccontextmanager
async def running(app: Application, *, poll: bool) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Run the application (and long polling if `poll`) for the duration of the block, with
    the same start and stop order as PTB's run_polling, hooks included: on the way out no
    more updates are taken, those taken are handled, sends in flight finish, and the
    database closes last."""
    poller = Poller(
        app,
        timeout=POLL_TIMEOUT_SECONDS,
        allowed_updates=ALLOWED_UPDATES,
        retry_seconds=updates.RETRY_SECONDS,
    )
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        if poll:
            await poller.start()
        yield
    finally:
        await poller.stop()
        if app.running:
            await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def serve(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve Telegram by long polling or webhook, with /healthz when a PORT is set, until
    `stop` is set (by default: until SIGTERM or SIGINT, and a second signal ends the
    process at once); then stop gracefully."""
    loop = asyncio.get_running_loop()
    signals = SIGNALS if stop is None else ()
    stopping = stop or asyncio.Event()

    def on_signal(name: str) -> None:
        log.info("%s received: stopping gracefully", name)
        for number in signals:
            loop.remove_signal_handler(number)
        stopping.set()

    for number in signals:
        loop.add_signal_handler(number, on_signal, number.name)
    webhook = settings.webhook_endpoint
    web = None
    if settings.port is not None:
        web = WebServer(
            app,
            lambda: runtime(app).health(app),
            address=settings.listen_address,
            port=settings.port,
            webhook_path=settings.webhook_path if webhook else None,
            secret=settings.webhook_secret,
        )
    try:
        async with running(app, poll=webhook is None):
            if web is not None:
                await web.start()
                log.info("health at http://%s:%d/healthz", web.address, web.port)
            if webhook is not None:
                await app.bot.set_webhook(
                    webhook,
                    secret_token=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=WEBHOOK_CONNECTIONS,
                )
                # The path is a secret of sorts: only the public base is worth a log line.
                log.info("taking updates by webhook at %s", settings.webhook_url)
            else:
                log.info("taking updates by long polling from %s", settings.api_url)
            await stopping.wait()
            if web is not None:
                web.stop_accepting()
    finally:
        if web is not None:
            await web.close()
        for number in signals:
            loop.remove_signal_handler(number)
