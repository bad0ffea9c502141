"""Telegram's reminder handlers: /remind, /timezone, /reminders, /stop, /mydata, /forget and
the reminder buttons, translated to the reminder flow; group admins checked with
getChatMember; a chat left or migrated followed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, ChatMember, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.commands import Part, of
from bot.core.platforms import Platform
from bot.core.targets import REMINDER_PREFIX, parse_press
from bot.core.texts import STALE_BUTTON
from bot.core.views import Action
from bot.reminder_flow import Asker, ReminderFlow, waiting_for
from bot.telegram.callbacks import on_its_message
from bot.telegram.lookup_handlers import NEW_MESSAGES, command_argument
from bot.telegram.render import Renderer
from bot.telegram.replies import answer_press, send

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
_MANAGERS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


class ReminderHandlers:
    """The reminder side of the bot on Telegram."""

    def __init__(self, flow: ReminderFlow, renderer: Renderer) -> None:
        self.flow = flow
        self.renderer = renderer

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the reminder handlers; call before the lookup handlers' catch-alls."""
        for command in of(Part.REMINDERS):
            names = (command.name, *command.aliases)
            app.add_handler(
                CommandHandler(names, self._handler(Action(command.name)), NEW_MESSAGES)
            )
        app.add_handler(CallbackQueryHandler(self.on_button, pattern=f"^{REMINDER_PREFIX}:"))
        app.add_handler(ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))

    def _handler(self, action: Action) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
        async def handle(update: Update, context: Context) -> None:
            """Run one reminder command with the words after it."""
            await self.run(action, update, context)

        return handle

    async def run(self, action: Action, update: Update, context: Context) -> None:
        """Run a reminder command: typed, or asked for in free text (then without
        arguments: command_argument gives none for a message that is not a command)."""
        message, asker = update.effective_message, self.asker(update, context)
        if message is None or asker is None:
            return
        reply = await self.flow.command(action, asker, command_argument(message))
        await send(message, reply, self.renderer)

    def asker(self, update: Update, context: Context) -> Asker | None:
        """Who asks where; in a group, an admin (or anonymous admin) may change things."""
        chat, user, message = update.effective_chat, update.effective_user, update.message
        if chat is None:
            return None
        sender_chat = message.sender_chat if message is not None else None
        anonymous = sender_chat is not None

        async def may_manage() -> bool:
            if chat.type == Chat.PRIVATE:
                return True
            if sender_chat is not None:
                return sender_chat.id == chat.id
            if user is None:
                return False
            member = await context.bot.get_chat_member(chat.id, user.id)
            return member.status in _MANAGERS

        user_id = user.id if user is not None else 0
        return Asker(Platform.TELEGRAM, chat.id, chat.type, user_id, may_manage, anonymous)

    async def on_button(self, update: Update, context: Context) -> None:
        """Handle a reminder button: setup steps, list actions, Done / Snooze / Skip."""
        query = update.callback_query
        if query is None:
            return
        press = parse_press(query.data)
        message = query.message
        asker = self.asker(update, context)
        if (
            press is None
            or asker is None
            or not isinstance(message, Message)
            or not on_its_message(query)
        ):
            await query.answer(STALE_BUTTON)
            return
        markup = message.reply_markup
        shown = (
            button.callback_data
            for row in (markup.inline_keyboard if markup is not None else ())
            for button in row
            if isinstance(button.callback_data, str)
        )
        reply = await self.flow.press(asker, press, waiting_for(shown))
        await answer_press(query, reply, self.renderer)

    async def on_membership(self, update: Update, context: Context) -> None:
        """Pause a chat's reminders when the bot is blocked or removed from it."""
        change = update.my_chat_member
        if change is not None and change.new_chat_member.status in (
            ChatMember.BANNED,
            ChatMember.LEFT,
        ):
            paused = await self.flow.service.chat_gone(change.chat.id)
            log.info("removed from a chat: paused its %d reminders", paused)

    async def on_migrate(self, update: Update, context: Context) -> None:
        """Follow a group that became a supergroup (Telegram gives it a new chat id)."""
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id is not None:
            moved = await self.flow.service.chat_moved(message.chat.id, message.migrate_to_chat_id)
            log.info("group became a supergroup: moved its %d reminders", moved)
