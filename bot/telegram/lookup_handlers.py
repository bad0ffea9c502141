"""Thin handlers for the lookup commands, buttons and free text: translate, render, reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from telegram import Chat, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.commands import Part, of
from bot.core.knowledge import KnowledgeBase
from bot.core.matching import Lookup
from bot.core.understanding import Understanding
from bot.core.views import Action, Screen, View
from bot.telegram.callbacks import on_its_message, parse_start_payload, unpack
from bot.telegram.render import Page, Renderer
from bot.telegram.replies import STALE_BUTTON, edit_or_send, reply


class Named(Protocol):
    """Anything with an id and a display label: nutrients, cause groups, stretches."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


N = TypeVar("N", bound=Named)
Context = ContextTypes.DEFAULT_TYPE
# Runs a bot action that free text asked for ("stop reminding me" -> /stop).
ActionRunner = Callable[[Action, Update, Context], Awaitable[None]]

UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
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
    """The lookup side of the bot, wired to one knowledge base and renderer."""

    def __init__(
        self,
        kb: KnowledgeBase,
        renderer: Renderer,
        understanding: Understanding,
        run_action: ActionRunner,
    ) -> None:
        self.kb = kb
        self.renderer = renderer
        self.understanding = understanding
        self.run_action = run_action
        self._by_command: dict[str, Callable[[Message, str], Page]] = {
            "start": self._start,
            "causes": self._causes,
            "foods": self._foods,
            "nutrient": self._nutrient,
            "stretches": self._stretches,
            "relief": partial(self._fixed, Screen.RELIEF),
            "redflags": partial(self._fixed, Screen.RED_FLAGS),
            "sources": partial(self._fixed, Screen.SOURCES),
            "help": partial(self._fixed, Screen.HELP),
            "about": partial(self._fixed, Screen.ABOUT),
        }

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
        build = self._by_command[name]

        async def handle(update: Update, context: Context) -> None:
            """Answer one lookup command; words after it that describe a warning sign get
            the warning instead ('/relief my calf is hot and swollen')."""
            message = update.effective_message
            if message is None:
                return
            argument = command_argument(message)
            sign = self.understanding.triage.sign(argument) if argument else None
            if sign is not None:
                await reply(message, self._page(message, View(Screen.TRIAGE, sign.id)))
                return
            await reply(message, build(message, argument))

        return handle

    async def on_button(self, update: Update, context: Context) -> None:
        """Show the screen a button names by editing its message in place."""
        query = update.callback_query
        if query is None:
            return
        view = unpack(query.data)
        if view is None or not on_its_message(query):
            await query.answer(STALE_BUTTON)
            return
        await query.answer()
        await edit_or_send(query, self.renderer.render(view))

    async def on_text(self, update: Update, context: Context) -> None:
        """Answer a free-text message in a private chat: a warning sign first, then the
        screen or action it asks for, else the closest topics."""
        message = update.effective_message
        if message is None:
            return
        understood = self.understanding.understand(message.text or "")
        if understood.action is not None:
            await self.run_action(understood.action, update, context)
            return
        if understood.view is not None:
            await reply(message, self.renderer.render(understood.view))
            return
        await reply(message, self.renderer.unknown(understood.suggestions))

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

    def _page(self, message: Message, view: View) -> Page:
        if is_group(message.chat):
            view = View(view.screen, view.arg, view.page, compact=True)
        return self.renderer.render(view)

    def _fixed(self, screen: Screen, message: Message, _argument: str) -> Page:
        return self._page(message, View(screen))

    # Commands that take an argument: each maps it to a view, or to "did you mean".

    def _start(self, message: Message, argument: str) -> Page:
        return self._page(message, parse_start_payload(argument) or View(Screen.MENU))

    def _causes(self, message: Message, argument: str) -> Page:
        lookup = self.kb.cause_group(argument)
        groups = self.kb.cause_groups
        return self._pick(message, argument, "cause group", lookup, groups, Screen.CAUSE_GROUP)

    def _stretches(self, message: Message, argument: str) -> Page:
        lookup = self.kb.stretch(argument)
        return self._pick(message, argument, "stretch", lookup, self.kb.stretches, Screen.STRETCH)

    def _foods(self, message: Message, argument: str) -> Page:
        return self._nutrient_command(message, argument, Screen.FOODS)

    def _nutrient(self, message: Message, argument: str) -> Page:
        return self._nutrient_command(message, argument, Screen.NUTRIENT)

    def _nutrient_command(self, message: Message, argument: str, screen: Screen) -> Page:
        lookup = self.kb.nutrient(argument)
        if argument and lookup.found is None and (food := self.kb.food_word(argument)):
            return self._page(message, View(Screen.FOOD, food))
        return self._pick(message, argument, "nutrient", lookup, self.kb.nutrients, screen)

    def _pick(
        self,
        message: Message,
        argument: str,
        kind: str,
        lookup: Lookup[N],
        every: Sequence[N],
        screen: Screen,
    ) -> Page:
        """The item's screen; with no argument the list to pick from; else 'did you mean'."""
        if not argument:
            return self._page(message, _LISTS[screen])
        if lookup.found is not None:
            return self._page(message, View(screen, lookup.found.id))
        compact = is_group(message.chat)
        choices = lookup.suggestions or tuple(every)
        options = [(item.label, View(screen, item.id, compact=compact)) for item in choices]
        return self.renderer.not_found(kind, argument, options, close=bool(lookup.suggestions))


# The list each item screen is picked from, shown when a command comes without a name.
_LISTS = {
    Screen.CAUSE_GROUP: View(Screen.CAUSES),
    Screen.STRETCH: View(Screen.STRETCHES),
    Screen.FOODS: View(Screen.NUTRIENTS, "f"),
    Screen.NUTRIENT: View(Screen.NUTRIENTS, "n"),
}
