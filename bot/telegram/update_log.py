"""One structured log line per handled update: its type, hashed chat, handler, latency, outcome.

The line carries no text, callback data, names or usernames, and no raw chat id.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, CommandHandler, ContextTypes

from bot.telegram.update_order import PerChatOrder

log = logging.getLogger("bot.updates")
NONE = "-"
_TYPES = tuple(str(kind) for kind in Update.ALL_TYPES)
# The key derivation's label: chat tags say nothing about the token, nor match other hashes.
_KEY_LABEL = b"cramp-coach chat tag"
Callback = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


class _Handling:
    """What is learnt about one update while its handlers run."""

    __slots__ = ("handler", "outcome")

    def __init__(self) -> None:
        self.handler = NONE
        self.outcome = "ok"


# PTB handles each update in a task of its own and awaits its (blocking) handlers and error
# handlers in that task: a context variable set there reaches them all and no other update.
_current: ContextVar[_Handling | None] = ContextVar("bot_update_handling", default=None)


def update_type(update: object) -> str:
    """The update's kind ("message", "callback_query", ...), or "-" for a non-update."""
    if isinstance(update, Update):
        return next((kind for kind in _TYPES if getattr(update, kind) is not None), NONE)
    return NONE


class UpdateLog:
    """Times the handling of each update and logs its one line on `bot.updates`."""

    def __init__(self, chat_key: bytes) -> None:
        self._key = hashlib.sha256(_KEY_LABEL + chat_key).digest()

    def chat_tag(self, chat_id: int) -> str:
        """A short keyed hash of a chat id: stable for one token, useless without it."""
        return hashlib.blake2b(str(chat_id).encode(), key=self._key, digest_size=6).hexdigest()

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers, then log what ran, how long it took and how it ended."""
        if not log.isEnabledFor(logging.INFO):
            await coroutine
            return
        handling = _Handling()
        token = _current.set(handling)
        started = time.perf_counter()
        try:
            await coroutine
        except BaseException:  # PTB keeps handler errors in; this is what escapes it
            handling.outcome = "error"
            raise
        finally:
            ms = (time.perf_counter() - started) * 1000
            _current.reset(token)
            chat = update.effective_chat if isinstance(update, Update) else None
            fields = {
                "update": update_type(update),
                "chat": NONE if chat is None else self.chat_tag(chat.id),
                "handler": handling.handler,
                "ms": round(ms, 1),
                "outcome": handling.outcome,
            }
            log.info("update handled", extra={"fields": fields})


def handler_name(handler: BaseHandler[Any, Any, Any]) -> Callable[[object], str]:
    """How to name the handler in the log: a command by the command word that was sent
    (its lookup callbacks are alike), anything else by its callback's qualified name."""
    if isinstance(handler, CommandHandler):
        commands = handler.commands
        fallback = f"/{min(commands)}"

        def command(update: object) -> str:
            """The command word as registered, never other text of the message."""
            message = update.effective_message if isinstance(update, Update) else None
            words = (message.text or "").split(maxsplit=1) if message else []
            word = words[0][1:].partition("@")[0].lower() if words else ""
            return f"/{word}" if word in commands else fallback

        return command
    callback = handler.callback
    name = getattr(callback, "__qualname__", type(callback).__name__)
    return lambda _update: name


def _recording(callback: Callback, name_of: Callable[[object], str]) -> Callback:
    """The callback, made to note its name on the update being handled."""

    async def recorded(update: object, context: ContextTypes.DEFAULT_TYPE) -> Any:
        """Note the handler's name, then run it."""
        handling = _current.get()
        if handling is not None:
            name = name_of(update)
            handling.handler = name if handling.handler == NONE else f"{handling.handler}+{name}"
        return await callback(update, context)

    return recorded


async def _note_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Mark the update being handled as failed; the app's own error handler logs the error."""
    handling = _current.get()
    if handling is not None:
        handling.outcome = "error"


def log_updates(app: Application, chat_key: bytes) -> None:  # type: ignore[type-arg]
    """Log each handled update: type, hashed chat id, handler, latency and outcome. Call it
    once every handler is added: handlers added later, and those with block=False (which
    run after the line is written), show as handler "-"."""
    processor = app.update_processor
    if not isinstance(processor, PerChatOrder):
        raise TypeError("log_updates needs the PerChatOrder update processor")
    for handlers in app.handlers.values():
        for handler in handlers:
            handler.callback = _recording(handler.callback, handler_name(handler))
    app.add_error_handler(_note_error)
    processor.run_handlers = UpdateLog(chat_key).run
