"""The offline console: chat with the real handlers through an in-memory Bot API."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot.app import Core, running
from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.offline.bot_api import FakeBotApi, Sent
from bot.offline.request import InMemoryRequest
from bot.telegram.lifecycle import TelegramFrontEnd

OFFLINE_TOKEN = "123456:offline-console-token-not-a-real-secret"
# Never DATABASE_PATH: the console's made-up chats would otherwise join the served bot's,
# and its dispatcher and /broadcast would send to them. A try-out leaves nothing behind.
DATABASE = Path(":memory:")
PRIVATE_CHAT = 1001
GROUP_CHAT = -1002
HELP = (
    "Offline console: you are chatting with the bot's real handlers through a stand-in\n"
    "Telegram, on a database of its own that is gone when you leave (DATABASE_PATH is not\n"
    "touched). Try /start, /foods magnesium, /causes nerves, 'bananas?'.\n"
    "Type a button's number to press it, '@ magnesium' for an inline query,\n"
    "'/group' or '/private' to switch chats, 'quit' to leave.\n"
)
_TAG = re.compile(r"<[^>]+>")
_BOLD = re.compile(r"</?(b|strong)>")


def to_terminal(text: str, ansi: bool) -> str:
    """Telegram HTML as terminal text: bold kept (with ANSI on a terminal), tags dropped."""
    if ansi:
        text = _BOLD.sub(lambda m: "\033[0m" if m.group(0).startswith("</") else "\033[1m", text)
    return html.unescape(_TAG.sub("", text))


class Console:
    """Feeds typed lines to the application as Telegram updates and prints what it sends."""

    def __init__(self, settings: Settings, kb: KnowledgeBase, out: TextIO) -> None:
        self.api = FakeBotApi()
        self.core = Core(dataclasses.replace(settings, database_path=DATABASE), kb)
        self.telegram = TelegramFrontEnd(
            self.core,
            poll=False,
            token=OFFLINE_TOKEN,
            request=InMemoryRequest(self.api),
            updates_request=InMemoryRequest(self.api),
        )
        self.app = self.telegram.app
        self.out = out
        self.ansi = out.isatty()
        self.chat_type = "private"
        self.buttons: list[tuple[int, int, str]] = []
        self._seen = 0
        self._offset = 0

    @property
    def chat_id(self) -> int:
        """The chat the user is typing in."""
        return PRIVATE_CHAT if self.chat_type == "private" else GROUP_CHAT

    async def handle_line(self, line: str) -> None:
        """Act on one typed line: a button number, an inline query, a chat switch, or a message."""
        line = line.strip()
        if line in ("/group", "/private"):
            self.chat_type = "group" if line == "/group" else "private"
            self.out.write(f"(now in a {self.chat_type} chat)\n")
            return
        if line.isdigit() and 0 < int(line) <= len(self.buttons):
            chat_id, message_id, data = self.buttons[int(line) - 1]
            self.api.press_button(chat_id, message_id, data)
        elif line.startswith("@"):
            self.api.inline_query(line.lstrip("@").strip())
        else:
            title = "Console group" if self.chat_type == "group" else None
            self.api.send_text(
                line, chat_id=self.chat_id, chat_type=self.chat_type, chat_title=title
            )
        await self._deliver()
        self._print_new()

    async def _deliver(self) -> None:
        updates = await self.api.call("getUpdates", {"offset": self._offset, "timeout": 0})
        for data in updates:
            self._offset = data["update_id"] + 1
            await self.app.process_update(Update.de_json(data, self.app.bot))

    async def print_forever(self) -> None:
        """Print what the bot sends on its own, such as reminders, as it arrives."""
        while True:
            try:
                await self.api.wait_for(lambda: len(self.api.outbox) > self._seen, timeout=3600)
            except TimeoutError:
                continue
            self._print_new()
            self.out.flush()

    def _print_new(self) -> None:
        for sent in self.api.outbox[self._seen :]:
            self._print_sent(sent)
        self._seen = len(self.api.outbox)

    def _print_sent(self, sent: Sent) -> None:
        write = self.out.write
        if sent.method in ("sendMessage", "editMessageText"):
            label = "bot" if sent.method == "sendMessage" else "bot (edited)"
            write(f"\n{label} › {to_terminal(sent.text or '', self.ansi)}\n")
            self._print_keyboard(sent.reply_markup, sent.chat_id, sent.message_id)
        elif sent.method == "answerCallbackQuery" and sent.params.get("text"):
            write(f"(notice) {sent.params['text']}\n")
        elif sent.method == "answerInlineQuery":
            for n, result in enumerate(sent.params.get("results", []), 1):
                write(f"[inline {n}] {result.get('title')} — {result.get('description', '')}\n")

    def _print_keyboard(self, markup: Any, chat_id: int | None, message_id: int | None) -> None:
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        self.buttons = []
        for row in rows:
            cells = []
            for key in row:
                if "callback_data" in key and chat_id is not None and message_id is not None:
                    self.buttons.append((chat_id, message_id, key["callback_data"]))
                    cells.append(f"[{len(self.buttons)}] {key['text']}")
                else:
                    cells.append(f"({key['text']})")
            self.out.write("   " + "   ".join(cells) + "\n")


async def run_console(
    settings: Settings,
    kb: KnowledgeBase,
    read_line: Callable[[str], Awaitable[str | None]] | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Chat on the terminal until 'quit' or end of input; reminders fire meanwhile."""
    console = Console(settings, kb, out)
    reader = read_line or _read_stdin
    out.write(HELP)
    async with running(console.core):
        printer = asyncio.create_task(console.print_forever())
        try:
            await console.handle_line("/start")
            while (line := await reader("\nyou › ")) is not None:
                if line.strip().lower() in ("quit", "exit", "/quit"):
                    break
                if line.strip():
                    await console.handle_line(line)
                out.flush()
        finally:
            printer.cancel()


async def _read_stdin(prompt: str) -> str | None:
    """One line from standard input without blocking the event loop; None at end of input."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None
