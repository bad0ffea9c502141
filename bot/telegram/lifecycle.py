"""Telegram as a front end of the core: the Application started and stopped in PTB's order,
updates by long polling or webhook, and the bot's HTTP server with /healthz."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.request import BaseRequest

from bot.app import Core
from bot.core.platforms import Platform
from bot.dispatch import Sender
from bot.flood import FloodControl
from bot.telegram import updates
from bot.telegram.app import build_application
from bot.telegram.http import AiohttpRequest
from bot.telegram.reminder_delivery import TelegramSender
from bot.telegram.updates import Poller
from bot.telegram.web import WebServer

log = logging.getLogger(__name__)
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


class TelegramFrontEnd:
    """Serves Telegram for the core: long polling, or a webhook when WEBHOOK_URL is set,
    and /healthz when a PORT is set (`poll=False` and no PORT: updates are fed by hand)."""

    platform = Platform.TELEGRAM

    def __init__(
        self,
        core: Core,
        *,
        poll: bool | None = None,
        token: str | None = None,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        flood: FloodControl | None = None,
    ) -> None:
        """The Application is built here (build_application: the same arguments), and the
        front end attached to the core."""
        self.core = core
        # aiohttp unless a test brings its own: httpx was most of the bot's CPU per message.
        self._requests = (
            request or AiohttpRequest(),
            updates_request or AiohttpRequest(pool_size=1),
        )
        self.app = app = build_application(
            core,
            token=token,
            request=self._requests[0],
            updates_request=self._requests[1],
            flood=flood,
        )
        settings = core.settings
        self.webhook = settings.webhook_endpoint
        self.poll = self.webhook is None if poll is None else poll
        self._sender = TelegramSender(app.bot, core.kb, paid=settings.paid_broadcast)
        self.poller = Poller(
            app,
            timeout=POLL_TIMEOUT_SECONDS,
            allowed_updates=ALLOWED_UPDATES,
            retry_seconds=updates.RETRY_SECONDS,
        )
        self.web: WebServer | None = None
        if settings.port is not None:
            self.web = WebServer(
                app,
                core.health,
                address=settings.listen_address,
                port=settings.port,
                webhook_path=settings.webhook_path if self.webhook else None,
                secret=settings.webhook_secret,
            )
        core.attach(self)

    @property
    def sender(self) -> Sender:
        """Sends reminders as Telegram messages."""
        return self._sender

    def healthy(self) -> bool:
        """Whether updates are being taken."""
        return bool(self.app.running)

    async def connect(self) -> None:
        """Initialize: getMe checks the token and the Bot API's address."""
        try:
            await self.app.initialize()
        except BaseException:
            # PTB shuts down only what initialized in full: the sessions are ours to close.
            for request in self._requests:
                await request.shutdown()
            raise

    async def start(self) -> None:
        """Publish the menus, start handling, then take updates."""
        app, settings = self.app, self.core.settings
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        if self.poll:
            await self.poller.start()
        if self.web is not None:
            await self.web.start()
            log.info("health at http://%s:%d/healthz", self.web.address, self.web.port)
        if self.webhook is not None:
            await app.bot.set_webhook(
                self.webhook,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=WEBHOOK_CONNECTIONS,
            )
            # The path is a secret of sorts: only the public base is worth a log line.
            log.info("taking updates by webhook at %s", settings.webhook_url)
        elif self.poll:
            log.info("taking updates by long polling from %s", settings.api_url)

    async def stop(self) -> None:
        """Take no more updates and handle those taken; the bot can still send."""
        if self.web is not None:
            self.web.stop_accepting()
        await self.poller.stop()
        if self.app.running:
            await self.app.stop()

    async def close(self) -> None:
        """Close the HTTP server and the bot's HTTP client."""
        if self.web is not None:
            await self.web.close()
        await self.app.shutdown()
