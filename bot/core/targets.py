"""The one codec for button targets: views and reminder presses as short strings, read
back with distrust. Each front end checks the result against its own size limit (Telegram's
64-byte callback data, Discord's 100-character custom ids)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.documents import Press, ReminderAction
from bot.core.views import Screen, View

# Reminder presses are 'R:<action>:<args>'; views never start with it.
REMINDER_PREFIX = "R"
_SCREENS = {screen.value: screen for screen in Screen}
_ARG = re.compile(r"[a-z0-9-]{0,40}")
_PAGE = re.compile(r"[0-9]{1,2}")
# SQLite's INTEGER is a signed 64-bit number: a bigger id in forged data would overflow
# where it is bound. ASCII digits only (str.isdigit also takes '²' and other scripts).
MAX_NUMBER = 2**63 - 1
_NUMBER = re.compile(r"0|[1-9][0-9]{0,18}")
# Deep links (Telegram's /start payloads) allow 64 characters of [A-Za-z0-9_-].
START_PAYLOAD_MAX = 64


def encode(target: View | Press) -> str:
    """A view as 'f|magnesium|0|1' (screen, arg, page, compact), a press as 'R:p:12'."""
    if isinstance(target, View):
        return f"{target.screen.value}|{target.arg}|{target.page}|{int(target.compact)}"
    return ":".join((REMINDER_PREFIX, target.action.value, *(str(a) for a in target.args)))


def decode(data: str | None) -> View | ReminderPress | None:
    """The view or press in data, or None for anything stale, foreign or tampered with."""
    if data and data.startswith(REMINDER_PREFIX + ":"):
        return parse_press(data)
    return parse_view(data)


def fitting(target: View | Press, max_bytes: int) -> str | None:
    """The target encoded, if it fits in `max_bytes` and reads back as itself."""
    data = encode(target)
    if len(data.encode()) > max_bytes:
        return None
    if isinstance(target, View) and parse_view(data) != target:
        return None
    return data


def parse_view(data: str | None) -> View | None:
    """The view in data, or None for anything stale, foreign or tampered with."""
    if not data:
        return None
    parts = data.split("|")
    if len(parts) != 4:
        return None
    code, arg, page, compact = parts
    screen = _SCREENS.get(code)
    if (
        screen is None
        or not _ARG.fullmatch(arg)
        or not _PAGE.fullmatch(page)
        or compact not in ("0", "1")
    ):
        return None
    return View(screen, arg, int(page), compact == "1")


def start_payload(view: View) -> str:
    """A deep-link payload for a view: 'f-magnesium' (Telegram allows [A-Za-z0-9_-])."""
    return f"{view.screen.value}-{view.arg}" if view.arg else view.screen.value


def parse_start_payload(payload: str) -> View | None:
    """The view a /start payload names, or None."""
    code, _, arg = payload.strip().partition("-")
    screen = _SCREENS.get(code)
    if screen is None or len(payload) > START_PAYLOAD_MAX or not _ARG.fullmatch(arg):
        return None
    return View(screen, arg)


# How many numbers each action's data carries after 'R:<code>' (a draft carries fields).
_NUMBERS = {
    ReminderAction.NEW: 0,
    ReminderAction.CANCEL: 0,
    ReminderAction.LIST: 0,
    ReminderAction.PAUSE: 1,
    ReminderAction.RESUME: 1,
    ReminderAction.EDIT: 1,
    ReminderAction.ASK_DELETE: 1,
    ReminderAction.DELETE: 2,
    ReminderAction.DELETE_ALL: 1,
    ReminderAction.FORGET: 1,
    ReminderAction.DONE: 1,
    ReminderAction.SNOOZE: 1,
    ReminderAction.SKIP_TODAY: 1,
}
# Confirmations end with the user id of who asked (0: an anonymous admin, so any admin).
CONFIRMATIONS = frozenset(
    {ReminderAction.DELETE, ReminderAction.DELETE_ALL, ReminderAction.FORGET}
)
# Draft.pack's fields: kind, interval or fixed times, window, zone index, reminder to edit.
_DRAFT = re.compile(
    r"[a-z]:(?:[0-9]{1,4}|t(?:[0-9]{4}){1,12})?:(?:[0-9]{4}-[0-9]{4})?:[0-9]{0,2}:"
    r"(?P<edit>[0-9]*)"
)


@dataclass(frozen=True, slots=True)
class ReminderPress:
    """A reminder button's action and what it names, each number within SQLite's range."""

    action: ReminderAction
    numbers: tuple[int, ...] = ()  # a reminder id first, an asker's user id last
    draft: tuple[str, ...] = ()  # for Draft.unpack

    @property
    def reminder_id(self) -> int:
        """The reminder the button is about (IndexError for actions without one)."""
        return self.numbers[0]

    @property
    def asker(self) -> int | None:
        """Who a confirmation waits for (0: any admin); None for other buttons."""
        return self.numbers[-1] if self.action in CONFIRMATIONS else None


def _number(text: str) -> int | None:
    if not _NUMBER.fullmatch(text) or int(text) > MAX_NUMBER:
        return None
    return int(text)


def parse_press(data: str | None) -> ReminderPress | None:
    """The press in reminder button data, or None for anything malformed, out of range,
    unknown or with the wrong number of arguments."""
    prefix, _, rest = (data or "").partition(":")
    name, _, arguments = rest.partition(":")
    if prefix != REMINDER_PREFIX or name not in ReminderAction._value2member_map_:
        return None
    action = ReminderAction(name)
    if action is ReminderAction.DRAFT:
        match = _DRAFT.fullmatch(arguments)
        edit = match and match["edit"]
        if match is None or (edit and _number(edit) is None):
            return None
        return ReminderPress(action, draft=tuple(arguments.split(":")))
    fields = arguments.split(":") if arguments else []
    numbers = [_number(field) for field in fields]
    if len(numbers) != _NUMBERS[action] or None in numbers:
        return None
    return ReminderPress(action, tuple(n for n in numbers if n is not None))
