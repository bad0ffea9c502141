"""Serving as in production: /healthz in polling mode, the webhook with its secret, and a
stop that hands back what it has not taken."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from telegram.ext import Application

from bot.app import Core, serve
from bot.config import Settings, load_settings
from bot.core.knowledge import KnowledgeBase
from bot.telegram.app import core_of
from bot.telegram.lifecycle import TelegramFrontEnd
from bot.telegram.web import WebServer
from tests.bot_api_server import SECRET_HEADER, BotApiServer
from tests.storage.test_integrity import last_page, seeded, zero_page
from tests.telegram.harness import BOT_NAME, TOKEN
from tests.telegram_api import FakeBotApi

SECRET = "s3cret-for-the-webhook-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    api: FakeBotApi
    server: BotApiServer
    app: Application  # type: ignore[type-arg]
    settings: Settings
    http: httpx.AsyncClient

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    async def health(self) -> httpx.Response:
        return await self.http.get(f"{self.root}/healthz")


def bot_settings(server: BotApiServer, tmp_path: Path, port: int | None, **env: str) -> Settings:
    """Settings for a bot served against `server`, with its HTTP server on `port` if any."""
    listen = {} if port is None else {"LISTEN_ADDRESS": "127.0.0.1", "PORT": str(port)}
    return load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": server.base_url.removesuffix("/bot"),
            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            **listen,
            **env,
        }
    )


@asynccontextmanager
async def served_by(
    server: BotApiServer, settings: Settings, kb: KnowledgeBase
) -> AsyncIterator[Served]:
    """The bot run by `serve` (as `python -m bot` does) until the block ends; ready once
    /healthz says so."""
    async with httpx.AsyncClient() as http:
        core = Core(settings, kb)
        app = TelegramFrontEnd(core).app
        stop = asyncio.Event()
        task = asyncio.create_task(serve(core, stop))
        served = Served(server.api, server, app, settings, http)
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        if (await served.health()).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.02)
            yield served
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


@asynccontextmanager
async def serving(
    tmp_path: Path, kb: KnowledgeBase, *, webhook: bool = False
) -> AsyncIterator[Served]:
    """A fresh stand-in Bot API and the bot served against it."""
    async with BotApiServer(FakeBotApi(username=BOT_NAME), token=TOKEN) as server:
        port = free_port()
        env = webhook_env(port) if webhook else {}
        settings = bot_settings(server, tmp_path, port, **env)
        async with served_by(server, settings, kb) as served:
            yield served


def webhook_env(port: int) -> dict[str, str]:
    """Webhook mode with the bot's own server as the public address (plain http is allowed
    because the Bot API is self-hosted, as the stand-in is)."""
    return {"WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": SECRET}


def answers(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        s.plain or "" for s in api.outbox if s.method == "sendMessage" and s.chat_id == chat_id
    ]


async def test_healthz_in_polling_mode_follows_the_database_and_dispatcher(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    async with serving(tmp_path, kb) as bot:
        ready = await bot.health()
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ok",
            "database": True,
            "dispatcher": True,
            "telegram": True,
        }
        assert (await bot.http.get(f"{bot.root}/nothing-here")).status_code == 404
        assert (await bot.http.post(f"{bot.root}/healthz")).status_code == 405
        # No webhook route in polling mode, whatever the path.
        path = bot.settings.webhook_path
        assert (await bot.http.post(f"{bot.root}{path}", json={})).status_code == 404

        await core_of(bot.app).dispatcher.stop()
        down = await bot.health()
        assert down.status_code == 503
        assert down.json()["status"] == "unavailable"
        assert down.json()["dispatcher"] is False

        await core_of(bot.app).store.close()
        assert (await bot.health()).json()["database"] is False
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.TransportError):
            await http.get(f"{bot.root}/healthz")  # stopped: nothing listens any more


async def test_healthz_turns_red_when_the_database_is_damaged_while_running(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.store.WATCH_EVERY_SECONDS", 0.02)
    await seeded(tmp_path / "bot.sqlite3")
    async with serving(tmp_path, kb) as bot:
        assert (await bot.health()).status_code == 200
        zero_page(tmp_path / "bot.sqlite3", last_page(tmp_path / "bot.sqlite3"))
        async with asyncio.timeout(5):
            while (down := await bot.health()).status_code == 200:  # noqa: ASYNC110 - polled, as Docker does
                await asyncio.sleep(0.02)
        assert down.status_code == 503
        assert down.json()["database"] is False
        assert down.json()["dispatcher"] is True


async def test_without_a_port_polling_serves_no_http(tmp_path: Path, kb: KnowledgeBase) -> None:
    api = FakeBotApi(username=BOT_NAME)
    async with BotApiServer(api, token=TOKEN) as server:
        settings = bot_settings(server, tmp_path, None)
        assert settings.port is None
        core = Core(settings, kb)
        TelegramFrontEnd(core)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(core, stop))
        api.send_text("/help")
        await api.wait_for(lambda: any(s.method == "sendMessage" for s in api.outbox))
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_a_taken_port_is_one_clear_error(tmp_path: Path, kb: KnowledgeBase) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        api = FakeBotApi(username=BOT_NAME)
        async with BotApiServer(api, token=TOKEN) as server:
            settings = bot_settings(server, tmp_path, port)
            core = Core(settings, kb)
            TelegramFrontEnd(core)
            with pytest.raises(Exception, match=rf"cannot listen on 127.0.0.1:{port}"):
                await asyncio.wait_for(serve(core, asyncio.Event()), 15)
            assert not core.store.is_open  # everything was shut down again


async def test_webhook_mode_takes_updates_pushed_by_the_bot_api(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    async with serving(tmp_path, kb, webhook=True) as bot:
        server, port = bot.server, bot.settings.port
        webhook = bot.api.webhook
        assert webhook is not None
        assert webhook.url == f"http://127.0.0.1:{port}{bot.settings.webhook_path}"
        assert webhook.secret_token == SECRET
        bot.api.send_text("/foods magnesium", user_id=1001)
        await bot.api.wait_for(lambda: len(answers(bot.api, 1001)) == 1)
        assert answers(bot.api, 1001)[0].startswith("Magnesium: top foods")
        assert [p.status for p in server.webhook_posts] == [200]
        assert "getUpdates" not in {name for name, _ in bot.api.calls}
        # Health is on the same port as the webhook.
        assert (await bot.health()).json()["status"] == "ok"


async def test_requests_without_the_secret_are_refused_and_logged_without_their_body(
    tmp_path: Path, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(tmp_path, kb, webhook=True) as bot:
        url = f"{bot.root}{bot.settings.webhook_path}"
        update = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 1001, "type": "private"},
                "from": {"id": 1001, "is_bot": False, "first_name": "Eve"},
                "text": "/foods MARKER-forged-text",
            },
        }
        caplog.set_level(logging.INFO)
        wrong = await bot.http.post(url, json=update, headers={SECRET_HEADER: "guess" * 8})
        missing = await bot.http.post(url, json=update)
        elsewhere = await bot.http.post(f"{bot.root}/telegram/0000", json=update)
        probe = await bot.http.get(url)  # the path answers a GET as any unknown path does
        junk = await bot.http.post(url, content=b"{not json", headers={SECRET_HEADER: SECRET})
        null = await bot.http.post(url, content=b"null", headers={SECRET_HEADER: SECRET})
        assert (wrong.status_code, missing.status_code) == (403, 403)
        assert (elsewhere.status_code, probe.status_code) == (404, 404)
        assert (junk.status_code, null.status_code) == (400, 400)
        bot.api.send_text("/help", user_id=1002)  # a real update still gets through
        await bot.api.wait_for(lambda: len(answers(bot.api, 1002)) == 1)
        assert answers(bot.api, 1001) == []  # nothing forged was handled
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused == [
        "webhook request refused: wrong secret token",
        "webhook request refused: no secret token",
        "webhook request refused: not an update (9 bytes)",
        "webhook request refused: not an update (4 bytes)",
    ]
    logged = "\n".join(str(r.__dict__) for r in caplog.records)
    assert "MARKER" not in logged
    assert "guess" not in logged
    assert SECRET not in logged


async def test_updates_sent_while_stopped_arrive_after_the_restart_once(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    port = free_port()
    async with BotApiServer(
        FakeBotApi(username=BOT_NAME), token=TOKEN, webhook_backoff=0.05
    ) as server:
        settings = bot_settings(server, tmp_path, port, **webhook_env(port))
        async with served_by(server, settings, kb):
            pass
        server.api.send_text("/foods magnesium", user_id=1001)
        # Telegram cannot deliver it while the bot is down, and keeps it.
        await server.api.wait_for(lambda: len(server.webhook_posts) >= 2)
        assert all(p.status is None for p in server.webhook_posts)
        assert server.api.pending_updates == 1
        async with served_by(server, settings, kb) as bot:
            await bot.api.wait_for(lambda: len(answers(bot.api, 1001)) == 1)
            await asyncio.sleep(0.2)
        assert len(answers(server.api, 1001)) == 1


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6 here")
async def test_listening_on_all_ipv6_interfaces_takes_ipv4_too() -> None:
    server = WebServer(
        Application.builder().token(TOKEN).build(),
        lambda: {"database": True},
        address="::",
        port=0,
    )
    await server.start()
    try:
        async with httpx.AsyncClient() as http:
            ipv4 = await http.get(f"http://127.0.0.1:{server.port}/healthz")
            ipv6 = await http.get(f"http://[::1]:{server.port}/healthz")
        assert (ipv4.status_code, ipv6.status_code) == (200, 200)
    finally:
        await server.close()
