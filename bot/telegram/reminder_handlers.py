"""Thin handlers for reminders: /remind, /timezone, /reminders, /stop, /mydata, /forget and
the reminder buttons. Group changes are for group admins (checked with getChatMember)."""

from __future__ import annotations

import logging
import re
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.reminder_input import InputError, parse_reminder
from bot.core.reminders import describe_next
from bot.core.timezones import describe_timezone, resolve_timezone
from bot.reminder_service import ReminderError, ReminderService
from bot.telegram.callbacks import REMINDER_PREFIX
from bot.telegram.callbacks import reminder_action as action
from bot.telegram.html import esc
from bot.telegram.lookup_handlers import command_argument
from bot.telegram.reminder_render import (
    Draft,
    chat_data,
    confirm,
    created,
    describe,
    reminder_list,
    wizard_step,
)
from bot.telegram.render import Page

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ADMINS_ONLY = (
    "Only group admins can change reminders here. You can set your own in a private chat with me."
)
NEEDS_ZONE_FIRST = (
    "First set your time zone with /timezone and your city, then send this /remind again."
)
STALE = "This button is out of date. Send /reminders for a fresh list."
STOP_USAGE = "Send /stop 3 to delete reminder #3, or /stop all to delete every reminder here."
_REMINDER_ID = re.compile(r"#?(\d{1,9})")
_MANAGERS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)

# (command, aliases, description for the command menu)
REMINDER_COMMANDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("remind", (), "Set a water or stretch reminder"),
    ("reminders", (), "List this chat's reminders"),
    ("timezone", ("tz",), "Set your time zone, e.g. /timezone Europe/Berlin"),
    ("stop", (), "Delete a reminder, or all of them"),
    ("mydata", (), "See everything stored about this chat"),
    ("forget", (), "Delete everything stored about this chat"),
)


class ReminderHandlers:
    """The reminder side of the bot."""

    def __init__(self, service: ReminderService) -> None:
        self.service = service

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the reminder handlers; call before the lookup handlers' catch-alls."""
        commands = {
            "remind": self.remind,
            "reminders": self.reminders,
            "timezone": self.timezone,
            "stop": self.stop,
            "mydata": self.mydata,
            "forget": self.forget,
        }
        for name, aliases, _ in REMINDER_COMMANDS:
            app.add_handler(CommandHandler((name, *aliases), commands[name]))
        app.add_handler(CallbackQueryHandler(self.on_button, pattern=f"^{REMINDER_PREFIX}:"))
        app.add_handler(ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))

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
            await self._reply(message, wizard_step(None, zone_known=True))
            return
        try:
            draft = Draft.of(parse_reminder(argument))
        except InputError as error:
            await self._reply(message, Page(esc(str(error)), None))
            return
        user_id = update.effective_user.id if update.effective_user else 0
        await self._reply(message, await self._complete(message.chat, user_id, draft))

    async def reminders(self, update: Update, context: Context) -> None:
        """List the chat's reminders."""
        message = update.effective_message
        if message is not None:
            await self._reply(message, await self._list(message.chat.id))

    async def timezone(self, update: Update, context: Context) -> None:
        """Show or set the chat's time zone."""
        message = update.effective_message
        if message is None:
            return
        argument = command_argument(message)
        if not argument:
            zone = await self.service.timezone(message.chat.id)
            current = (
                f"Your time zone is {esc(describe_timezone(zone))}."
                if zone
                else ("No time zone is set yet.")
            )
            text = f"{current}\nSet it with /timezone and a city or zone: /timezone Europe/Berlin"
            await self._reply(message, Page(text, None))
            return
        if not await self._allowed(update, context):
            return
        try:
            zone = resolve_timezone(argument)
        except InputError as error:
            await self._reply(message, Page(esc(str(error)), None))
            return
        await self._reply(message, Page(await self._set_zone(message.chat, zone), None))

    async def stop(self, update: Update, context: Context) -> None:
        """Delete one reminder by number, or all after a confirmation."""
        message = update.effective_message
        if message is None:
            return
        argument = command_argument(message).lower()
        if not argument:
            page = await self._list(message.chat.id)
            await self._reply(message, Page(f"{page.text}\n\n{esc(STOP_USAGE)}", page.keyboard))
            return
        if not await self._allowed(update, context):
            return
        chat_id = message.chat.id
        if argument == "all":
            count = len(await self.service.reminders(chat_id))
            if not count:
                await self._reply(message, Page("There are no reminders here to delete.", None))
                return
            question = f"Delete all {count} reminders in this chat?"
            await self._reply(message, confirm(question, "🗑 Delete all", action("A")))
            return
        match = _REMINDER_ID.fullmatch(argument)
        if match is None:
            await self._reply(message, Page(esc(STOP_USAGE), None))
            return
        try:
            reminder = await self.service.own(chat_id, int(match.group(1)))
            await self.service.delete(chat_id, reminder.id)
        except ReminderError as error:
            await self._reply(message, Page(esc(str(error)), None))
            return
        await self._reply(
            message, Page(f"🗑 Deleted reminder #{reminder.id}: {describe(reminder)}.", None)
        )

    async def mydata(self, update: Update, context: Context) -> None:
        """Show everything stored about the chat."""
        message = update.effective_message
        if message is None or not await self._allowed(update, context):
            return
        data = await self.service.data(message.chat.id)
        await self._reply(message, chat_data(data))

    async def forget(self, update: Update, context: Context) -> None:
        """Offer to delete everything stored about the chat."""
        message = update.effective_message
        if message is None or not await self._allowed(update, context):
            return
        question = (
            "Delete everything I store about this chat: its time zone, every reminder and "
            "their delivery log? This cannot be undone."
        )
        await self._reply(message, confirm(question, "Delete everything", action("F")))

    async def on_membership(self, update: Update, context: Context) -> None:
        """Pause a chat's reminders when the bot is blocked or removed from it."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None:
            return
        if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
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
        if query is None or query.message is None or query.data is None:
            return
        fields = query.data.split(":")[1:]
        name, args = fields[0], fields[1:]
        if name == "x":
            await query.answer("Well done!")
            await self._annotate(query, "✓ Done")
            return
        if name not in ("c", "l") and not await self.may_manage(update, context):
            await query.answer(ADMINS_ONLY, show_alert=True)
            return
        try:
            page = await self._button_page(query, name, args)
        except (ReminderError, InputError) as error:
            await query.answer(str(error)[:200], show_alert=True)
            return
        except (ValueError, IndexError, KeyError):
            await query.answer(STALE)
            return
        await query.answer()
        if page is not None:
            await self._edit(query, page)

    async def _button_page(self, query: CallbackQuery, name: str, args: list[str]) -> Page | None:
        chat = query.message.chat if query.message else None
        assert chat is not None
        chat_id = chat.id
        now = self.service.clock.now()
        if name == "n":
            draft = Draft.unpack(args)
            return await self._complete(chat, query.from_user.id, draft)
        if name == "new":
            return wizard_step(None, zone_known=True)
        if name == "c":
            return Page("Cancelled.", None)
        if name == "l":
            return await self._list(chat_id)
        if name in ("p", "r"):
            reminder_id = int(args[0])
            toggle = self.service.pause if name == "p" else self.service.resume
            await toggle(chat_id, reminder_id)
            return await self._list(chat_id)
        if name == "e":
            reminder = await self.service.own(chat_id, int(args[0]))
            return wizard_step(Draft(reminder.kind, edit=reminder.id), zone_known=True)
        if name == "d":
            reminder = await self.service.own(chat_id, int(args[0]))
            question = f"Delete reminder #{reminder.id}: {describe(reminder)}?"
            return confirm(question, "🗑 Delete", action("D", reminder.id))
        if name == "D":
            await self.service.delete(chat_id, int(args[0]))
            return await self._list(chat_id)
        if name == "A":
            count = await self.service.delete_all(chat_id)
            return Page(f"🗑 Deleted {count} reminders.", None)
        if name == "F":
            await self.service.forget(chat_id)
            return Page("Done: everything stored about this chat is deleted.", None)
        if name == "z":
            due = await self.service.snooze(chat_id, int(args[0]))
            reminder = await self.service.own(chat_id, int(args[0]))
            await self._annotate(
                query, f"⏰ Snoozed until {due.astimezone(reminder.schedule.zone):%H:%M}"
            )
            return None
        if name == "k":
            due = await self.service.skip_today(chat_id, int(args[0]))
            reminder = await self.service.own(chat_id, int(args[0]))
            when = describe_next(due, now, reminder.schedule)
            await self._annotate(query, f"⏭ Skipped for today. Next: {when}")
            return None
        raise ValueError(name)

    # Shared steps

    async def _complete(self, chat: Chat, user_id: int, draft: Draft) -> Page:
        """Ask the next setup question, or create (or change) the reminder."""
        if draft.needs_frequency or draft.needs_window:
            return wizard_step(draft, zone_known=True)
        zone = await self.service.timezone(chat.id)
        if zone is None and draft.zone is not None:
            await self.service.set_timezone(chat.id, chat.type, draft.zone)
        elif zone is None:
            if draft.pack() is None:
                return Page(NEEDS_ZONE_FIRST, None)
            return wizard_step(draft, zone_known=False)
        try:
            if draft.edit is not None:
                reminder = await self.service.edit(chat.id, draft.edit, draft.spec())
            else:
                reminder = await self.service.create(chat.id, chat.type, user_id, draft.spec())
        except (ReminderError, InputError) as error:
            return Page(esc(str(error)), None)
        return created(reminder, self.service.clock.now(), edited=draft.edit is not None)

    async def _set_zone(self, chat: Chat, zone: str) -> str:
        moved = await self.service.set_timezone(chat.id, chat.type, zone)
        local = self.service.clock.now().astimezone(ZoneInfo(zone))
        text = (
            f"🕒 Time zone set to {esc(describe_timezone(zone))} (it is {local:%H:%M} there now)."
        )
        if moved:
            text += f" Your {moved} reminders keep their local times."
        return text

    async def _list(self, chat_id: int) -> Page:
        zone = await self.service.timezone(chat_id)
        reminders = await self.service.reminders(chat_id)
        return reminder_list(reminders, zone, self.service.clock.now())

    async def _allowed(self, update: Update, context: Context) -> bool:
        if await self.may_manage(update, context):
            return True
        if update.effective_message is not None:
            await update.effective_message.reply_html(esc(ADMINS_ONLY))
        return False

    @staticmethod
    async def _reply(message: Message, page: Page) -> None:
        await message.reply_html(page.text, reply_markup=page.keyboard)

    @staticmethod
    async def _edit(query: CallbackQuery, page: Page) -> None:
        try:
            await query.edit_message_text(page.text, reply_markup=page.keyboard)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    @staticmethod
    async def _annotate(query: CallbackQuery, note: str) -> None:
        """Add a line under a reminder message and take its buttons away."""
        message = query.message
        if not isinstance(message, Message):
            return
        await ReminderHandlers._edit(query, Page(f"{message.text_html}\n\n{esc(note)}", None))
