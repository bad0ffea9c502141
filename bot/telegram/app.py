"""Builds the python-telegram-bot Application: settings, defaults, handlers, start-up work."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.commands import Chats, offered
from bot.core.knowledge import KnowledgeBase
from bot.core.understanding import Understanding
from bot.dispatch import HEARTBEAT_SECONDS, Dispatcher
from bot.flood import FloodControl, Limits
from bot.reminder_service import ReminderService
from bot.storage import BusyError, Store
from bot.telegram.admin_handlers import AdminHandlers
from bot.telegram.inline_handlers import InlineHandlers
from bot.telegram.lookup_handlers import LookupHandlers
from bot.telegram.rate_limiter import TelegramRateLimiter
from bot.telegram.reminder_delivery import TelegramSender
from bot.telegram.reminder_handlers import ReminderHandlers
from bot.telegram.render import Renderer
from bot.telegram.runtime import RUNTIME, Runtime
from bot.telegram.update_log import log_updates
from bot.telegram.update_order import PerChatOrder

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
BUSY = "I'm busy saving other changes right now. Please try that again in a few seconds."


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    flood: FloodControl | None = None,
    clock: Clock | None = None,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> Application:  # type: ignore[type-arg]
    """The bot's Application. `request`s replace the HTTP transport (offline console),
    `flood` Telegram's default limits (benchmarks), `clock` the time (tests)."""
    builder = (
        ApplicationBuilder()
        .token(token or settings.token or "")
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(
            TelegramRateLimiter(flood or FloodControl(Limits(per_second=settings.send_rate)))
        )
        .concurrent_updates(PerChatOrder())
    )
    if request is not None and updates_request is not None:
        builder = builder.request(request).get_updates_request(updates_request)
    app = builder.build()
    clock = clock or SystemClock()
    store = Store(settings.database_path)
    dispatcher = Dispatcher(
        store,
        TelegramSender(app.bot, kb, paid=settings.paid_broadcast),
        clock,
        heartbeat_seconds=heartbeat_seconds,
    )
    app.bot_data[RUNTIME] = runtime = Runtime(store, dispatcher, clock, clock.now())

    async def start_reminders(app: Application) -> None:  # type: ignore[type-arg]
        """Open the database and start the dispatcher (active, or standby to another)."""
        await store.open()
        await dispatcher.start()
        await register_commands(app, settings.admin_ids)

    async def stop_reminders(app: Application) -> None:  # type: ignore[type-arg]
        """Let sends in flight finish while the bot's HTTP client is still open."""
        await dispatcher.stop()

    async def close_database(app: Application) -> None:  # type: ignore[type-arg]
        """Close the database, last of all."""
        await store.close()

    app.post_init = start_reminders
    app.post_stop = stop_reminders
    app.post_shutdown = close_database
    renderer = Renderer(kb)
    # Operator and reminder handlers first: the lookup side ends with catch-alls for buttons
    # and commands.
    AdminHandlers(settings.admin_ids, runtime).register(app)
    reminders = ReminderHandlers(ReminderService(store, clock))
    reminders.register(app)
    understanding = Understanding(kb)
    LookupHandlers(kb, renderer, understanding, reminders.run).register(app)
    InlineHandlers(kb, renderer, understanding).register(app)
    app.add_error_handler(on_error)
    log_updates(app, (token or settings.token or "").encode())
    return app


async def register_commands(
    app: Application,  # type: ignore[type-arg]
    admin_ids: frozenset[int],
) -> None:
    """Publish the command menu for private and group chats, and the operator's commands in
    each admin's own chat; a failure only logs."""

    def menu(chats: Chats) -> list[BotCommand]:
        return [BotCommand(c.name, c.summary) for c in offered(chats)]

    operator = menu(Chats.PRIVATE | Chats.OPERATOR)
    menus: list[tuple[list[BotCommand], BotCommandScope]] = [
        (menu(Chats.PRIVATE), BotCommandScopeAllPrivateChats()),
        (menu(Chats.GROUP), BotCommandScopeAllGroupChats()),
        *((operator, BotCommandScopeChat(admin)) for admin in sorted(admin_ids)),
    ]
    for commands, scope in menus:
        try:
            await app.bot.set_my_commands(commands, scope=scope)
        except TelegramError as error:
            # An admin who has not opened a chat with the bot yet has no chat to scope to.
            log.warning("could not register the %s command menu: %s", scope.type, error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected error and tell the user something went wrong, without details."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    # The database stayed locked past its busy timeout: nothing was written, so say so.
    busy = isinstance(context.error, BusyError)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, BUSY if busy else SORRY)
        except TelegramError:
            log.warning("could not tell chat about the failure of update %s", update_id)
