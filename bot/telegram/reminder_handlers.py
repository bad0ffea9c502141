"""Thin handlers for reminders: /remind, /timezone, /reminders, /stop, /mydata, /forget and
the reminder buttons. Group changes are for group admins (checked with getChatMember)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Chat, ChatMember, Message, Update
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
from bot.core.reminder_input import InputError, parse_reminder
from bot.core.reminders import describe_next
from bot.core.timezones import describe_timezone, resolve_timezone
from bot.core.views import Action as TextAction
from bot.reminder_service import ReminderError, ReminderService, TimezoneNeededError
from bot.telegram.callbacks import (
    REMINDER_PREFIX,
    Action,
    ReminderPress,
    on_its_message,
    parse_reminder_action,
)
from bot.telegram.callbacks import reminder_action as action
from bot.telegram.html import esc
from bot.telegram.lookup_handlers import NEW_MESSAGES, command_argument
from bot.telegram.reminder_render import (
    Draft,
    chat_data,
    confirm,
    created,
    describe,
    reminder_list,
    wizard_step,
    zone_step,
)
from bot.telegram.render import Page
from bot.telegram.replies import STALE_BUTTON, edit_or_send, reply

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
ButtonHandler = Callable[[CallbackQuery, Chat, ReminderPress], Awaitable[Page | None]]

ADMINS_ONLY = (
    "Only group admins can change reminders here. You can set your own in a private chat with me."
)
NEEDS_ZONE_FIRST = (
    "First set your time zone with /timezone and your city, then send this /remind again."
)
ONLY_ASKER = "Only the person who asked can answer this."
STOP_USAGE = "Send /stop 3 to delete reminder #3, or /stop all to delete every reminder here."
_REMINDER_ID = re.compile(r"#?(\d{1,9})")
_MANAGERS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
# Buttons anyone in a group may press: they change nothing stored.
_OPEN_TO_ALL = frozenset({Action.DONE, Action.CANCEL, Action.LIST})


class ReminderHandlers:
    """The reminder side of the bot."""

    def __init__(self, service: ReminderService) -> None:
        self.service = service
        self._buttons: dict[Action, ButtonHandler] = {
            Action.DRAFT: self._draft,
            Action.NEW: self._new,
            Action.CANCEL: self._cancel,
            Action.LIST: self._show_list,
            Action.PAUSE: self._pause,
            Action.RESUME: self._resume,
            Action.EDIT: self._edit,
            Action.ASK_DELETE: self._ask_delete,
            Action.DELETE: self._delete,
            Action.DELETE_ALL: self._delete_all,
            Action.FORGET: self._forget,
            Action.DONE: self._done,
            Action.SNOOZE: self._snooze,
            Action.SKIP_TODAY: self._skip_today,
        }
        self._commands: dict[str, Callable[[Update, Context], Coroutine[Any, Any, None]]] = {
            "remind": self.remind,
            "reminders": self.reminders,
            "timezone": self.timezone,
            "stop": self.stop,
            "mydata": self.mydata,
            "forget": self.forget,
        }

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the reminder handlers; call before the lookup handlers' catch-alls."""
        for command in of(Part.REMINDERS):
            names = (command.name, *command.aliases)
            app.add_handler(CommandHandler(names, self._commands[command.name], NEW_MESSAGES))
        app.add_handler(CallbackQueryHandler(self.on_button, pattern=f"^{REMINDER_PREFIX}:"))
        app.add_handler(ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))

    async def run(self, asked: TextAction, update: Update, context: Context) -> None:
        """Run the command free text asked for, as if it were typed without arguments (an
        action is named after its command)."""
        await self._commands[asked.value](update, context)

    async def may_manage(self, update: Update, context: Context) -> bool:
        """Anyone in a private chat; in a group, its admins (and anonymous admins)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type == Chat.PRIVATE:
            return chat is not None
        message = update.message
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id
        if user is None:
            return False
        member = await context.bot.get_chat_member(chat.id, user.id)
        return member.status in _MANAGERS

    # Commands

    async def remind(self, update: Update, context: Context) -> None:
        """Set a reminder: guided with buttons, or in one line."""
        message = update.effective_message
        if message is None or not await self._allowed(update, context):
            return
        argument = command_argument(message)
        if not argument:
            await reply(message, wizard_step(None))
            return
        try:
            draft = Draft.of(parse_reminder(argument))
        except InputError as error:
            await reply(message, Page(esc(str(error)), None))
            return
        user_id = update.effective_user.id if update.effective_user else 0
        await reply(message, await self._complete(message.chat, user_id, draft))

    async def reminders(self, update: Update, context: Context) -> None:
        """List the chat's reminders."""
        message = update.effective_message
        if message is not None:
            await reply(message, await self._list(message.chat.id))

    async def timezone(self, update: Update, context: Context) -> None:
        """Show or set the chat's time zone."""
        message = update.effective_message
        if message is None:
            return
        argument = command_argument(message)
        if not argument:
            zone = await self.service.timezone(message.chat.id)
            current = f"Your time zone is {esc(describe_timezone(zone))}." if zone else None
            text = (
                f"{current or 'No time zone is set yet.'}\n"
                "Set it with /timezone and a city or zone: /timezone Europe/Berlin"
            )
            await reply(message, Page(text, None))
            return
        if not await self._allowed(update, context):
            return
        try:
            zone = resolve_timezone(argument)
        except InputError as error:
            await reply(message, Page(esc(str(error)), None))
            return
        moved = await self.service.set_timezone(message.chat.id, message.chat.type, zone)
        local = self.service.clock.now().astimezone(ZoneInfo(zone))
        text = (
            f"🕒 Time zone set to {esc(describe_timezone(zone))} (it is {local:%H:%M} there now)."
        )
        if moved:
            text += f" Your {moved} reminders keep their local times."
        await reply(message, Page(text, None))

    async def stop(self, update: Update, context: Context) -> None:
        """Delete one reminder by number, or all after a confirmation."""
        message = update.effective_message
        if message is None:
            return
        argument = command_argument(message).lower()
        if not argument:
            page = await self._list(message.chat.id)
            await reply(message, Page(f"{page.text}\n\n{esc(STOP_USAGE)}", page.keyboard))
            return
        if not await self._allowed(update, context):
            return
        if argument == "all":
            count = len(await self.service.reminders(message.chat.id))
            if count:
                question = f"Delete all {count} reminders in this chat?"
                yes = action(Action.DELETE_ALL, _asker(update))
                page = confirm(question, "🗑 Delete all", yes)
            else:
                page = Page("There are no reminders here to delete.", None)
            await reply(message, page)
            return
        match = _REMINDER_ID.fullmatch(argument)
        if match is None:
            await reply(message, Page(esc(STOP_USAGE), None))
            return
        try:
            deleted = await self.service.delete(message.chat.id, int(match.group(1)))
        except ReminderError as error:
            await reply(message, Page(esc(str(error)), None))
            return
        await reply(message, Page(f"🗑 Deleted reminder #{deleted.id}: {describe(deleted)}.", None))

    async def mydata(self, update: Update, context: Context) -> None:
        """Show everything stored about the chat."""
        message = update.effective_message
        if message is not None and await self._allowed(update, context):
            await reply(message, chat_data(await self.service.data(message.chat.id)))

    async def forget(self, update: Update, context: Context) -> None:
        """Offer to delete everything stored about the chat."""
        message = update.effective_message
        if message is None or not await self._allowed(update, context):
            return
        question = (
            "Delete everything I store about this chat: its time zone, every reminder and "
            "their delivery log? This cannot be undone."
        )
        yes = action(Action.FORGET, _asker(update))
        await reply(message, confirm(question, "Delete everything", yes))

    async def on_membership(self, update: Update, context: Context) -> None:
        """Pause a chat's reminders when the bot is blocked or removed from it."""
        change = update.my_chat_member
        if change is not None and change.new_chat_member.status in (
            ChatMember.BANNED,
            ChatMember.LEFT,
        ):
            paused = await self.service.chat_gone(change.chat.id)
            log.info("removed from a chat: paused its %d reminders", paused)

    async def on_migrate(self, update: Update, context: Context) -> None:
        """Follow a group that became a supergroup (Telegram gives it a new chat id)."""
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id is not None:
            moved = await self.service.chat_moved(message.chat.id, message.migrate_to_chat_id)
            log.info("group became a supergroup: moved its %d reminders", moved)

    # Buttons

    async def on_button(self, update: Update, context: Context) -> None:
        """Handle a reminder button: setup steps, list actions, Done / Snooze / Skip."""
        query = update.callback_query
        if query is None:
            return
        press = parse_reminder_action(query.data)
        message = query.message
        if press is None or not isinstance(message, Message) or not on_its_message(query):
            await query.answer(STALE_BUTTON)
            return
        asker = _waiting_for(message)
        if asker and asker != query.from_user.id:
            await query.answer(ONLY_ASKER, show_alert=True)
            return
        if press.action not in _OPEN_TO_ALL and not await self.may_manage(update, context):
            await query.answer(ADMINS_ONLY, show_alert=True)
            return
        try:
            page = await self._buttons[press.action](query, message.chat, press)
        except (ReminderError, InputError) as error:
            await query.answer(str(error)[:200], show_alert=True)
            return
        except (ValueError, IndexError, KeyError):
            await query.answer(STALE_BUTTON)
            return
        await query.answer()
        if page is not None:
            await edit_or_send(query, page)

    async def _draft(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        return await self._complete(chat, query.from_user.id, Draft.unpack(list(press.draft)))

    async def _new(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        return wizard_step(None)

    async def _cancel(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        return Page("Cancelled.", None)

    async def _show_list(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        return await self._list(chat.id)

    async def _pause(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        await self.service.pause(chat.id, press.reminder_id)
        return await self._list(chat.id)

    async def _resume(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        await self.service.resume(chat.id, press.reminder_id)
        return await self._list(chat.id)

    async def _edit(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        reminder = await self.service.own(chat.id, press.reminder_id)
        return wizard_step(Draft(reminder.kind, edit=reminder.id))

    async def _ask_delete(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        reminder = await self.service.own(chat.id, press.reminder_id)
        question = f"Delete reminder #{reminder.id}: {describe(reminder)}?"
        yes = action(Action.DELETE, reminder.id, query.from_user.id)
        return confirm(question, "🗑 Delete", yes)

    async def _delete(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        await self.service.delete(chat.id, press.reminder_id)
        return await self._list(chat.id)

    async def _delete_all(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        count = await self.service.delete_all(chat.id)
        return Page(f"🗑 Deleted {count} reminders.", None)

    async def _forget(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page:
        await self.service.forget(chat.id)
        return Page("Done: everything stored about this chat is deleted.", None)

    async def _done(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page | None:
        return _annotated(query, "✓ Done")

    async def _snooze(self, query: CallbackQuery, chat: Chat, press: ReminderPress) -> Page | None:
        reminder, due = await self.service.snooze(chat.id, press.reminder_id)
        return _annotated(
            query, f"⏰ Snoozed until {due.astimezone(reminder.schedule.zone):%H:%M}"
        )

    async def _skip_today(
        self, query: CallbackQuery, chat: Chat, press: ReminderPress
    ) -> Page | None:
        reminder, due = await self.service.skip_today(chat.id, press.reminder_id)
        when = describe_next(due, self.service.clock.now(), reminder.schedule)
        return _annotated(query, f"⏭ Skipped for today. Next: {when}")

    # Shared steps

    async def _complete(self, chat: Chat, user_id: int, draft: Draft) -> Page:
        """Ask the next setup question, or save the reminder."""
        if draft.needs_frequency or draft.needs_window:
            return wizard_step(draft)
        try:
            reminder = await self.service.save(
                chat.id, chat.type, user_id, draft.spec(), zone=draft.zone, edit=draft.edit
            )
        except TimezoneNeededError:
            return zone_step(draft) or Page(NEEDS_ZONE_FIRST, None)
        except (ReminderError, InputError) as error:
            return Page(esc(str(error)), None)
        return created(reminder, self.service.clock.now(), edited=draft.edit is not None)

    async def _list(self, chat_id: int) -> Page:
        zone = await self.service.timezone(chat_id)
        reminders = await self.service.reminders(chat_id)
        return reminder_list(reminders, zone, self.service.clock.now())

    async def _allowed(self, update: Update, context: Context) -> bool:
        if await self.may_manage(update, context):
            return True
        if update.effective_message is not None:
            await reply(update.effective_message, Page(esc(ADMINS_ONLY), None))
        return False


def _asker(update: Update) -> int:
    """Who a confirmation is for: the sender, or 0 (any admin) for an anonymous admin, whose
    presses come from their own account rather than the group's."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return 0
    return update.effective_user.id if update.effective_user else 0


def _waiting_for(message: Message) -> int | None:
    """The asker of the confirmation this message shows, read from its own buttons (Cancel
    carries no asker of its own); None if it shows no confirmation."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data
            press = parse_reminder_action(data) if isinstance(data, str) else None
            if press is not None and press.asker is not None:
                return press.asker
    return None


def _annotated(query: CallbackQuery, note: str) -> Page | None:
    """The reminder message with a line added under it and its buttons taken away."""
    message = query.message
    if not isinstance(message, Message):
        return None
    return Page(f"{message.text_html}\n\n{esc(note)}", None)
