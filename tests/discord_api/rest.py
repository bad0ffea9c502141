"""The REST plumbing: route table, auth, rate-limit headers and 429s, faults, and the record."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.discord_api.core import State
from tests.discord_api.limits import ApiError
from tests.discord_api.records import Request
from tests.discord_api.world import JSON

_LOGGER = logging.getLogger(__name__)
Reply = tuple[int, Any]  # status and JSON body (None for 204)


@dataclass
class Call:
    """One request, parsed: the route's parameters, query and body."""

    state: State
    params: dict[str, str]
    query: dict[str, str]
    body: Any


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    """One REST route: method, path template and handler; bot-token routes need auth."""

    method: str
    template: str
    handler: Handler
    bot_auth: bool = True

    @property
    def name(self) -> str:
        """'METHOD /template', as the record shows it."""
        return f"{self.method} {self.template}"

    def pattern(self) -> re.Pattern[str]:
        """The template as a regular expression over the path."""
        parts = re.split(r"(\{\w+\})", self.template)
        body = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in parts
        )
        return re.compile(body)


def path_pattern(pattern: str) -> re.Pattern[str]:
    """'POST /channels/*/messages' (or {name} for *) as a regex over 'METHOD /path'."""
    parts = re.split(r"(\*|\{\w+\})", pattern)
    return re.compile(
        "".join("[^/]+" if p == "*" or p.startswith("{") else re.escape(p) for p in parts)
    )


@dataclass
class RateLimitRule:
    """An injected 429: the next `count` requests matching the pattern get it."""

    pattern: re.Pattern[str]
    retry_after: float
    count: int
    global_: bool


@dataclass
class Limits:
    """Discord's rate limiting: per-route buckets, the global limit, injected 429s."""

    bucket_limit: int
    bucket_window: float
    global_limit: int | None
    rules: list[RateLimitRule] = field(default_factory=list)
    _windows: dict[str, list[float]] = field(default_factory=dict)  # key -> [start, count]
    _recent: deque[float] = field(default_factory=deque)

    def bucket(
        self, route: Route, params: dict[str, str], now: float
    ) -> tuple[dict[str, str], float]:
        """Count the request in its bucket; its headers, and how long it is over the limit."""
        keys = ("channel_id", "guild_id", "application_id", "interaction_id", "token")
        major = ":".join(params.get(k, "") for k in keys)
        key = f"{route.name}:{major}"
        window = self._windows.get(key)
        if window is None or now >= window[0] + self.bucket_window:
            window = self._windows[key] = [now, 0.0]
        window[1] += 1
        reset_after = window[0] + self.bucket_window - now
        headers = {
            "X-RateLimit-Limit": str(self.bucket_limit),
            "X-RateLimit-Remaining": str(max(0, self.bucket_limit - int(window[1]))),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.name.encode()).hexdigest()[:16],
        }
        return headers, (reset_after if window[1] > self.bucket_limit else 0.0)

    def over_global(self, now: float) -> float:
        """Count a bot-token request against the global limit; seconds over it, or 0."""
        if self.global_limit is None:
            return 0.0
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_limit:
            return self._recent[0] + 1.0 - now
        self._recent.append(now)
        return 0.0

    def injected(self, key: str) -> RateLimitRule | None:
        """The first injected 429 rule the request matches, used up by one."""
        for rule in self.rules:
            if rule.count > 0 and rule.pattern.fullmatch(key):
                rule.count -= 1
                return rule
        return None


def too_many(retry_after: float, scope: str, headers: dict[str, str]) -> tuple[int, JSON]:
    """Discord's 429 body, adding its headers to `headers`."""
    global_ = scope == "global"
    headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    headers["X-RateLimit-Scope"] = scope
    if global_:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3)}
    return 429, {**body, "global": global_, "code": 0}


async def read_body(request: web.Request) -> Any:
    """The JSON body, or a multipart body's payload_json with its files as attachments."""
    if request.content_type == "multipart/form-data":
        payload: JSON = {}
        files: list[JSON] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            else:
                files.append({"filename": part.filename, "size": len(data)})
        # An interaction callback carries its message in "data".
        target = payload["data"] if isinstance(payload.get("data"), dict) else payload
        attachments = target.get("attachments") or [{"id": n} for n in range(len(files))]
        for n, (info, meta) in enumerate(zip(attachments, files, strict=False)):
            info.update(meta, id=str(n), url=f"https://cdn.invalid/{meta['filename']}")
            info.setdefault("proxy_url", info["url"])
        target["attachments"] = attachments
        return payload
    raw = await request.read()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


class Api:
    """Answers /api/v10/...: every reply carries rate-limit headers; every request is recorded."""

    def __init__(self, state: State, routes: list[Route], limits: Limits) -> None:
        self.state = state
        self.limits = limits
        self.routes = [(route, route.pattern()) for route in routes]
        self.unknown: list[Request] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp's handler for every REST path."""
        state = self.state
        started = state.now()
        state.ledger.in_flight += 1
        path = "/" + request.match_info["tail"]
        route, params = self._match(request.method, path)
        headers = {"Via": "1.1 google"}
        body: Any = None
        try:
            body = await read_body(request)
            status, reply = await self._answer(request, route, params, path, body, headers)
        except ApiError as error:
            status, reply = error.status, error.body()
        except Exception as error:  # a stand-in bug: a 500 would have discord.py retry for 16 s
            _LOGGER.exception("stand-in Discord failed on %s %s", request.method, path)
            status, reply = 400, {"message": f"stand-in bug: {error!r}", "code": 0}
        except BaseException:  # cancelled: the client went away mid-request
            state.ledger.in_flight -= 1
            state.ledger.changed()
            raise
        record = Request(
            method=request.method,
            path=path,
            route=route.name if route else "",
            query=dict(request.query),
            status=status,
            started=started,
            finished=state.now(),
            authorization=request.headers.get("Authorization"),
            body=body,
            reply=reply,
        )
        if route is None:
            self.unknown.append(record)
        state.ledger.in_flight -= 1
        state.ledger.add_request(record)
        if reply is None:
            return web.Response(status=status, headers=headers)
        text = json.dumps(reply).encode()
        return web.Response(
            status=status, body=text, headers=headers, content_type="application/json"
        )

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route, pattern in self.routes:
            found = pattern.fullmatch(path)
            if route.method == method and found:
                return route, found.groupdict()
        return None, {}

    async def _answer(
        self,
        request: web.Request,
        route: Route | None,
        params: dict[str, str],
        path: str,
        body: Any,
        headers: dict[str, str],
    ) -> Reply:
        if request.match_info["version"] != "10":
            raise ApiError(400, 50041, "Invalid API version provided.")
        if route is None:
            return 404, {"message": "404: Not Found", "code": 0}
        auth = request.headers.get("Authorization", "")
        if route.bot_auth and not auth.startswith("Bot "):
            return 401, {"message": "401: Unauthorized", "code": 0}
        now = self.state.now()
        bucket_headers, over = self.limits.bucket(route, params, now)
        headers.update(bucket_headers)
        rule = self.limits.injected(f"{request.method} {path}")
        if rule is not None:
            return too_many(rule.retry_after, "global" if rule.global_ else "user", headers)
        if route.bot_auth and (wait := self.limits.over_global(now)):
            return too_many(wait, "global", headers)
        if over:
            return too_many(over, "user", headers)
        call = Call(self.state, params, dict(request.query), body)
        return await route.handler(call)
