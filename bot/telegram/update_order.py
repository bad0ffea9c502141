"""Updates from different chats are handled side by side; one chat's, in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.keyed_locks import KeyedLocks

# Handling one update is mostly waiting for the Bot API's reply; this many may wait at once.
CONCURRENT_UPDATES = 16
# PTB takes its own slot before our chat lock; so that a chat with many updates queued
# cannot hold every slot while it waits its turn, PTB's bound is lifted and ours is
# taken inside the chat lock.
_UNBOUNDED = 2**31 - 1

RunHandlers = Callable[[object, Awaitable[Any]], Awaitable[None]]


async def run_handlers(update: object, coroutine: Awaitable[Any]) -> None:
    """Run the handlers for one update, and nothing else."""
    await coroutine


class PerChatOrder(BaseUpdateProcessor):
    """Concurrent across chats, so no chat waits on another's round trip, and sequential
    within a chat, so two quick questions are never answered out of order."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(_UNBOUNDED)
        self._chats = KeyedLocks()
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        # What runs an update's handlers once its turn has come (log_updates times it there,
        # so that the wait for its turn is not counted as handling).
        self.run_handlers: RunHandlers = run_handlers

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for one update, after any earlier update of the same chat."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:  # inline queries and the like: nothing to keep in order
            async with self._slots:
                await self.run_handlers(update, coroutine)
            return
        async with self._chats.hold(chat.id), self._slots:
            await self.run_handlers(update, coroutine)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
