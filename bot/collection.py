"""Python's garbage collector set for bursts while the bot runs: young objects are collected
less often, so a burst of updates does not set off full collections of the whole heap."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Python's default is 700. With 2 000 slash commands at once, that ran four full collections
# of ~150 ms each: a third of the bot's CPU per command (bench/discord_commands.py). At
# 10 000 there was none, and the process's peak memory moved by a few MB.
YOUNG_THRESHOLD = 10_000


class _Setting:
    """The threshold while any bot in the process runs, and Python's own again after the
    last one stops (the tests and benchmarks run several, and bare bots beside them)."""

    def __init__(self) -> None:
        self.running = 0
        self.before = gc.get_threshold()

    @contextmanager
    def applied(self) -> Iterator[None]:
        if self.running == 0:
            self.before = gc.get_threshold()
            gc.set_threshold(YOUNG_THRESHOLD, *self.before[1:])
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            if self.running == 0:
                gc.set_threshold(*self.before)


collecting_for_bursts = _Setting().applied
