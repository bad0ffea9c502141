"""The parts of a running bot that outlive one update, and where handlers find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram.ext import Application

from bot.core.clock import Clock
from bot.dispatch import Dispatcher
from bot.storage import OperatorStore

RUNTIME = "runtime"


@dataclass(frozen=True, slots=True)
class Runtime:
    """What outlives one update: the parts that /healthz and /stats look at."""

    store: OperatorStore
    dispatcher: Dispatcher
    clock: Clock
    started_at: datetime

    def health(self, app: Application) -> dict[str, bool]:  # type: ignore[type-arg]
        """Which parts are up: ready means all of them."""
        return {
            "database": self.store.healthy,
            "dispatcher": self.dispatcher.alive,
            "updates": app.running,
        }


def runtime(app: Application) -> Runtime:  # type: ignore[type-arg]
    """The Runtime that build_application put into the application."""
    found = app.bot_data[RUNTIME]
    assert isinstance(found, Runtime)
    return found
