"""The one place that builds and runs the bot: settings → content → storage → services →
dispatcher → the configured front ends; it starts and stops them in order and owns the
signals. No platform library is imported here or below (front ends plug in by protocol)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Protocol

from bot.answers import Answers
from bot.collection import collecting_for_bursts
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.knowledge import KnowledgeBase
from bot.core.platforms import Platform
from bot.core.understanding import Understanding
from bot.dispatch import HEARTBEAT_SECONDS, Dispatcher, Sender
from bot.health_server import HealthServer
from bot.operator_service import OperatorService
from bot.reminder_flow import ReminderFlow
from bot.reminder_service import ReminderService
from bot.senders import PlatformSenders
from bot.storage import Store

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class FrontEnd(Protocol):
    """One platform's side of the bot: it takes people's messages to the services and
    delivers the dispatcher's through its sender."""

    @property
    def platform(self) -> Platform:
        """Which chats it serves."""
        ...

    @property
    def sender(self) -> Sender:
        """Delivers reminders and broadcast copies to its chats."""
        ...

    async def connect(self) -> None:
        """Reach the platform and check the credentials (before the database opens: a
        wrong token or address stops the bot without touching it)."""
        ...

    async def start(self) -> None:
        """Start taking updates."""
        ...

    async def stop(self) -> None:
        """Take no more updates and finish those taken (sending still works)."""
        ...

    async def close(self) -> None:
        """Release connections; the last step."""
        ...

    def healthy(self) -> bool:
        """Whether it is connected and taking updates."""
        ...


class Core:
    """Everything the front ends share: the store, the services, the dispatcher."""

    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        *,
        clock: Clock | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.clock = clock or SystemClock()
        self.started_at = self.clock.now()
        self.store = Store(settings.database_path)
        self._senders: dict[Platform, Sender] = {}
        self._routes = PlatformSenders(self._senders)
        self.dispatcher = Dispatcher(
            self.store, self._routes, self.clock, heartbeat_seconds=heartbeat_seconds
        )
        self.reminders = ReminderService(self.store, self.clock, self.dispatcher.kick)
        self.answers = Answers(kb, Understanding(kb))
        self.operator = OperatorService(self.store, self.dispatcher, self.clock, self.started_at)
        self.front_ends: list[FrontEnd] = []

    def flow(self, max_target: int, max_buttons: int | None = None) -> ReminderFlow:
        """The reminder conversation for a front end whose button targets hold at most
        `max_target` bytes, and whose messages carry at most `max_buttons` buttons."""
        return ReminderFlow(self.reminders, max_target, max_buttons)

    def attach(self, front_end: FrontEnd) -> None:
        """Serve a front end's chats: its sender delivers their reminders."""
        self.front_ends.append(front_end)
        self._senders[front_end.platform] = front_end.sender

    def health(self) -> dict[str, bool]:
        """Which parts are up: ready means all of them."""
        parts = {"database": self.store.healthy, "dispatcher": self.dispatcher.alive}
        for front_end in self.front_ends:
            parts[str(front_end.platform)] = front_end.healthy()
        return parts


@asynccontextmanager
async def running(core: Core, front_ends: Sequence[FrontEnd] | None = None) -> AsyncIterator[None]:
    """Run the bot for the duration of the block. In: the front ends connect, the
    database opens, the front ends start taking updates, the dispatcher starts. Out: the
    front ends take no more updates and finish those taken, the dispatcher stops (sends in
    flight finish, the platforms' connections still open), the front ends close, and the
    database closes last. Every step out runs, whatever the one before it raised, and for
    every front end, even one that failed half-way in (each step is safe to run then)."""
    every = list(front_ends if front_ends is not None else core.front_ends)
    async with AsyncExitStack() as steps:
        # Unwound last first: the order out is the reverse of these lines.
        steps.enter_context(collecting_for_bursts())  # until the last send has finished
        steps.push_async_callback(core.store.close)
        for front_end in every:
            steps.push_async_callback(front_end.close)
        steps.push_async_callback(core.dispatcher.stop)
        for front_end in every:
            steps.push_async_callback(front_end.stop)
        for front_end in every:
            await front_end.connect()
        await core.store.open()
        for front_end in every:
            await front_end.start()
        await core.dispatcher.start()
        settings = core.settings
        # Telegram's HTTP server answers /healthz beside its webhook; without it, this does.
        if settings.port is not None and Platform.TELEGRAM not in {f.platform for f in every}:
            health = HealthServer(core.health, address=settings.listen_address, port=settings.port)
            steps.push_async_callback(health.close)
            await health.start()
        yield


async def serve(core: Core, stop: asyncio.Event | None = None) -> None:
    """Run every attached front end until `stop` is set (by default: until SIGTERM or
    SIGINT; a second signal ends the process at once), then stop gracefully."""
    loop = asyncio.get_running_loop()
    signals = SIGNALS if stop is None else ()
    stopping = stop or asyncio.Event()

    def on_signal(name: str) -> None:
        log.info("%s received: stopping gracefully", name)
        for number in signals:
            loop.remove_signal_handler(number)
        stopping.set()

    for number in signals:
        loop.add_signal_handler(number, on_signal, number.name)
    try:
        async with running(core):
            await stopping.wait()
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
