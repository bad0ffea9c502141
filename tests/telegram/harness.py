"""Runs the real Application over loopback HTTP against the stand-in Bot API, as a user would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.ext import Application

from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.telegram.app import core_of
from bot.telegram.lifecycle import TelegramFrontEnd
from tests.bot_api_server import BotApiServer
from tests.telegram_api import FakeBotApi, Sent, StoredMessage

TOKEN = "123456789:AAExampleExampleExampleExample_1234"
# Monday 2026-06-01 10:00 UTC: a plain day, far from daylight-saving changes.
START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
HEARTBEAT = 0.05
REMINDER_MARKS = ("Time for some water", "Stretch break")
BOT_NAME = "CrampCoachBot"
REPLY_TIMEOUT = 5.0


@dataclass
class Harness:
    """The running bot and the stand-in Bot API it talks to."""

    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    server: BotApiServer
    clock: FakeClock

    async def say(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int = 1001,
        patience: float = REPLY_TIMEOUT,
    ) -> StoredMessage:
        """Send a message and return the bot's reply to it."""
        before = len(self.api.outbox)
        sent = self.api.send_text(
            text, chat_id=chat_id, chat_type=chat_type, chat_title="Feet", user_id=user_id
        )
        chat = sent["chat"]["id"]

        def replied() -> bool:
            return any(
                s.method == "sendMessage" and s.chat_id == chat for s in self.api.outbox[before:]
            )

        await self.api.wait_for(replied, patience)
        reply = next(
            s for s in self.api.outbox[before:] if s.method == "sendMessage" and s.chat_id == chat
        )
        return self.message(chat, reply)

    async def say_nothing_back(self, text: str, *, chat_id: int, chat_type: str) -> None:
        """Send a message the bot must ignore; prove it by a command answered right after."""
        before = len(self.api.outbox)
        self.api.send_text(text, chat_id=chat_id, chat_type=chat_type, chat_title="Feet")
        probe = await self.say(f"/help@{BOT_NAME}", chat_id=chat_id, chat_type=chat_type)
        answers = [s for s in self.api.outbox[before:] if s.method == "sendMessage"]
        assert [s.message_id for s in answers] == [probe.message_id], [s.plain for s in answers]

    async def press(
        self, message: StoredMessage, label: str, chat_id: int, *, user_id: int | None = None
    ) -> StoredMessage:
        """Press the button with this label (as the chat's user, in a private chat); return
        the message after the bot edits it."""
        data = self.button_data(chat_id, message.message_id, label)
        before = len(self.api.outbox)
        presser = user_id if user_id is not None else (chat_id if chat_id > 0 else 1001)
        query_id = self.api.press_button(chat_id, message.message_id, data, user_id=presser)

        def done() -> bool:
            return query_id in self.api.callback_answers and any(
                s.method == "editMessageText" and s.message_id == message.message_id
                for s in self.api.outbox[before:]
            )

        await self.api.wait_for(done, REPLY_TIMEOUT)
        return self.current(chat_id, message.message_id)

    def reminders_sent(self, chat_id: int) -> list[Sent]:
        """Reminder messages the dispatcher sent to a chat."""
        return [
            s
            for s in self.api.outbox
            if s.method == "sendMessage"
            and s.chat_id == chat_id
            and any(mark in (s.plain or "") for mark in REMINDER_MARKS)
        ]

    async def wait_reminders(self, chat_id: int, count: int, seconds: float = 5) -> list[Sent]:
        """Wait until `count` reminders have reached the chat; return them."""
        await self.api.wait_for(lambda: len(self.reminders_sent(chat_id)) >= count, seconds)
        return self.reminders_sent(chat_id)

    async def quiet(self) -> None:
        """Prove that nothing more is on its way: twice, a dispatcher tick has started after
        the last one and found nothing claimed left (the second catches what the first let
        fall due), with every send it made answered."""
        dispatcher = core_of(self.app).dispatcher
        await dispatcher.idle()
        await dispatcher.idle()

    def button_data(self, chat_id: int, message_id: int, label: str) -> str:
        """The callback data of the button whose label contains `label`."""
        for row in self.api.buttons(chat_id, message_id):
            for button in row:
                if label in button.text and button.callback_data:
                    return button.callback_data
        labels = [b.text for row in self.api.buttons(chat_id, message_id) for b in row]
        raise AssertionError(f"no button {label!r} in {labels}")

    def labels(self, chat_id: int, message: StoredMessage) -> list[str]:
        """Every button label on a message."""
        return [b.text for row in self.api.buttons(chat_id, message.message_id) for b in row]

    def current(self, chat_id: int, message_id: int) -> StoredMessage:
        """A bot message as it stands now."""
        return next(m for m in self.api.messages_in(chat_id) if m.message_id == message_id)

    def message(self, chat_id: int, sent: Sent) -> StoredMessage:
        """The stored message a send produced."""
        assert sent.message_id is not None
        return self.current(chat_id, sent.message_id)


class FakeClock:
    """A clock the test sets; it starts at a fixed instant and moves only when told."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@asynccontextmanager
async def running_bot(
    kb: KnowledgeBase,
    database: Path,
    api: FakeBotApi | None = None,
    clock: FakeClock | None = None,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Harness]:
    """Start the bot as `python -m bot` would (start-up and shut-down hooks included), with
    `env` added to its settings."""
    api = api or FakeBotApi(username=BOT_NAME)
    clock = clock or FakeClock()
    async with BotApiServer(api, token=TOKEN) as server:
        root = server.base_url.removesuffix("/bot")
        base = {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": str(database)}
        settings = load_settings({**base, **(env or {})})
        core = Core(settings, kb, clock=clock, heartbeat_seconds=HEARTBEAT)
        telegram = TelegramFrontEnd(core, poll=True)
        async with running(core):
            yield Harness(api, telegram.app, server, clock)
