"""A real HTTP Bot API on 127.0.0.1, backed by a FakeBotApi and delivering to webhooks."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import socket
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from tests.telegram_api import JSON, BotApiError, FakeBotApi, RateLimits, Webhook

_LOGGER = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Long enough for any healthy bot; a hung webhook then shows as Telegram's timeout error.
_WEBHOOK_TIMEOUT = 30.0
FREEZE_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request the server received."""

    method: str
    token: str


@dataclass(frozen=True)
class WebhookPost:
    """One attempt to deliver an update to the bot's webhook."""

    update_id: int
    url: str
    status: int | None  # the webhook's HTTP status; None when no reply came
    error: str | None  # as getWebhookInfo's last_error_message shows it; None if delivered


@dataclass
class SendCounts:
    """sendMessage calls and their chats, counted up to `seen` entries of the outbox."""

    seen: int = 0
    sent: int = 0
    chats: set[object] = field(default_factory=set)


def _error(code: int, description: str) -> dict[str, Any]:
    """Telegram's error body."""
    return {"ok": False, "error_code": code, "description": description}


class _JsonHandler(tornado.web.RequestHandler):
    """Replies the way Telegram's server does: JSON, with the status in the body too."""

    def reply(self, code: int, body: dict[str, Any]) -> None:
        """Send one JSON reply."""
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class _NotFoundHandler(_JsonHandler):
    """Anything that is not /bot<token>/<method>."""

    def prepare(self) -> None:
        """Refuse before any method handler runs."""
        self.reply(404, _error(404, "Not Found"))


class _BotApiHandler(_JsonHandler):
    """/bot<token>/<method>, by GET or POST, with form, multipart or JSON parameters."""

    def initialize(self, server: BotApiServer) -> None:
        """Tornado's per-request set-up."""
        self.server = server
        self.call: asyncio.Future[Any] | None = None
        self.gone = False

    async def get(self, token: str, method: str) -> None:
        """Telegram accepts GET too."""
        await self.serve(token, method)

    async def post(self, token: str, method: str) -> None:
        """The usual way."""
        await self.serve(token, method)

    def on_connection_close(self) -> None:
        """The client gave up (e.g. a cancelled long poll): stop waiting for it."""
        self.gone = True
        if self.call is not None:
            self.call.cancel()

    def params(self) -> dict[str, Any]:
        """The request's parameters, undecoded beyond what the transport requires."""
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the JSON body must be an object")
            return body
        return {
            name: values[-1].decode("utf-8") for name, values in self.request.arguments.items()
        }

    async def serve(self, token: str, method: str) -> None:
        """Check the token, call the FakeBotApi, and reply like Telegram."""
        self.server.requests.append(ApiRequest(method, token))
        if token != self.server.token:
            self.reply(401, _error(401, "Unauthorized"))
            return
        try:
            params = self.params()
        except ValueError as exc:
            self.reply(400, _error(400, f"Bad Request: can't parse request body: {exc}"))
            return
        if self.server.should_drop(method, params):
            # As a flaky network does: the request is never handled and no reply comes back.
            self.request.connection.close()  # type: ignore[union-attr]
            return
        self.call = asyncio.ensure_future(self.server.api.call(method, params))
        self.server.calls.add(self.call)
        try:
            result = await self.call
        except asyncio.CancelledError:
            # Only our own cancel reaches here: the client left, or the server is stopping.
            if not self.gone:
                self.reply(502, _error(502, "Bad Gateway"))
            return
        except BotApiError as error:
            self.reply(error.code, error.to_json())
            return
        except Exception as exc:
            _LOGGER.exception("FakeBotApi failed on %s", method)
            self.reply(500, _error(500, f"Internal Server Error: {exc!r}"))
            return
        finally:
            self.server.calls.discard(self.call)
        self.reply(200, {"ok": True, "result": result})


def first_button(markup: dict[str, Any] | None) -> str | None:
    """The callback data of a keyboard's first button, if it has one."""
    rows = (markup or {}).get("inline_keyboard") or [[{}]]
    data = rows[0][0].get("callback_data") if rows[0] else None
    return str(data) if data is not None else None


class _ControlHandler(_JsonHandler):
    """For benchmarks running the server in its own process: open chats, read statistics."""

    def initialize(self, server: BotApiServer) -> None:
        """Tornado's per-request set-up."""
        self.server = server

    def get(self, what: str) -> None:
        """/_control/stats: every message sent as [chat_id, time, first button's data or
        null] (a reminder's buttons name it), the 429s, and when each user's last message
        was injected; with ?counts=1 only how many sends and chats."""
        api = self.server.api
        if self.get_argument("counts", ""):
            # Polled during a run: counted from where the last poll stopped (the outbox only
            # grows). Listing 100 000 sends each time stalled the server for a tenth of a
            # second every poll, and the bot's sends bunched up behind it.
            count = self.server.counts
            for sent in api.outbox[count.seen :]:
                if sent.method == "sendMessage":
                    count.sent += 1
                    count.chats.add(sent.chat_id)
            count.seen = len(api.outbox)
            self.reply(200, {"sent": count.sent, "chats": len(count.chats)})
            return
        sends = [
            [s.chat_id, s.at, first_button(s.reply_markup)]
            for s in api.outbox
            if s.method == "sendMessage"
        ]
        body = {
            "sends": sends,
            "too_many_requests": api.too_many_requests,
            "injected": self.server.injected,
        }
        self.reply(200, body)

    def post(self, what: str) -> None:
        """/_control/open_chats?first=1&count=N: users 1..N have started the bot before.
        /_control/messages?first=1&count=N&text=T: users 1..N each send T now, in their
        private chats or, with &chat_type=group&chat_id=-C, in that group."""
        first, count = int(self.get_argument("first")), int(self.get_argument("count"))
        chat_type = self.get_argument("chat_type", "private")
        chat_id = int(self.get_argument("chat_id")) if chat_type != "private" else None
        for user in range(first, first + count):
            if what == "messages":
                text = self.get_argument("text")
                self.server.api.send_text(text, user_id=user, chat_id=chat_id, chat_type=chat_type)
                self.server.injected[str(user)] = time.time()
            else:
                self.server.api.open_private_chat(user)
        self.reply(200, {"ok": True})


class BotApiServer:
    """Serves a FakeBotApi over HTTP on a free port while used as an async context manager."""

    def drop_connections(self, method: str, chat_ids: set[int], times: int) -> None:
        """Close the next `times` connections that call `method` for one of `chat_ids`
        without handling the request or replying."""
        self._drops[method] = (set(chat_ids), times)

    def should_drop(self, method: str, params: dict[str, Any]) -> bool:
        """Whether this request is one to drop (and count it if so)."""
        chats, left = self._drops.get(method, (set(), 0))
        if left <= 0 or str(params.get("chat_id")) not in {str(c) for c in chats}:
            return False
        self._drops[method] = (chats, left - 1)
        self.dropped += 1
        return True

    def __init__(
        self,
        api: FakeBotApi | None = None,
        *,
        token: str = "123:ABC",
        webhook_backoff: float = 0.1,
    ) -> None:
        """Serve `api` (a fresh one by default) to clients that use `token`."""
        self.api = api or FakeBotApi()
        self.token = token
        # Seconds before a failed delivery is tried again; Telegram waits longer.
        self.webhook_backoff = webhook_backoff
        self.webhook_posts: list[WebhookPost] = []
        self._delivery: asyncio.Task[None] | None = None
        self.requests: list[ApiRequest] = []
        self.calls: set[asyncio.Future[Any]] = set()
        self.port = 0
        self._http: tornado.httpserver.HTTPServer | None = None
        self._drops: dict[str, tuple[set[int], int]] = {}
        self.injected: dict[str, float] = {}
        self.dropped = 0
        self.counts = SendCounts()

    @property
    def base_url(self) -> str:
        """What to give PTB's ApplicationBuilder.base_url; PTB appends the token."""
        if not self.port:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> Self:
        """Bind a free port on 127.0.0.1 and start serving in the running event loop."""
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.port = sockets[0].getsockname()[1]
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z]+)", _BotApiHandler, {"server": self}),
                (r"/_control/(stats|open_chats|messages)", _ControlHandler, {"server": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=lambda handler: None,
        )
        self._http = tornado.httpserver.HTTPServer(app)
        self._http.add_sockets(sockets)
        self._delivery = asyncio.create_task(self._deliver_updates())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop delivering and listening, end pending calls (long polls), close connections."""
        if self._delivery is not None:
            self._delivery.cancel()
            await asyncio.wait([self._delivery])
            if not self._delivery.cancelled():
                # It only ends by a crash, a bug in the stand-in: show it.
                self._delivery.result()
            self._delivery = None
        if self._http is None:
            return
        self._http.stop()
        pending = list(self.calls)
        for call in pending:
            call.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._http.close_all_connections()
        self._http = None

    async def _deliver_updates(self) -> None:
        """While a webhook is set, POST it each pending update, one at a time in order."""
        # The environment's proxy settings are for the outside world, not for loopback.
        async with httpx.AsyncClient(trust_env=False, timeout=_WEBHOOK_TIMEOUT) as client:
            while True:
                webhook, update = await self.api.next_webhook_update()
                post = await self._post(client, webhook, update)
                # Recorded before the api wakes its waiters, so they see it.
                self.webhook_posts.append(post)
                if post.error is None:
                    self.api.webhook_delivered(post.update_id)
                else:
                    self.api.webhook_failed(post.error)
                    await asyncio.sleep(self.webhook_backoff)

    @staticmethod
    async def _post(client: httpx.AsyncClient, webhook: Webhook, update: JSON) -> WebhookPost:
        """Send one update to the webhook; what happened, in Telegram's words."""
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(webhook.url, json=update, headers=headers)
        except httpx.ConnectError:
            # On loopback a failed connect is a closed port.
            error = "Connection refused"
        except httpx.TimeoutException:
            error = "Read timeout expired"
        except httpx.HTTPError:
            error = "Webhook connection closed"
        else:
            status = response.status_code
            if not 200 <= status <= 299:
                error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
        return WebhookPost(update["update_id"], webhook.url, status, error)


async def serve_forever(token: str, limits: RateLimits | None) -> None:
    """Run a server until killed, printing its port first (for benchmark processes)."""
    async with BotApiServer(FakeBotApi(limits=limits), token=token) as server:
        print(server.port, flush=True)
        while True:
            # Everything it has recorded so far leaves the collector's view: a burst's
            # 100 000 messages made each full collection a pause of up to a second, during
            # which the stand-in answered nobody (seen as seconds with no sends at all).
            gc.freeze()
            await asyncio.sleep(FREEZE_EVERY_SECONDS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A stand-in Bot API server on 127.0.0.1.")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, help="messages per second in all (429 above)")
    arguments = parser.parse_args()
    rate = arguments.rate
    asyncio.run(serve_forever(arguments.token, RateLimits(per_second=rate) if rate else None))
