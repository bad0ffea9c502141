"""Telegram's lookup handlers: commands, buttons and free text, translated to the answers
service and its replies rendered as pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Chat, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.answers import Answers
from bot.core.commands import Part, of
from bot.core.targets import parse_view
from bot.core.texts import STALE_BUTTON, UNKNOWN_COMMAND
from bot.core.views import Action
from bot.telegram.callbacks import on_its_message
from bot.telegram.render import Page, Renderer
from bot.telegram.replies import edit_or_send, reply, send

Context = ContextTypes.DEFAULT_TYPE
# Runs a bot action that free text asked for ("stop reminding me" -> /stop).
ActionRunner = Callable[[Action, Update, Context], Awaitable[None]]

# Only new messages: an edited command must not run again (a second reminder, say), and
# channel posts are not for this bot.
NEW_MESSAGES = filters.UpdateType.MESSAGE


def is_group(chat: Chat | None) -> bool:
    """Whether answers in this chat should be compact."""
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def command_argument(message: Message) -> str:
    """Everything after the command word, trimmed ('/foods@Bot  vit d' -> 'vit d'); a
    message that is not a command (free text that asked for one) has no argument."""
    text = message.text or ""
    if not text.startswith("/"):
        return ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


class LookupHandlers:
    """The lookup side of the bot on Telegram."""

    def __init__(self, answers: Answers, renderer: Renderer, run_action: ActionRunner) -> None:
        self.answers = answers
        self.renderer = renderer
        self.run_action = run_action

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add every lookup handler to the application."""
        for command in of(Part.LOOKUP):
            handler = self._command_handler(command.name)
            names = (command.name, *command.aliases)
            app.add_handler(CommandHandler(names, handler, filters=NEW_MESSAGES))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(
            MessageHandler(
                NEW_MESSAGES & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                self.on_text,
            )
        )
        app.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND, self.on_unknown_command))

    def _command_handler(
        self, name: str
    ) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
        async def handle(update: Update, context: Context) -> None:
            """Answer one lookup command with the words after it."""
            message = update.effective_message
            if message is None:
                return
            answer = self.answers.command(
                name, command_argument(message), compact=is_group(message.chat)
            )
            await send(message, answer, self.renderer)

        return handle

    async def on_button(self, update: Update, context: Context) -> None:
        """Show the screen a button names by editing its message in place."""
        query = update.callback_query
        if query is None:
            return
        view = parse_view(query.data)
        if view is None or not on_its_message(query):
            await query.answer(STALE_BUTTON)
            return
        await query.answer()
        await edit_or_send(query, self.renderer.render(view))

    async def on_text(self, update: Update, context: Context) -> None:
        """Answer a free-text message in a private chat."""
        message = update.effective_message
        if message is None:
            return
        answer = self.answers.text(message.text or "")
        if isinstance(answer, Action):
            await self.run_action(answer, update, context)
            return
        await send(message, answer, self.renderer)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """Say so for an unknown command, but in groups only when it is addressed to us."""
        message = update.effective_message
        if message is None:
            return
        command = (message.text or "").split(maxsplit=1)[0]
        addressed = command.lower().endswith(f"@{context.bot.username}".lower())
        if is_group(message.chat) and not addressed:
            return
        await reply(message, Page(UNKNOWN_COMMAND, None))
