"""A PTB request backend that serves the bot's Bot API calls from a FakeBotApi, in process."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from tests.telegram_api.api import FakeBotApi
from tests.telegram_api.protocol import BotApiError


def _reply(code: int, body: object) -> tuple[int, bytes]:
    """An HTTP status and a JSON body, as Telegram's server would send them."""
    return code, json.dumps(body).encode("utf-8")


class InMemoryRequest(BaseRequest):
    """Answers PTB's requests from a FakeBotApi: no network, same errors as Telegram."""

    def __init__(
        self, api: FakeBotApi, *, token: str | None = None, read_timeout: float | None = 5.0
    ) -> None:
        """Serve `api`; with `token`, refuse any other token with 401 as Telegram does."""
        self.api = api
        self._token = token
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout; PTB adds the long-poll timeout to it for getUpdates."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    # The timeouts are typed `object` rather than PTB's private ODVInput alias; any value,
    # including BaseRequest.DEFAULT_NONE, is accepted, which keeps the override compatible.
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
        """Call the Bot API method named at the end of `url` and encode its reply."""
        _, token_part, api_method = urlsplit(url).path.rsplit("/", 2)
        token = token_part.removeprefix("bot")
        if self._token is not None and token != self._token:
            return _reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if method != "POST":
            # File downloads are not emulated.
            return _reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        # The JSON-encoded form is what goes over the wire, so decode it like Telegram does.
        params = request_data.json_parameters if request_data is not None else {}
        timeout = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        try:
            async with asyncio.timeout(timeout if isinstance(timeout, int | float) else None):
                result = await self.api.call(api_method, params)
        except TimeoutError as exc:
            raise TimedOut(f"{api_method} took longer than {timeout} s") from exc
        except BotApiError as error:
            return _reply(error.code, error.to_json())
        return _reply(200, {"ok": True, "result": result})
