"""The aiohttp transport (bot/telegram/http.py) over real HTTP on loopback: what it sends,
how it fails (TimedOut, NetworkError, never the token), uploads and proxies."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.http import AiohttpRequest

TOKEN = "123456:SECRET-token-value"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[str]:
    """An HTTP server on loopback answering every request with `handler`; its root URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def transport(
    read_timeout: float | None = 5.0, connect_timeout: float | None = 5.0
) -> AsyncIterator[AiohttpRequest]:
    """An initialized transport, shut down afterwards."""
    request = AiohttpRequest(read_timeout=read_timeout, connect_timeout=connect_timeout)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def message_data(text: str) -> RequestData:
    return RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("text", text),
            RequestParameter.from_input("reply_markup", {"inline_keyboard": [[{"text": "OK"}]]}),
        ]
    )


async def test_a_message_goes_as_json_with_the_bot_api_reading_of_its_values() -> None:
    seen: list[tuple[str, str, dict[str, str], str]] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.path, request.content_type, body, request.headers["User-Agent"]))
        return web.json_response({"ok": True, "result": {"message_id": 7}})

    async with server(handler) as root, transport() as request:
        status, body = await request.do_request(
            f"{root}/bot{TOKEN}/sendMessage", "POST", message_data("Ünïcode & <b>")
        )
    assert status == 200
    assert json.loads(body) == {"ok": True, "result": {"message_id": 7}}
    path, content_type, params, agent = seen[0]
    assert path == f"/bot{TOKEN}/sendMessage"
    assert content_type == "application/json"
    # As form fields would carry them: numbers and objects JSON-encoded, text as it is.
    assert params == {
        "chat_id": "42",
        "text": "Ünïcode & <b>",
        "reply_markup": '{"inline_keyboard": [[{"text": "OK"}]]}',
    }
    assert "python-telegram-bot" in agent


async def test_an_error_status_and_its_body_reach_ptb_as_they_came() -> None:
    async def handler(request: web.Request) -> web.Response:
        answer = {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}}
        return web.json_response(answer, status=429)

    async with server(handler) as root, transport() as request:
        status, body = await request.do_request(f"{root}/bot{TOKEN}/sendMessage", "POST")
    assert status == 429
    assert json.loads(body)["parameters"] == {"retry_after": 3}


async def test_a_file_goes_as_multipart_with_its_name_and_type() -> None:
    parts: dict[str, tuple[str | None, str | None, bytes]] = {}

    async def handler(request: web.Request) -> web.Response:
        reader = await request.multipart()
        async for part in reader:
            parts[part.name or ""] = (
                part.filename,
                part.headers.get("Content-Type"),
                await part.read(),
            )
        return web.json_response({"ok": True, "result": True})

    upload = InputFile(b"week,cramps\n1,3\n", filename="diary.csv")
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("document", upload),
        ]
    )
    async with server(handler) as root, transport() as request:
        status, _ = await request.do_request(f"{root}/bot{TOKEN}/sendDocument", "POST", data)
    assert status == 200
    assert parts["chat_id"][2] == b"42"
    filename, mime, content = next(v for k, v in parts.items() if k != "chat_id")
    assert (filename, content) == ("diary.csv", b"week,cramps\n1,3\n")
    assert mime == "text/csv"


async def test_a_slow_answer_is_timed_out_at_the_read_timeout_ptb_passes() -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": []})

    async with server(handler) as root, transport(read_timeout=5.0) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"{root}/bot{TOKEN}/getUpdates", "POST", read_timeout=0.2)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_no_server_is_a_network_error_that_does_not_name_the_token() -> None:
    async with transport() as request:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{closed_port()}/bot{TOKEN}/getMe", "POST")
    assert not isinstance(raised.value, TimedOut)
    assert "SECRET" not in str(raised.value)
    assert "aiohttp." in str(raised.value)


async def test_it_is_unusable_before_initialize_and_usable_again_after_a_shutdown() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": True})

    request = AiohttpRequest()
    async with server(handler) as root:
        with pytest.raises(RuntimeError):
            await request.do_request(f"{root}/bot{TOKEN}/getMe", "POST")
        for _ in range(2):
            await request.initialize()
            assert (await request.do_request(f"{root}/bot{TOKEN}/getMe", "POST"))[0] == 200
            await request.shutdown()
        await request.shutdown()  # twice is harmless


async def test_the_proxy_variables_are_honoured_and_no_proxy_exempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reached: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        reached.append(str(request.url.host))
        return web.json_response({"ok": True, "result": True})

    async with server(proxy) as root:
        monkeypatch.setenv("HTTP_PROXY", root)
        monkeypatch.setenv("NO_PROXY", "direct.invalid")
        async with transport(connect_timeout=1.0) as request:
            # An address only the proxy can answer for.
            status, _ = await request.do_request(f"http://api.invalid/bot{TOKEN}/getMe", "POST")
            assert status == 200
            assert reached == ["api.invalid"]
            with pytest.raises(NetworkError):  # not through the proxy: no such host
                await request.do_request(f"http://direct.invalid/bot{TOKEN}/getMe", "POST")
    assert reached == ["api.invalid"]
