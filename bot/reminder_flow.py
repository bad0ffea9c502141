"""Reminder conversations for every front end: /remind, /reminders, /timezone, /stop,
/mydata, /forget and the reminder buttons, each decided here and answered as a reply.

Front ends only say who asks where, and whether that person may change the chat's
reminders (a group's admins, a Discord channel's managers): the rules are the same."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot.core.documents import Button, Document, Press, ReminderAction, block
from bot.core.platforms import Platform
from bot.core.reminder_input import InputError, parse_reminder
from bot.core.reminders import describe_next
from bot.core.replies import Annotate, Refuse, Reply, Say, say
from bot.core.screens import reminders as screens
from bot.core.screens.reminders import ZONES, Draft
from bot.core.targets import ReminderPress, fitting, parse_press
from bot.core.texts import (
    ADMINS_ONLY,
    FORGET_QUESTION,
    NEEDS_ZONE_FIRST,
    ONLY_ASKER,
    STALE_BUTTON,
    STOP_USAGE,
)
from bot.core.timezones import describe_timezone, resolve_timezone
from bot.core.views import Action
from bot.reminder_service import ReminderError, ReminderService, TimezoneNeededError

_REMINDER_ID = re.compile(r"#?(\d{1,9})")
# Buttons anyone in a group may press: they change nothing stored.
_OPEN_TO_ALL = frozenset({ReminderAction.DONE, ReminderAction.CANCEL, ReminderAction.LIST})


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks, in which chat, and how to learn whether they may change its reminders
    (asked only when they try: it may cost the front end a request)."""

    platform: Platform
    chat_id: int
    chat_type: str  # "private" for one person's chat; otherwise a shared one
    user_id: int
    may_manage: Callable[[], Awaitable[bool]]
    for_chat: bool = False  # speaks for the whole chat (an anonymous admin)

    @property
    def confirmer(self) -> int:
        """Who a confirmation is for: the asker, or 0 (any admin) for an anonymous admin,
        whose presses come from their own account rather than the chat's."""
        return 0 if self.for_chat else self.user_id


def waiting_for(button_data: Iterable[str]) -> int | None:
    """The asker a confirmation waits for, read from its message's buttons (Cancel carries
    none of its own); None if the message shows no confirmation."""
    for data in button_data:
        press = parse_press(data)
        if press is not None and press.asker is not None:
            return press.asker
    return None


class ReminderFlow:
    """The reminder side of the conversation, over one reminder service. `max_target` is
    the front end's size limit for a button's encoded target (bytes), `max_buttons` how
    many buttons a message may carry (None: no limit)."""

    def __init__(
        self, service: ReminderService, max_target: int, max_buttons: int | None = None
    ) -> None:
        self.service = service
        self.max_target = max_target
        self.max_buttons = max_buttons
        self._commands: dict[Action, Callable[[Asker, str], Awaitable[Reply]]] = {
            Action.REMIND: self.remind,
            Action.REMINDERS: self.reminders,
            Action.TIMEZONE: self.timezone,
            Action.STOP: self.stop,
            Action.MYDATA: self.mydata,
            Action.FORGET: self.forget,
        }
        self._buttons: dict[ReminderAction, Callable[[Asker, ReminderPress], Awaitable[Reply]]] = {
            ReminderAction.DRAFT: self._draft,
            ReminderAction.NEW: self._new,
            ReminderAction.CANCEL: self._cancel,
            ReminderAction.LIST: self._show_list,
            ReminderAction.PAUSE: self._pause,
            ReminderAction.RESUME: self._resume,
            ReminderAction.EDIT: self._edit,
            ReminderAction.ASK_DELETE: self._ask_delete,
            ReminderAction.DELETE: self._delete,
            ReminderAction.DELETE_ALL: self._delete_all,
            ReminderAction.FORGET: self._forget,
            ReminderAction.DONE: self._done,
            ReminderAction.SNOOZE: self._snooze,
            ReminderAction.SKIP_TODAY: self._skip_today,
        }

    async def command(self, action: Action, asker: Asker, argument: str = "") -> Reply:
        """Run a reminder command (an action is named after its command); free text that
        asks for one runs it without an argument."""
        return await self._commands[action](asker, argument.strip())

    # Commands

    async def remind(self, asker: Asker, argument: str) -> Reply:
        """Set a reminder: guided with buttons, or in one line."""
        if not await asker.may_manage():
            return say(ADMINS_ONLY)
        if not argument:
            return Say(screens.wizard_step(None))
        try:
            draft = Draft.of(parse_reminder(argument))
        except InputError as error:
            return say(str(error))
        return await self._complete(asker, draft)

    async def reminders(self, asker: Asker, argument: str) -> Reply:
        """List the chat's reminders."""
        return Say(await self._list(asker.chat_id))

    async def timezone(self, asker: Asker, argument: str) -> Reply:
        """Show or set the chat's time zone."""
        if not argument:
            zone = await self.service.timezone(asker.chat_id)
            current = f"Your time zone is {describe_timezone(zone)}." if zone else None
            return say(
                current or "No time zone is set yet.",
                "Set it with /timezone and a city or zone: /timezone Europe/Berlin",
            )
        if not await asker.may_manage():
            return say(ADMINS_ONLY)
        try:
            zone = resolve_timezone(argument)
        except InputError as error:
            return say(str(error))
        moved = await self.service.set_timezone(
            asker.chat_id, asker.chat_type, zone, asker.platform
        )
        local = self.service.clock.now().astimezone(ZoneInfo(zone))
        text = f"🕒 Time zone set to {describe_timezone(zone)} (it is {local:%H:%M} there now)."
        if moved:
            text += f" Your {moved} reminders keep their local times."
        return say(text)

    async def stop(self, asker: Asker, argument: str) -> Reply:
        """Delete one reminder by number, or all after a confirmation."""
        argument = argument.lower()
        if not argument:
            listing = await self._list(asker.chat_id)
            return Say(replace(listing, blocks=(*listing.blocks, block(STOP_USAGE))))
        if not await asker.may_manage():
            return say(ADMINS_ONLY)
        if argument == "all":
            count = len(await self.service.reminders(asker.chat_id))
            if not count:
                return say("There are no reminders here to delete.")
            yes = Press(ReminderAction.DELETE_ALL, (asker.confirmer,))
            return _confirm(f"Delete all {count} reminders in this chat?", "🗑 Delete all", yes)
        match = _REMINDER_ID.fullmatch(argument)
        if match is None:
            return say(STOP_USAGE)
        try:
            deleted = await self.service.delete(asker.chat_id, int(match.group(1)))
        except ReminderError as error:
            return say(str(error))
        return say(f"🗑 Deleted reminder #{deleted.id}: {screens.describe(deleted)}.")

    async def mydata(self, asker: Asker, argument: str) -> Reply:
        """Show everything stored about the chat."""
        if not await asker.may_manage():
            return say(ADMINS_ONLY)
        return Say(screens.chat_data(await self.service.data(asker.chat_id)))

    async def forget(self, asker: Asker, argument: str) -> Reply:
        """Offer to delete everything stored about the chat."""
        if not await asker.may_manage():
            return say(ADMINS_ONLY)
        yes = Press(ReminderAction.FORGET, (asker.confirmer,))
        return _confirm(FORGET_QUESTION, "Delete everything", yes)

    # Buttons

    async def press(self, asker: Asker, press: ReminderPress, waiting: int | None) -> Reply:
        """A reminder button: setup steps, list actions, Done / Snooze / Skip. `waiting` is
        who the pressed message's confirmation is for (waiting_for), if it shows one."""
        if waiting and waiting != asker.user_id:
            return Refuse(ONLY_ASKER)
        if press.action not in _OPEN_TO_ALL and not await asker.may_manage():
            return Refuse(ADMINS_ONLY)
        try:
            return await self._buttons[press.action](asker, press)
        except (ReminderError, InputError) as error:
            return Refuse(str(error)[:200])
        except (ValueError, IndexError, KeyError):
            return Refuse(STALE_BUTTON, alert=False)

    async def _draft(self, asker: Asker, press: ReminderPress) -> Reply:
        return await self._complete(asker, Draft.unpack(list(press.draft)))

    async def _new(self, asker: Asker, press: ReminderPress) -> Reply:
        return Say(screens.wizard_step(None))

    async def _cancel(self, asker: Asker, press: ReminderPress) -> Reply:
        return say("Cancelled.")

    async def _show_list(self, asker: Asker, press: ReminderPress) -> Reply:
        return Say(await self._list(asker.chat_id))

    async def _pause(self, asker: Asker, press: ReminderPress) -> Reply:
        await self.service.pause(asker.chat_id, press.reminder_id)
        return Say(await self._list(asker.chat_id))

    async def _resume(self, asker: Asker, press: ReminderPress) -> Reply:
        await self.service.resume(asker.chat_id, press.reminder_id)
        return Say(await self._list(asker.chat_id))

    async def _edit(self, asker: Asker, press: ReminderPress) -> Reply:
        reminder = await self.service.own(asker.chat_id, press.reminder_id)
        return Say(screens.wizard_step(Draft(reminder.kind, edit=reminder.id)))

    async def _ask_delete(self, asker: Asker, press: ReminderPress) -> Reply:
        reminder = await self.service.own(asker.chat_id, press.reminder_id)
        question = f"Delete reminder #{reminder.id}: {screens.describe(reminder)}?"
        yes = Press(ReminderAction.DELETE, (reminder.id, asker.user_id))
        return _confirm(question, "🗑 Delete", yes)

    async def _delete(self, asker: Asker, press: ReminderPress) -> Reply:
        await self.service.delete(asker.chat_id, press.reminder_id)
        return Say(await self._list(asker.chat_id))

    async def _delete_all(self, asker: Asker, press: ReminderPress) -> Reply:
        count = await self.service.delete_all(asker.chat_id)
        return say(f"🗑 Deleted {count} reminders.")

    async def _forget(self, asker: Asker, press: ReminderPress) -> Reply:
        await self.service.forget(asker.chat_id)
        return say("Done: everything stored about this chat is deleted.")

    async def _done(self, asker: Asker, press: ReminderPress) -> Reply:
        return Annotate("✓ Done")

    async def _snooze(self, asker: Asker, press: ReminderPress) -> Reply:
        reminder, due = await self.service.snooze(asker.chat_id, press.reminder_id)
        return Annotate(f"⏰ Snoozed until {due.astimezone(reminder.schedule.zone):%H:%M}")

    async def _skip_today(self, asker: Asker, press: ReminderPress) -> Reply:
        reminder, due = await self.service.skip_today(asker.chat_id, press.reminder_id)
        when = describe_next(due, self.service.clock.now(), reminder.schedule)
        return Annotate(f"⏭ Skipped for today. Next: {when}")

    # Shared steps

    async def _complete(self, asker: Asker, draft: Draft) -> Reply:
        """Ask the next setup question, or save the reminder."""
        if draft.needs_frequency or draft.needs_window:
            return Say(screens.wizard_step(draft))
        try:
            reminder = await self.service.save(
                asker.chat_id,
                asker.chat_type,
                asker.user_id,
                draft.spec(),
                zone=draft.zone,
                edit=draft.edit,
                platform=asker.platform,
            )
        except TimezoneNeededError:
            # The zone buttons carry the whole draft: a long one may not fit in them.
            longest = replace(draft, zone=ZONES[-1]).press()
            if fitting(longest, self.max_target) is None:
                return say(NEEDS_ZONE_FIRST)
            return Say(screens.zone_step(draft))
        except (ReminderError, InputError) as error:
            return say(str(error))
        now = self.service.clock.now()
        return Say(screens.created(reminder, now, edited=draft.edit is not None))

    async def _list(self, chat_id: int) -> Document:
        zone = await self.service.timezone(chat_id)
        reminders = await self.service.reminders(chat_id)
        now = self.service.clock.now()
        return screens.reminder_list(reminders, zone, now, self.max_buttons)


def _confirm(question: str, yes_label: str, yes: Press) -> Say:
    """A yes / cancel question."""
    return Say(Document("", (block(question),), ((Button(yes_label, yes), screens.CANCEL),)))
