"""PTB's HTTP transport over aiohttp: the same Bot API calls for a fifth of httpx's CPU.

Measured on loopback, 8 requests in flight: httpx ~1.1 ms of CPU a request, aiohttp ~0.2 ms
(client and server together). In a burst of reminders httpx was ~75 % of the bot's CPU and
the reason it reached half of a 1 000/s limit. aiohttp is already here (discord.py's).
"""

from __future__ import annotations

import re
import ssl
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults for HTTPXRequest, so the switch changes no behaviour but the cost.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
_JSON = {"Content-Type": "application/json"}
# Bot API URLs carry the token: an error message never does.
_TOKEN_IN_PATH = re.compile(r"/bot[^/]*")


def _given(value: object, default: float | None) -> float | None:
    """A timeout PTB passed, or this transport's default for it."""
    if isinstance(value, int | float) or value is None:
        return value
    return default  # BaseRequest.DEFAULT_NONE: the caller left it to us


def _total(*parts: float | None) -> float | None:
    """A bound on the whole request: aiohttp has no write timeout, so a stalled upload is
    bounded by the sum of the phases' limits (none when any phase is unbounded)."""
    return None if any(part is None for part in parts) else sum(p for p in parts if p)


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` (PTB's documented extension point) on an aiohttp session opened by
    initialize(), with HTTPXRequest's timeouts and errors: TimedOut, NetworkError."""

    def __init__(
        self,
        *,
        pool_size: int = 256,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # by scheme and host

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds the long poll's to it for getUpdates."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            # certifi's roots, as httpx uses: the same servers are trusted as before.
            context = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=context),
                # Not trust_env: it reads ~/.netrc and the proxy variables in a thread on
                # every request. The proxy is looked up once per host instead (_proxy).
                headers={"User-Agent": self.USER_AGENT},
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()

    def _proxy(self, url: str) -> str | None:
        """The proxy HTTPS_PROXY, HTTP_PROXY or ALL_PROXY names for this URL's host (unless
        NO_PROXY exempts it), as httpx honoured them: read once per scheme and host."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.hostname}"
        if key not in self._proxies:
            proxies = getproxies()
            exempt = parts.hostname is None or proxy_bypass(parts.hostname)
            chosen = None if exempt else proxies.get(parts.scheme) or proxies.get("all")
            self._proxies[key] = chosen
        return self._proxies[key]

    # The timeouts are typed `object`, not PTB's private ODVInput alias: any value,
    # BaseRequest.DEFAULT_NONE included, is accepted, which keeps the override compatible.
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; its HTTP status and body. PTB's post() reads the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),  # aiohttp's connect includes the wait for the pool
            sock_connect=connect,
            sock_read=read,
        )
        body: bytes | aiohttp.FormData | None = None
        headers: dict[str, str] | None = None
        if request_data is not None and files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mime)
        elif request_data is not None:
            # The Bot API reads a JSON body's values as it reads form fields; json.dumps is C,
            # where form-encoding quotes the text byte by byte in Python.
            body, headers = request_data.json_payload, _JSON
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's ServerTimeoutError is one
            raise TimedOut from error
        except aiohttp.ClientError as error:
            detail = _TOKEN_IN_PATH.sub("/bot…", str(error))
            raise NetworkError(f"aiohttp.{type(error).__name__}: {detail}") from error
