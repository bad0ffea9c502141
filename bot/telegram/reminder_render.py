"""Reminder screens as Telegram HTML: the setup steps, the list, reminder messages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.knowledge import KnowledgeBase
from bot.core.reminder_input import Kind, ReminderSpec
from bot.core.reminders import (
    KIND_LABELS,
    Reminder,
    clock_time,
    describe_minutes,
    describe_next,
    describe_schedule,
)
from bot.core.timezones import describe_timezone
from bot.reminder_service import ChatData
from bot.telegram.callbacks import CALLBACK_DATA_MAX_BYTES, Action
from bot.telegram.callbacks import reminder_action as action
from bot.telegram.html import bold, esc, italic, numbered
from bot.telegram.render import Page, grid

FREQUENCIES = (30, 60, 90, 120, 180, 240)
TIME_PRESETS = (
    (time(9), time(13), time(18)),
    (time(8), time(12), time(16), time(20)),
    (time(7, 30), time(21, 30)),
)
WINDOWS = ((time(7), time(21)), (time(8), time(22)), (time(9), time(23)), (time(6), time(20)))
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
_KINDS = {"w": Kind.WATER, "s": Kind.STRETCH}
_KIND_CODES = {kind: code for code, kind in _KINDS.items()}


def _hhmm(moment: time) -> str:
    return moment.strftime("%H%M")


def _from_hhmm(text: str) -> time:
    return time(int(text[:2]), int(text[2:]))


@dataclass(frozen=True, slots=True)
class Draft:
    """A reminder being set up with buttons; it travels in the buttons' data, not in memory."""

    kind: Kind
    interval: int | None = None
    times: tuple[time, ...] = ()
    window: tuple[time, time] | None = None
    zone: str | None = None
    edit: int | None = None

    def pack(self) -> str | None:
        """'R:n:w:120:0800-2200:3:' or 'R:n:s:t07302130:::'; None if too long for a button."""
        if self.interval is not None:
            frequency = str(self.interval)
        elif self.times:
            # Fixed width, no separators: twelve times and a zone still fit in 64 bytes.
            frequency = "t" + "".join(_hhmm(t) for t in self.times)
        else:
            frequency = ""
        window = f"{_hhmm(self.window[0])}-{_hhmm(self.window[1])}" if self.window else ""
        zone = str(ZONES.index(self.zone)) if self.zone in ZONES else ""
        edit = str(self.edit) if self.edit is not None else ""
        data = action(Action.DRAFT, _KIND_CODES[self.kind], frequency, window, zone, edit)
        return data if len(data.encode()) <= CALLBACK_DATA_MAX_BYTES else None

    @classmethod
    def unpack(cls, fields: list[str]) -> Draft:
        """The draft in button data fields after 'R:n:' (ValueError if tampered with)."""
        kind, frequency, window, zone, edit = fields
        fixed = frequency.startswith("t")
        times = [frequency[i : i + 4] for i in range(1, len(frequency), 4)] if fixed else []
        start, _, end = window.partition("-")
        return cls(
            kind=_KINDS[kind],
            interval=int(frequency) if frequency and not fixed else None,
            times=tuple(_from_hhmm(t) for t in times),
            window=(_from_hhmm(start), _from_hhmm(end)) if window else None,
            zone=ZONES[int(zone)] if zone else None,
            edit=int(edit) if edit else None,
        )

    @classmethod
    def of(cls, spec: ReminderSpec) -> Draft:
        """A complete draft from a typed reminder."""
        window = (
            (spec.window_start, spec.window_end)
            if spec.window_start is not None and spec.window_end is not None
            else None
        )
        return cls(spec.kind, spec.interval_minutes, spec.times, window)

    def spec(self) -> ReminderSpec:
        """The reminder this draft asks for."""
        return ReminderSpec(
            kind=self.kind,
            interval_minutes=self.interval,
            window_start=self.window[0] if self.window else None,
            window_end=self.window[1] if self.window else None,
            times=self.times,
        )

    @property
    def needs_frequency(self) -> bool:
        """Whether how often is still to be chosen."""
        return self.interval is None and not self.times

    @property
    def needs_window(self) -> bool:
        """Whether waking hours are still to be chosen."""
        return self.interval is not None and self.window is None


def _button(label: str, data: str | None) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=data)] if data else []


def _draft_buttons(labels_and_drafts: list[tuple[str, Draft]]) -> list[InlineKeyboardButton]:
    return [b for label, draft in labels_and_drafts for b in _button(label, draft.pack())]


def wizard_step(draft: Draft | None) -> Page:
    """The next setup question: what for, how often, or which waking hours."""
    if draft is None:
        buttons = _draft_buttons(
            [("💧 Drink water", Draft(Kind.WATER)), ("🧘 Stretch", Draft(Kind.STRETCH))]
        )
        text = f"{bold('New reminder')}\nWhat should I remind you about?"
        return Page(text, InlineKeyboardMarkup([buttons, *_cancel_row()]))
    if draft.needs_frequency:
        every = [(f"every {describe_minutes(m)}", replace(draft, interval=m)) for m in FREQUENCIES]
        fixed = [
            (" · ".join(clock_time(t) for t in p), replace(draft, times=p)) for p in TIME_PRESETS
        ]
        text = (
            f"{bold(KIND_LABELS[draft.kind])}: how often?\n"
            f"{italic('Or type it: /remind water every 45m, /remind stretch at 07:15 21:00')}"
        )
        rows = [*grid(_draft_buttons(every), 3), *grid(_draft_buttons(fixed), 1)]
        return Page(text, InlineKeyboardMarkup([*rows, *_cancel_row()]))
    if draft.needs_window:
        windows = [
            (f"{clock_time(a)}–{clock_time(b)}", replace(draft, window=(a, b))) for a, b in WINDOWS
        ]
        text = (
            f"{bold(KIND_LABELS[draft.kind])} every {esc(describe_minutes(draft.interval or 0))}."
            "\nDuring which waking hours? Nothing is sent outside them.\n"
            f"{italic('Or type it: /remind water every 2h 06:30-21:30')}"
        )
        return Page(
            text, InlineKeyboardMarkup([*grid(_draft_buttons(windows), 2), *_cancel_row()])
        )
    raise ValueError("nothing left to ask")  # callers check needs_frequency / needs_window


def zone_step(draft: Draft) -> Page | None:
    """Ask for the time zone with a button per common zone; None if the draft is too long
    to carry a zone in button data (then the user sets it with /timezone first)."""
    if replace(draft, zone=ZONES[-1]).pack() is None:
        return None
    zones = [(describe_timezone(z), replace(draft, zone=z)) for z in ZONES]
    text = (
        f"{bold('Which time zone are you in?')}\n"
        "Reminders follow your local clock, daylight saving included. Pick one, or send "
        "/timezone with your city (like /timezone Madrid), then set the reminder again."
    )
    return Page(text, InlineKeyboardMarkup([*grid(_draft_buttons(zones), 2), *_cancel_row()]))


def _cancel_row() -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton("Cancel", callback_data=action(Action.CANCEL))]]


def describe(reminder: Reminder) -> str:
    """'💧 Water every 2 h, 08:00–22:00', escaped."""
    return esc(f"{KIND_LABELS[reminder.kind]} {describe_schedule(reminder.schedule)}")


def created(reminder: Reminder, now: datetime, edited: bool) -> Page:
    """The confirmation after setting or editing a reminder."""
    assert reminder.next_due is not None
    verb = "changed" if edited else "set"
    text = (
        f"✅ Reminder #{reminder.id} {verb}: {describe(reminder)} "
        f"({esc(describe_timezone(reminder.schedule.timezone))}).\n"
        f"Next one: {esc(describe_next(reminder.next_due, now, reminder.schedule))}."
    )
    keyboard = [
        [
            InlineKeyboardButton("📋 My reminders", callback_data=action(Action.LIST)),
            InlineKeyboardButton("➕ Another", callback_data=action(Action.NEW)),
        ]
    ]
    return Page(text, InlineKeyboardMarkup(keyboard))


def reminder_list(reminders: list[Reminder], zone: str | None, now: datetime) -> Page:
    """The chat's reminders with their next times and buttons to manage each."""
    if not reminders:
        text = "No reminders in this chat yet. Set one with /remind."
        return Page(
            text,
            InlineKeyboardMarkup(
                [[InlineKeyboardButton("➕ New reminder", callback_data=action(Action.NEW))]]
            ),
        )
    lines = []
    rows: list[list[InlineKeyboardButton]] = []
    for r in reminders:
        if r.active and r.next_due is not None:
            state = f"next {esc(describe_next(r.next_due, now, r.schedule))}"
            toggle = InlineKeyboardButton(f"⏸ #{r.id}", callback_data=action(Action.PAUSE, r.id))
        else:
            state = "paused"
            toggle = InlineKeyboardButton(f"▶️ #{r.id}", callback_data=action(Action.RESUME, r.id))
        lines.append(f"#{r.id} {describe(r)} — {state}")
        rows.append(
            [
                toggle,
                InlineKeyboardButton(f"✏️ #{r.id}", callback_data=action(Action.EDIT, r.id)),
                InlineKeyboardButton(f"🗑 #{r.id}", callback_data=action(Action.ASK_DELETE, r.id)),
            ]
        )
    zone_line = f"Time zone: {esc(describe_timezone(zone))}" if zone else "No time zone set."
    text = f"{bold('Reminders in this chat')}\n{zone_line}\n\n" + "\n".join(lines)
    rows.append([InlineKeyboardButton("➕ New reminder", callback_data=action(Action.NEW))])
    return Page(text, InlineKeyboardMarkup(rows))


def reminder_message(reminder: Reminder, kb: KnowledgeBase) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder itself: a rotating water tip, or one concrete stretch with its steps."""
    if reminder.kind is Kind.WATER:
        tips = [tip.text for tip in kb.knowledge.hydration_tips]
        text = f"{bold('💧 Time for some water')}\n{esc(tips[reminder.sent_count % len(tips)])}"
    else:
        stretch = kb.stretches[reminder.sent_count % len(kb.stretches)]
        text = (
            f"{bold(f'🧘 Stretch break: {stretch.name}')}\n{numbered(stretch.steps)}\n"
            f"{bold('How much:')} {esc(stretch.dose)}"
        )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Done ✓", callback_data=action(Action.DONE, reminder.id)),
                InlineKeyboardButton(
                    "Snooze 15 min", callback_data=action(Action.SNOOZE, reminder.id)
                ),
                InlineKeyboardButton(
                    "Skip today", callback_data=action(Action.SKIP_TODAY, reminder.id)
                ),
            ]
        ]
    )
    return text, keyboard


def confirm(question: str, yes_label: str, yes_data: str) -> Page:
    """A yes / cancel question."""
    keyboard = [
        [
            InlineKeyboardButton(yes_label, callback_data=yes_data),
            InlineKeyboardButton("Cancel", callback_data=action(Action.CANCEL)),
        ]
    ]
    return Page(question, InlineKeyboardMarkup(keyboard))


def chat_data(data: ChatData) -> Page:
    """Everything stored about the chat, in plain words, times in the chat's zone."""
    if data.chat is None and not data.reminders:
        return Page("I store nothing about this chat.", None)
    zone = data.chat.timezone if data.chat is not None else None
    local = ZoneInfo(zone) if zone else UTC
    suffix = "" if zone else " UTC"
    lines = [bold("What I store about this chat")]
    if data.chat is not None:
        shown_zone = describe_timezone(zone) if zone else "not set"
        lines.append(
            f"• Chat id {data.chat.chat_id} ({esc(data.chat.chat_type)}), "
            f"first seen {data.chat.created_at.astimezone(local):%Y-%m-%d}\n"
            f"• Time zone: {esc(shown_zone)}"
        )
    lines.append(f"• Reminders: {len(data.reminders)}")
    lines += [f"   #{r.id} {describe(r)}, set by user {r.created_by}" for r in data.reminders]
    lines.append(f"• Delivery log (due time, sent time, outcome): {data.delivery_count} entries")
    for d in data.recent:
        due = f"{d.due_at.astimezone(local):%Y-%m-%d %H:%M}{suffix}"
        sent = f"sent {d.sent_at.astimezone(local):%H:%M}" if d.sent_at else "not sent"
        lines.append(f"   #{d.reminder_id} due {due}: {esc(d.outcome)}, {sent}")
    lines.append(italic("No names and no message texts are stored. /forget deletes all of it."))
    return Page("\n".join(lines), None)
