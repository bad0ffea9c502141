"""Long polling survives updates it cannot read and a second instance of the bot."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.telegram import updates
from bot.telegram.lifecycle import TelegramFrontEnd
from tests.bot_api_server import BotApiServer
from tests.telegram.harness import BOT_NAME, TOKEN, running_bot
from tests.telegram_api import FakeBotApi

SECRET_TEXT = "MARKER-what-the-user-wrote"


def replies_to(api: FakeBotApi, chat_id: int) -> int:
    return sum(1 for s in api.outbox if s.method == "sendMessage" and s.chat_id == chat_id)


async def test_an_unreadable_update_is_skipped_and_later_ones_answered(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with asyncio.timeout(20):
        async with running_bot(kb, tmp_path / "bot.sqlite3") as bot:
            bad = [
                bot.api.inject_raw_update({"message": SECRET_TEXT}),
                bot.api.inject_raw_update(
                    {"message": {"message_id": 1, "date": 1e300, "chat": 5, "text": SECRET_TEXT}}
                ),
            ]
            polls_before = sum(1 for name, _ in bot.api.calls if name == "getUpdates")
            reply = await bot.say("/help")
            assert "/remind" in reply.plain
            # The last update fetched is the bad one: it is confirmed like any other.
            last = bot.api.inject_raw_update({"callback_query": [SECRET_TEXT]})
            await bot.say("/help", user_id=1002)
            polls = sum(1 for name, _ in bot.api.calls if name == "getUpdates") - polls_before
            assert polls < 10, "the bad updates are not fetched again and again"
        # Stopped: and what was fetched, the bad ones too, is confirmed.
        assert bot.api.pending_updates == 0
    skipped = [r.getMessage() for r in caplog.records if "skipped update" in r.getMessage()]
    assert skipped == [
        f"skipped update {update_id}: it is not one the bot can read" for update_id in (*bad, last)
    ]
    assert SECRET_TEXT not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_second_instance_waits_in_one_line_and_takes_over(
    kb: KnowledgeBase,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(updates, "RETRY_SECONDS", 0.1)
    caplog.set_level(logging.INFO)
    api = FakeBotApi(username=BOT_NAME)
    async with asyncio.timeout(30), BotApiServer(api, token=TOKEN) as server:
        root = server.base_url.removesuffix("/bot")

        def instance(name: str):
            settings = load_settings(
                {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": str(tmp_path / name)}
            )
            core = Core(settings, kb)
            TelegramFrontEnd(core, poll=True)
            return core

        first, second = instance("first.sqlite3"), instance("second.sqlite3")
        async with running(second):
            async with running(first):
                conflicts_before = len(api.calls)

                def conflicts() -> int:
                    return sum(
                        1 for name, _ in api.calls[conflicts_before:] if name == "getUpdates"
                    )

                # Many retries go by while both run...
                await api.wait_for(lambda: conflicts() >= 20, 10)
                api.send_text("/help", user_id=1002)
                await api.wait_for(lambda: replies_to(api, 1002) == 1)
            # ...and once the first stops, the second takes the updates.
            api.send_text("/help", user_id=1003)
            await api.wait_for(lambda: replies_to(api, 1003) == 1)
    lines = [r.getMessage() for r in caplog.records if "cannot take updates" in r.getMessage()]
    # At most one line from each instance for the whole spell, however many retries.
    assert 1 <= len(lines) <= 2, lines
    assert all("Conflict" in line or "terminated" in line for line in lines)
    assert all(r.exc_info is None for r in caplog.records)
