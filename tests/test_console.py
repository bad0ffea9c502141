"""The offline console in process: reminders printed when they fall due (on an injected
clock) with buttons that work, bold on a terminal, and no platform library loaded for it.
tests/test_main.py runs it as a person does, `python -m bot --console`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from io import StringIO

from bot.config import load_settings
from bot.console import run_console
from bot.core.knowledge import KnowledgeBase
from tests.telegram.harness import FakeClock

Step = str | Callable[[], Awaitable[str]] | None


def script(*steps: Step) -> Callable[[str], Awaitable[str | None]]:
    """run_console's read_line: each step a line typed, or something done first that then
    says the line; None is the end of input."""
    pending = iter(steps)

    async def read_line(prompt: str) -> str | None:
        step = next(pending)
        return await step() if callable(step) else step

    return read_line


class Screen(StringIO):
    """The console's output, kept; a terminal if `tty`. One can wait for a text in it."""

    def __init__(self, *, tty: bool = False) -> None:
        super().__init__()
        self.tty = tty
        self.changed = asyncio.Event()

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.changed.set()
        return super().write(text)

    async def shows(self, text: str) -> None:
        """Until the console has printed text (the dispatcher ticks every second)."""
        async with asyncio.timeout(10):
            while text not in self.getvalue():
                self.changed.clear()
                await self.changed.wait()


async def test_a_reminder_set_in_the_console_is_printed_when_due_with_its_buttons(
    kb: KnowledgeBase,
) -> None:
    clock = FakeClock()  # 10:00 UTC
    out = Screen()

    async def half_an_hour_later() -> str:
        clock.advance(timedelta(minutes=30))
        await out.shows("Time for some water")
        return "1"  # Done ✓

    lines = script("/timezone UTC", "/remind water at 10:30", half_an_hour_later, None)
    await run_console(load_settings({}), kb, lines, out, clock=clock)
    said = out.getvalue()
    assert "Next one: today 10:30" in said
    reminder = said[said.index("bot › 💧 Time for some water") :]
    assert "   [1] Done ✓   [2] Snooze 15 min   [3] Skip today\n" in reminder
    edited = reminder[reminder.index("bot (edited) › 💧 Time for some water") :]
    assert edited.rstrip().endswith("✓ Done")  # pressed: the note under it, no buttons


async def test_snooze_and_a_confirmation_on_console_reminders(kb: KnowledgeBase) -> None:
    clock = FakeClock()
    out = Screen()

    async def due() -> str:
        clock.advance(timedelta(minutes=30))
        await out.shows("Time for some water")
        return "2"  # Snooze 15 min

    lines = script("/timezone UTC", "/remind water at 10:30", due, "/stop all", "1", None)
    await run_console(load_settings({}), kb, lines, out, clock=clock)
    said = out.getvalue()
    assert "⏰ Snoozed until 10:45" in said
    assert "🗑 Deleted 1 reminders." in said  # the confirmation's button, pressed


def test_the_console_is_a_front_end_of_its_own() -> None:
    probe = (
        "import sys, bot.console; "
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'telegram', 'discord'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == "[]\n"  # neither platform's library is loaded for it


async def test_on_a_terminal_bold_is_ansi(kb: KnowledgeBase) -> None:
    out = Screen(tty=True)
    await run_console(load_settings({}), kb, script("/foods magnesium", None), out)
    assert "\033[1mMagnesium: top foods\033[0m" in out.getvalue()
