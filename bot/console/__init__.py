"""The offline console: a chat with the bot's services on the terminal, on its own database."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.app import Core, running
from bot.config import Settings
from bot.console.front import ConsoleFrontEnd
from bot.core.clock import Clock
from bot.core.knowledge import KnowledgeBase

# Never DATABASE_PATH: the console's made-up chats would otherwise join the served bot's,
# and its dispatcher and /broadcast would send to them. A try-out leaves nothing behind.
DATABASE = Path(":memory:")
HELP = (
    "Offline console: you are chatting with the bot itself (the answers and reminders\n"
    "Telegram and Discord users get), on a database of its own that is gone when you leave\n"
    "(DATABASE_PATH is not touched). Try /start, /foods magnesium, /causes nerves, 'bananas?'.\n"
    "Type a button's number to press it, '/group' or '/private' to switch chats (you are\n"
    "the group's admin), 'quit' to leave.\n"
)
PROMPT = "\nyou › "
QUIT = ("quit", "exit", "/quit")

__all__ = ["ConsoleFrontEnd", "run_console"]


async def run_console(
    settings: Settings,
    kb: KnowledgeBase,
    read_line: Callable[[str], Awaitable[str | None]] | None = None,
    out: TextIO = sys.stdout,
    *,
    clock: Clock | None = None,
) -> None:
    """Chat on the terminal until 'quit' or end of input; reminders fall due meanwhile
    (by `clock`, the system's unless given)."""
    core = Core(dataclasses.replace(settings, database_path=DATABASE), kb, clock=clock)
    console = ConsoleFrontEnd(core, out)
    reader = read_line or _read_stdin
    out.write(HELP)
    async with running(core):
        await console.handle_line("/start")
        while (line := await reader(PROMPT)) is not None:
            if line.strip().lower() in QUIT:
                break
            if line.strip():
                await console.handle_line(line)
            out.flush()


async def _read_stdin(prompt: str) -> str | None:
    """One line from standard input without blocking the event loop; None at end of input."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None
