"""The bot's own HTTP server: Telegram's webhook (in webhook mode) and the /healthz probe."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.web
from telegram.ext import Application

from bot.health_server import listen
from bot.telegram.updates import parse_update

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything far bigger is not from Telegram.
MAX_BODY_BYTES = 1 << 20
Health = Callable[[], dict[str, bool]]


class _Handler(tornado.web.RequestHandler):
    """Answers in a few bytes of JSON and never lets tornado log a request on its own."""

    def reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        """Send one JSON reply."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors tornado raises itself (bad method, body too big) stay short too."""
        self.finish(json.dumps({"ok": False, "status": status_code}))


class _NotFound(_Handler):
    """Any other path: the same answer whatever the method, so paths cannot be probed."""

    def prepare(self) -> None:
        """Refuse before any method handler runs."""
        self.reply(HTTPStatus.NOT_FOUND, {"ok": False})


class _Healthz(_Handler):
    """GET /healthz: 200 when every part is up, 503 naming what is not."""

    def initialize(self, health: Health) -> None:
        """Tornado's per-request set-up."""
        self.health = health

    def get(self) -> None:
        """Report readiness; a probe needs no more than this."""
        parts = self.health()
        ready = all(parts.values())
        body = {"status": "ok" if ready else "unavailable", **parts}
        self.reply(HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE, body)

    def head(self) -> None:
        """Some probes only ask for the status."""
        self.get()


class _Webhook(_Handler):
    """POST <secret path>: one update from Telegram, checked for the secret token."""

    def initialize(self, server: WebServer) -> None:
        """Tornado's per-request set-up."""
        self.server = server

    def prepare(self) -> None:
        """Anything but a POST gets what any unknown path gets."""
        if self.request.method != "POST":
            self.reply(HTTPStatus.NOT_FOUND, {"ok": False})

    async def post(self) -> None:
        """Queue the update for the Application, or refuse it without reading it."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.server.secret.encode()):
            # Never the body nor the header's value: only that it happened, and from where.
            log.warning(
                "webhook request refused: %s secret token",
                "wrong" if given else "no",
                extra={"fields": {"remote": self.request.remote_ip}},
            )
            self.reply(HTTPStatus.FORBIDDEN, {"ok": False})
            return
        app = self.server.app
        if not self.server.accepting or not app.running:
            # Telegram keeps the update and tries again: the next start will take it.
            self.reply(HTTPStatus.SERVICE_UNAVAILABLE, {"ok": False})
            return
        try:
            update = parse_update(json.loads(self.request.body), app.bot)
        # Nesting too deep for the decoder raises RecursionError, not a ValueError.
        except (ValueError, RecursionError):
            update = None
        if update is None:
            log.warning(
                "webhook request refused: not an update (%d bytes)",
                len(self.request.body),
                extra={"fields": {"remote": self.request.remote_ip}},
            )
            self.reply(HTTPStatus.BAD_REQUEST, {"ok": False})
            return
        await app.update_queue.put(update)
        self.reply(HTTPStatus.OK, {"ok": True})


class WebServer:
    """Serves /healthz, and the webhook when `webhook_path` is given, on one port."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        health: Health,
        *,
        address: str,
        port: int,
        webhook_path: str | None = None,
        secret: str = "",
    ) -> None:
        self.app = app
        self.secret = secret
        self.address = address
        self.port = port
        self.accepting = False
        routes: list[Any] = [(r"/healthz", _Healthz, {"health": health})]
        if webhook_path is not None:
            routes.append((webhook_path, _Webhook, {"server": self}))
        self._web = tornado.web.Application(
            routes, default_handler_class=_NotFound, log_function=lambda handler: None
        )
        self._http: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        """Listen (port 0 picks a free one, kept in `port`); ListenError if it cannot."""
        # Not tornado's bind_sockets: it leaks the socket when the bind fails.
        listener = listen(self.address, self.port)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._http = tornado.httpserver.HTTPServer(self._web, max_body_size=MAX_BODY_BYTES)
        self._http.add_sockets([listener])
        self.accepting = True

    def stop_accepting(self) -> None:
        """Take no more updates: new connections are refused, and a request on a kept-alive
        one is answered 503 so Telegram delivers it again after the restart."""
        self.accepting = False
        if self._http is not None:
            self._http.stop()

    async def close(self) -> None:
        """Close every connection that is left."""
        self.stop_accepting()
        if self._http is not None:
            try:
                await asyncio.wait_for(self._http.close_all_connections(), timeout=5)
            except TimeoutError:
                log.warning("some HTTP connections were still open at exit")
            self._http = None
