"""Every command with random text (unicode, markup, very long, empty, near-valid): the bot
always answers, never reaches its error handler, and rejected input changes no data."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.app import Core, running
from bot.config import load_settings
from bot.core.commands import COMMANDS, Part
from bot.core.knowledge import KnowledgeBase
from bot.flood import FloodControl, Limits
from bot.telegram.app import BUSY, SORRY
from bot.telegram.lifecycle import TelegramFrontEnd
from tests.telegram.harness import TOKEN, FakeClock
from tests.telegram_api import FakeBotApi
from tests.telegram_api.request import InMemoryRequest

USER = 1001
NEAR_VALID = [
    "", " ", "0", "-1", "1", "#1", "all", "ALL", "99999999999999999999", "25:99", "7pm",
    "every 0 min", "water every", "water every 2h 22:00-08:00", "stretch at", "Mars/Base",
    "UTC+99", "utc-5", "berlin", "magnesium", "magnezium", "vit d", "nerves", "towel",
    "f-magnesium", "@CrampCoachBot", "/start", "\u200b", "\u202eevil", "null", "None",
]  # fmt: skip
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz0123456789 ",
    "<>&;\"'/\\=#@:*_`[](){}-.,!?",
    "🦶💧🧘🚩⚡️👍🏽👨‍👩‍👧",
    "ÄÖÜßéèçñøåłğış",
    "中文日本語한국어",
    "العربيةעברית",
    "\u0301\u0308\u200d\u200b\u2028\t",
]
SUCCESS_MARKS = ("Time zone set", "Reminder #", "Deleted reminder")


def random_texts(count: int, seed: int = 20261122) -> list[str]:
    rng = random.Random(seed)
    texts = list(NEAR_VALID)
    while len(texts) < count:
        alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, len(ALPHABETS))))
        length = rng.choice((1, 3, 10, 40, 200, 5000))
        texts.append("".join(rng.choice(alphabet) for _ in range(length)))
    return texts


def snapshot(database: Path) -> list[Any]:
    with sqlite3.connect(database) as db:
        return [
            db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("chats", "reminders", "deliveries")
        ]


async def test_every_command_survives_random_text(kb: KnowledgeBase, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    api = FakeBotApi()
    settings = load_settings({"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database)})
    core = Core(settings, kb, clock=FakeClock())
    app = TelegramFrontEnd(
        core,
        poll=False,
        request=InMemoryRequest(api),
        updates_request=InMemoryRequest(api),
        # Handling is under test, not Telegram's pacing.
        flood=FloodControl(Limits(per_second=1e6, per_group_per_minute=1e6)),
    ).app
    errors: list[BaseException] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error or RuntimeError("unknown"))

    app.add_error_handler(record)
    commands = [c.name for c in COMMANDS if c.part is not Part.OPERATOR]
    offset = 0
    async with running(core):
        for line in ("/timezone UTC", "/remind water at 09:00"):  # something to protect
            api.send_text(line)
        for text in [f"/{c} {t}" for c in commands for t in random_texts(40)] + [
            t for t in random_texts(60, seed=7) if t.strip()
        ]:
            before_db, before_out = snapshot(database), len(api.outbox)
            if not text.strip():
                continue
            api.send_text(text)
            for data in await api.call("getUpdates", {"offset": offset, "timeout": 0}):
                offset = data["update_id"] + 1
                await app.process_update(Update.de_json(data, app.bot))
            replies = [s.plain or "" for s in api.outbox[before_out:] if s.method == "sendMessage"]
            if text.startswith("/timezone UTC") or text.startswith("/remind water at 09"):
                continue
            assert replies, f"no answer to {text[:60]!r}"
            assert not any(SORRY in r or BUSY in r for r in replies), text[:60]
            assert not errors, (text[:60], errors)
            if not any(mark in r for r in replies for mark in SUCCESS_MARKS):
                assert snapshot(database) == before_db, f"data changed by {text[:60]!r}"
