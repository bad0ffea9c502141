"""The stand-in Bot API in its own process (as Telegram's server is), for benchmarks."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen

TOKEN = "123456789:AAExampleExampleExampleExample_1234"


@asynccontextmanager
async def stand_in(rate: float | None = None, open_chats: int = 0) -> AsyncIterator[str]:
    """Start the server (with a flood limit of `rate` msg/s if given, 429 above it) and
    users 1..open_chats' chats open; yield its root URL; kill it afterwards."""
    limit = ("--rate", str(rate)) if rate else ()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.bot_api_server", "--token", TOKEN, *limit),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        root = f"http://127.0.0.1:{(await process.stdout.readline()).decode().strip()}"
        if open_chats:
            await control(root, "open_chats", first=1, count=open_chats)
        yield root
    finally:
        process.kill()
        await process.wait()


async def control(root: str, what: str, **query: str | int) -> None:
    """POST a control request (open_chats, messages)."""
    url = f"{root}/_control/{what}?{urlencode(query)}"
    await asyncio.to_thread(_read, Request(url, method="POST", data=b""))


async def bot_call(root: str, method: str, **params: str | int) -> None:
    """Call a Bot API method as a bot process would (say, an earlier run of the bot)."""
    url = f"{root}/bot{TOKEN}/{method}?{urlencode(params)}"
    await asyncio.to_thread(_read, Request(url, method="POST", data=b""))


async def stats(root: str, *, counts_only: bool = False) -> dict[str, Any]:
    """What the server has seen: sends as [chat_id, time], 429s, injection times; or, with
    `counts_only`, just {"sent": n, "chats": n} (cheap enough to poll)."""
    query = "?counts=1" if counts_only else ""
    body = await asyncio.to_thread(_read, f"{root}/_control/stats{query}")
    data: dict[str, Any] = json.loads(body)
    return data


def _read(request: Request | str) -> bytes:
    with urlopen(request) as response:
        body: bytes = response.read()
    return body
