"""What users can do with reminders, with every rule checked: limits, ownership, schedules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.platforms import Platform
from bot.core.reminder_input import InputError, ReminderSpec
from bot.core.reminders import Reminder
from bot.core.schedule import Schedule, ScheduleError
from bot.storage import ChatRecord, Delivery, ReminderLimitError, ReminderStore

MAX_REMINDERS_PER_CHAT = 20
SNOOZE = timedelta(minutes=15)
RECENT_DELIVERIES = 5


class ReminderError(Exception):
    """A request we turn down; the message is fit to show the user."""


class TimezoneNeededError(ReminderError):
    """The chat has no time zone yet."""

    def __init__(self) -> None:
        super().__init__("First tell me your time zone.")


@dataclass(frozen=True, slots=True)
class ChatData:
    """Everything stored about one chat."""

    chat: ChatRecord | None
    reminders: list[Reminder]
    delivery_count: int
    recent: list[Delivery]


class ReminderService:
    """Reminder operations for one chat at a time, over the store."""

    def __init__(
        self, store: ReminderStore, clock: Clock, changed: Callable[[], None] | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        # Wakes the dispatcher: a reminder made or moved may be due before its next tick.
        self._changed = changed or (lambda: None)

    async def timezone(self, chat_id: int) -> str | None:
        """The chat's time zone, if set."""
        chat = await self.store.chat(chat_id)
        return chat.timezone if chat else None

    async def set_timezone(
        self,
        chat_id: int,
        chat_type: str,
        zone: str,
        platform: Platform = Platform.TELEGRAM,
    ) -> int:
        """Set the chat's zone; its reminders keep their local times. How many moved."""
        now = self.clock.now()
        moved = await self.store.set_timezone(
            chat_id, chat_type, zone, now, lambda schedule: schedule.next_due(now), platform
        )
        self._changed()
        return moved

    async def save(
        self,
        chat_id: int,
        chat_type: str,
        user_id: int,
        spec: ReminderSpec,
        *,
        zone: str | None = None,
        edit: int | None = None,
        platform: Platform = Platform.TELEGRAM,
    ) -> Reminder:
        """Create a reminder (or give reminder `edit` a new schedule), setting the chat's
        time zone first if `zone` is given and none is set yet."""
        current = await self.timezone(chat_id)
        if current is None and zone is not None:
            await self.set_timezone(chat_id, chat_type, zone, platform)
            current = zone
        if edit is not None:
            return await self._edit(chat_id, edit, spec)
        if current is None:
            raise TimezoneNeededError
        schedule = _schedule(spec, current)
        now = self.clock.now()
        try:
            reminder = await self.store.add_reminder(
                chat_id=chat_id,
                chat_type=chat_type,
                platform=platform,
                created_by=user_id,
                kind=spec.kind,
                schedule=schedule,
                next_due=schedule.next_due(now),
                now=now,
                limit=MAX_REMINDERS_PER_CHAT,
            )
        except ReminderLimitError:
            raise ReminderError(
                f"This chat already has {MAX_REMINDERS_PER_CHAT} reminders, the most I keep. "
                "Delete one with /stop first."
            ) from None
        self._changed()
        return reminder

    async def reminders(self, chat_id: int) -> list[Reminder]:
        """The chat's reminders."""
        return await self.store.reminders(chat_id)

    async def own(self, chat_id: int, reminder_id: int) -> Reminder:
        """A reminder of this chat; another chat's or a deleted one is 'not found'."""
        reminder = await self.store.reminder(reminder_id)
        if reminder is None or reminder.chat_id != chat_id:
            raise ReminderError(_not_here(reminder_id))
        return reminder

    async def _edit(self, chat_id: int, reminder_id: int, spec: ReminderSpec) -> Reminder:
        reminder = await self.own(chat_id, reminder_id)
        schedule = _schedule(spec, reminder.schedule.timezone)
        await self.store.update_schedule(
            reminder.id, spec.kind, schedule, schedule.next_due(self.clock.now())
        )
        self._changed()
        return await self.own(chat_id, reminder_id)

    async def pause(self, chat_id: int, reminder_id: int) -> None:
        """Stop a reminder until resumed."""
        await self._move(chat_id, reminder_id, None, only_if_active=False)

    async def resume(self, chat_id: int, reminder_id: int) -> None:
        """Start a reminder again from its next occurrence."""
        reminder = await self.own(chat_id, reminder_id)
        due = reminder.schedule.next_due(self.clock.now())
        await self._move(chat_id, reminder_id, due, only_if_active=False)

    async def snooze(self, chat_id: int, reminder_id: int) -> tuple[Reminder, datetime]:
        """Remind again in 15 minutes, then carry on with the schedule."""
        reminder = await self.own(chat_id, reminder_id)
        due = self.clock.now().replace(microsecond=0) + SNOOZE
        await self._move(chat_id, reminder_id, due, only_if_active=True)
        return reminder, due

    async def skip_today(self, chat_id: int, reminder_id: int) -> tuple[Reminder, datetime]:
        """No more of this reminder today; the next one is on a later day."""
        reminder = await self.own(chat_id, reminder_id)
        due = reminder.schedule.next_due_after_today(self.clock.now())
        await self._move(chat_id, reminder_id, due, only_if_active=True)
        return reminder, due

    async def _move(
        self, chat_id: int, reminder_id: int, due: datetime | None, *, only_if_active: bool
    ) -> None:
        if await self.store.set_next_due(reminder_id, chat_id, due, only_if_active=only_if_active):
            self._changed()
            return
        await self.own(chat_id, reminder_id)  # raises if it is gone or another chat's
        raise ReminderError("That reminder is paused. Resume it in /reminders.")

    async def delete(self, chat_id: int, reminder_id: int) -> Reminder:
        """Delete one of the chat's reminders; the one deleted."""
        reminder = await self.own(chat_id, reminder_id)
        if not await self.store.delete_reminder(reminder.id, chat_id):
            raise ReminderError(_not_here(reminder_id))
        return reminder

    async def delete_all(self, chat_id: int) -> int:
        """Delete all of the chat's reminders; how many."""
        return await self.store.delete_reminders(chat_id)

    async def data(self, chat_id: int) -> ChatData:
        """Everything stored about the chat."""
        count, recent = await self.store.deliveries(chat_id, RECENT_DELIVERIES)
        return ChatData(
            await self.store.chat(chat_id), await self.store.reminders(chat_id), count, recent
        )

    async def forget(self, chat_id: int) -> None:
        """Delete everything stored about the chat."""
        await self.store.forget_chat(chat_id)

    async def chat_moved(self, old_id: int, new_id: int) -> int:
        """The group became a supergroup: its reminders follow it to the new chat id."""
        return await self.store.move_chat(old_id, new_id)

    async def chat_gone(self, chat_id: int) -> int:
        """The bot was blocked or removed: pause the chat's reminders."""
        return await self.store.deactivate_chat(chat_id)


def _not_here(reminder_id: int) -> str:
    return f"There is no reminder #{reminder_id} in this chat. See /reminders."


def _schedule(spec: ReminderSpec, zone: str) -> Schedule:
    try:
        return spec.schedule(zone)
    except ScheduleError as error:
        raise InputError(str(error)) from error
