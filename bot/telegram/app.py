"""Builds the python-telegram-bot Application over the core: defaults, handlers, menus."""

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

from bot.app import Core
from bot.core.commands import Chats, offered
from bot.core.texts import BUSY, SORRY
from bot.flood import FloodControl, Limits
from bot.storage import BusyError
from bot.telegram.admin_handlers import AdminHandlers
from bot.telegram.callbacks import CALLBACK_DATA_MAX_BYTES
from bot.telegram.inline_handlers import InlineHandlers
from bot.telegram.lookup_handlers import LookupHandlers
from bot.telegram.rate_limiter import TelegramRateLimiter
from bot.telegram.reminder_handlers import ReminderHandlers
from bot.telegram.render import Renderer
from bot.telegram.update_log import log_updates
from bot.telegram.update_order import PerChatOrder

log = logging.getLogger(__name__)
CORE = "core"


def build_application(
    core: Core,
    *,
    token: str | None = None,
    request: BaseRequest,
    updates_request: BaseRequest,
    flood: FloodControl | None = None,
) -> Application:  # type: ignore[type-arg]
    """The Telegram Application over the core's services, sending through `request` and
    polling through `updates_request`; `flood` replaces Telegram's default limits
    (benchmarks)."""
    settings, kb = core.settings, core.kb
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
    builder = builder.request(request).get_updates_request(updates_request)
    app = builder.build()

    async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
        """Publish the command menus once the bot knows who it is."""
        await register_commands(app, settings.admin_ids)

    app.post_init = publish_commands
    app.bot_data[CORE] = core
    renderer = Renderer(kb)
    # Operator and reminder handlers first: the lookup side ends with catch-alls for buttons
    # and commands.
    AdminHandlers(settings.admin_ids, core.operator).register(app)
    reminders = ReminderHandlers(core.flow(CALLBACK_DATA_MAX_BYTES), renderer)
    reminders.register(app)
    LookupHandlers(core.answers, renderer, reminders.run).register(app)
    InlineHandlers(kb, renderer, core.answers.understanding).register(app)
    app.add_error_handler(on_error)
    log_updates(app, (token or settings.token or "").encode())
    return app


def core_of(app: Application) -> Core:  # type: ignore[type-arg]
    """The core build_application served the application from."""
    found = app.bot_data[CORE]
    assert isinstance(found, Core)
    return found


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
