"""Reminder screens as documents: the setup steps, the list, reminder messages, /mydata."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.core.documents import (
    Block,
    Button,
    Document,
    Press,
    ReminderAction,
    Rows,
    block,
    bold,
    grid,
    italic,
    line,
    numbered,
)
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
CANCEL = Button("Cancel", Press(ReminderAction.CANCEL))
_NEW = Button("➕ New reminder", Press(ReminderAction.NEW))
_KINDS = {"w": Kind.WATER, "s": Kind.STRETCH}
_KIND_CODES = {kind: code for code, kind in _KINDS.items()}


def _hhmm(moment: time) -> str:
    return moment.strftime("%H%M")


def _from_hhmm(text: str) -> time:
    return time(int(text[:2]), int(text[2:]))


@dataclass(frozen=True, slots=True)
class Draft:
    """A reminder being set up with buttons; it travels in the buttons' targets, not in
    memory."""

    kind: Kind
    interval: int | None = None
    times: tuple[time, ...] = ()
    window: tuple[time, time] | None = None
    zone: str | None = None
    edit: int | None = None

    def press(self) -> Press:
        """The draft as a button target: ('w', '120', '0800-2200', '3', '') or
        ('s', 't07302130', '', '', '')."""
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
        fields = (_KIND_CODES[self.kind], frequency, window, zone, edit)
        return Press(ReminderAction.DRAFT, fields)

    @classmethod
    def unpack(cls, fields: list[str]) -> Draft:
        """The draft in a press's fields (ValueError if tampered with)."""
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


def _drafts(labels_and_drafts: list[tuple[str, Draft]]) -> list[Button]:
    return [Button(label, draft.press()) for label, draft in labels_and_drafts]


def wizard_step(draft: Draft | None) -> Document:
    """The next setup question: what for, how often, or which waking hours."""
    if draft is None:
        kinds = _drafts(
            [("💧 Drink water", Draft(Kind.WATER)), ("🧘 Stretch", Draft(Kind.STRETCH))]
        )
        text = block(bold("New reminder"), "What should I remind you about?")
        return Document("New reminder", (text,), (tuple(kinds), (CANCEL,)))
    label = KIND_LABELS[draft.kind]
    if draft.needs_frequency:
        every = [(f"every {describe_minutes(m)}", replace(draft, interval=m)) for m in FREQUENCIES]
        fixed = [
            (" · ".join(clock_time(t) for t in p), replace(draft, times=p)) for p in TIME_PRESETS
        ]
        text = block(
            line(bold(label), ": how often?"),
            italic("Or type it: /remind water every 45m, /remind stretch at 07:15 21:00"),
        )
        rows = (*grid(_drafts(every), 3), *grid(_drafts(fixed), 1), (CANCEL,))
        return Document(f"{label}: how often?", (text,), rows)
    if draft.needs_window:
        windows = [
            (f"{clock_time(a)}–{clock_time(b)}", replace(draft, window=(a, b))) for a, b in WINDOWS
        ]
        text = block(
            line(bold(label), f" every {describe_minutes(draft.interval or 0)}."),
            "During which waking hours? Nothing is sent outside them.",
            italic("Or type it: /remind water every 2h 06:30-21:30"),
        )
        return Document(f"{label}: waking hours", (text,), (*grid(_drafts(windows)), (CANCEL,)))
    raise ValueError("nothing left to ask")  # callers check needs_frequency / needs_window


def zone_step(draft: Draft) -> Document:
    """Ask for the time zone with a button per common zone."""
    zones = [(describe_timezone(z), replace(draft, zone=z)) for z in ZONES]
    text = block(
        bold("Which time zone are you in?"),
        "Reminders follow your local clock, daylight saving included. Pick one, or send "
        "/timezone with your city (like /timezone Madrid), then set the reminder again.",
    )
    return Document("Time zone", (text,), (*grid(_drafts(zones)), (CANCEL,)))


def describe(reminder: Reminder) -> str:
    """'💧 Water every 2 h, 08:00–22:00'."""
    return f"{KIND_LABELS[reminder.kind]} {describe_schedule(reminder.schedule)}"


def created(reminder: Reminder, now: datetime, edited: bool) -> Document:
    """The confirmation after setting or editing a reminder."""
    assert reminder.next_due is not None
    verb = "changed" if edited else "set"
    zone = describe_timezone(reminder.schedule.timezone)
    text = block(
        f"✅ Reminder #{reminder.id} {verb}: {describe(reminder)} ({zone}).",
        f"Next one: {describe_next(reminder.next_due, now, reminder.schedule)}.",
    )
    buttons = (
        Button("📋 My reminders", Press(ReminderAction.LIST)),
        Button("➕ Another", Press(ReminderAction.NEW)),
    )
    return Document(f"Reminder #{reminder.id} {verb}", (text,), (buttons,))


def reminder_list(
    reminders: list[Reminder], zone: str | None, now: datetime, most_buttons: int | None = None
) -> Document:
    """The chat's reminders with their next times and buttons to manage each: as many as
    `most_buttons` allows (a platform's limit), the rest by their numbers."""
    title = "Reminders in this chat"
    if not reminders:
        text = block("No reminders in this chat yet. Set one with /remind.")
        return Document(title, (text,), ((_NEW,),))
    lines = []
    rows: Rows = ()
    for r in reminders:
        if r.active and r.next_due is not None:
            # A due time stays the next one until its delivery has gone out.
            due = "due now" if r.next_due <= now else describe_next(r.next_due, now, r.schedule)
            state = f"next {due}"
            toggle = Button(f"⏸ #{r.id}", Press(ReminderAction.PAUSE, (r.id,)))
        else:
            state = "paused"
            toggle = Button(f"▶️ #{r.id}", Press(ReminderAction.RESUME, (r.id,)))
        lines.append(f"#{r.id} {describe(r)} — {state}")
        edit = Button(f"✏️ #{r.id}", Press(ReminderAction.EDIT, (r.id,)))
        delete = Button(f"🗑 #{r.id}", Press(ReminderAction.ASK_DELETE, (r.id,)))
        rows += ((toggle, edit, delete),)
    zone_line = f"Time zone: {describe_timezone(zone)}" if zone else "No time zone set."
    blocks: tuple[Block, ...] = (block(bold(title), zone_line), block(*lines))
    room = len(rows) if most_buttons is None else (most_buttons - 1) // 3
    if room < len(rows):
        rest = f"Buttons for the first {room}; for the others, /stop and the number deletes one."
        blocks += (block(rest),)
    return Document(title, blocks, (*rows[:room], (_NEW,)))


def reminder_message(reminder: Reminder, kb: KnowledgeBase) -> Document:
    """The reminder itself: a rotating water tip, or one concrete stretch with its steps."""
    if reminder.kind is Kind.WATER:
        tips = [tip.text for tip in kb.knowledge.hydration_tips]
        heading = "💧 Time for some water"
        text = block(bold(heading), tips[reminder.sent_count % len(tips)])
    else:
        stretch = kb.stretches[reminder.sent_count % len(kb.stretches)]
        heading = f"🧘 Stretch break: {stretch.name}"
        text = block(
            bold(heading), numbered(stretch.steps), line(bold("How much:"), f" {stretch.dose}")
        )
    ids = (reminder.id,)
    buttons = (
        Button("Done ✓", Press(ReminderAction.DONE, ids)),
        Button("Snooze 15 min", Press(ReminderAction.SNOOZE, ids)),
        Button("Skip today", Press(ReminderAction.SKIP_TODAY, ids)),
    )
    return Document(heading, (text,), (buttons,))


def chat_data(data: ChatData) -> Document:
    """Everything stored about the chat, in plain words, times in the chat's zone."""
    title = "What I store about this chat"
    if data.chat is None and not data.reminders:
        return Document(title, (block("I store nothing about this chat."),))
    zone = data.chat.timezone if data.chat is not None else None
    local = ZoneInfo(zone) if zone else UTC
    suffix = "" if zone else " UTC"
    lines = []
    if data.chat is not None:
        shown_zone = describe_timezone(zone) if zone else "not set"
        lines += [
            f"• Chat id {data.chat.chat_id} ({data.chat.chat_type}), "
            f"first seen {data.chat.created_at.astimezone(local):%Y-%m-%d}",
            f"• Time zone: {shown_zone}",
        ]
    lines.append(f"• Reminders: {len(data.reminders)}")
    lines += [f"   #{r.id} {describe(r)}, set by user {r.created_by}" for r in data.reminders]
    lines.append(f"• Delivery log (due time, sent time, outcome): {data.delivery_count} entries")
    for d in data.recent:
        due = f"{d.due_at.astimezone(local):%Y-%m-%d %H:%M}{suffix}"
        sent = f"sent {d.sent_at.astimezone(local):%H:%M}" if d.sent_at else "not sent"
        lines.append(f"   #{d.reminder_id} due {due}: {d.outcome}, {sent}")
    notice = italic("No names and no message texts are stored. /forget deletes all of it.")
    return Document(title, (block(bold(title), *lines, notice),))
