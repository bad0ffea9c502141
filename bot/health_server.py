"""GET /healthz on its own, for a bot with no Telegram front end (Telegram's HTTP server
serves it beside the webhook): 200 when every part is up, 503 naming what is not."""

from __future__ import annotations

import socket
from collections.abc import Callable

from aiohttp import web

Health = Callable[[], dict[str, bool]]


class ListenError(Exception):
    """A server cannot listen where the settings say; the message says why."""


def listen(address: str, port: int) -> socket.socket:
    """A listening socket on address:port ('::' takes IPv4 too); ListenError if it cannot."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        return socket.create_server(
            (address, port),
            family=family,
            # '::' means every interface, IPv4 included, as 0.0.0.0 does for IPv4.
            dualstack_ipv6=address == "::" and socket.has_dualstack_ipv6(),
        )
    except OSError as error:
        raise ListenError(
            f"cannot listen on {address}:{port} ({error.strerror or error})"
        ) from None


class HealthServer:
    """Answers /healthz (GET or HEAD) on one port, and 404 to anything else."""

    def __init__(self, health: Health, *, address: str, port: int) -> None:
        self.health = health
        self.address = address
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (port 0 picks a free one, kept in `port`); ListenError if it cannot."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)  # HEAD too
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        listener = listen(self.address, self.port)
        self.port = listener.getsockname()[1]
        await web.SockSite(runner, listener).start()
        self._runner = runner

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        parts = self.health()
        ready = all(parts.values())
        body = {"status": "ok" if ready else "unavailable", **parts}
        return web.json_response(body, status=200 if ready else 503)
