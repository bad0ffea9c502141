"""Views packed into button data and deep-link payloads, and unpacked with distrust."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import CallbackQuery, Message

from bot.core.documents import ReminderAction
from bot.core.views import Screen, View

CALLBACK_DATA_MAX_BYTES = 64
# Reminder buttons carry 'R:<action>:<args>'; lookup buttons never start with it.
REMINDER_PREFIX = "R"
START_PAYLOAD_MAX = 64
_SCREENS = {screen.value: screen for screen in Screen}
_ARG = re.compile(r"[a-z0-9-]{0,40}")
_PAGE = re.compile(r"[0-9]{1,2}")
# SQLite's INTEGER is a signed 64-bit number: a bigger id in forged data would overflow
# where it is bound. ASCII digits only (str.isdigit also takes '²' and other scripts).
MAX_NUMBER = 2**63 - 1
_NUMBER = re.compile(r"0|[1-9][0-9]{0,18}")


def pack(view: View) -> str:
    """Button data for a view: 'f|magnesium|0|1' (screen, arg, page, compact)."""
    data = f"{view.screen.value}|{view.arg}|{view.page}|{int(view.compact)}"
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(data: str | None) -> View | None:
    """The view in button data, or None for anything stale, foreign or tampered with."""
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


def packable(view: View) -> bool:
    """Whether a view fits in button data and comes back unchanged from it."""
    try:
        return unpack(pack(view)) == view
    except ValueError:
        return False


def start_payload(view: View) -> str:
    """A /start deep-link payload for a view: 'f-magnesium' (Telegram allows [A-Za-z0-9_-])."""
    return f"{view.screen.value}-{view.arg}" if view.arg else view.screen.value


def parse_start_payload(payload: str) -> View | None:
    """The view a /start payload names, or None."""
    code, _, arg = payload.strip().partition("-")
    screen = _SCREENS.get(code)
    if screen is None or len(payload) > START_PAYLOAD_MAX or not _ARG.fullmatch(arg):
        return None
    return View(screen, arg)


# The handlers' name for what a reminder button does.
Action = ReminderAction


def reminder_action(action: Action, *args: int | str) -> str:
    """Button data for a reminder action: 'R:p:12'."""
    return ":".join((REMINDER_PREFIX, action.value, *(str(a) for a in args)))


# How many numbers each action's data carries after 'R:<code>' (a draft carries fields).
_NUMBERS = {
    Action.NEW: 0,
    Action.CANCEL: 0,
    Action.LIST: 0,
    Action.PAUSE: 1,
    Action.RESUME: 1,
    Action.EDIT: 1,
    Action.ASK_DELETE: 1,
    Action.DELETE: 2,
    Action.DELETE_ALL: 1,
    Action.FORGET: 1,
    Action.DONE: 1,
    Action.SNOOZE: 1,
    Action.SKIP_TODAY: 1,
}
# Confirmations end with the user id of who asked (0: an anonymous admin, so any admin).
CONFIRMATIONS = frozenset({Action.DELETE, Action.DELETE_ALL, Action.FORGET})
# Draft.pack's fields: kind, interval or fixed times, window, zone index, reminder to edit.
_DRAFT = re.compile(
    r"[a-z]:(?:[0-9]{1,4}|t(?:[0-9]{4}){1,12})?:(?:[0-9]{4}-[0-9]{4})?:[0-9]{0,2}:"
    r"(?P<edit>[0-9]*)"
)


@dataclass(frozen=True, slots=True)
class ReminderPress:
    """A reminder button's action and what it names, each number within SQLite's range."""

    action: Action
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


def parse_reminder_action(data: str | None) -> ReminderPress | None:
    """The press in reminder button data, or None for anything malformed, out of range,
    unknown or with the wrong number of arguments."""
    prefix, _, rest = (data or "").partition(":")
    name, _, arguments = rest.partition(":")
    if prefix != REMINDER_PREFIX or name not in Action._value2member_map_:
        return None
    action = Action(name)
    if action is Action.DRAFT:
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


def on_its_message(query: CallbackQuery) -> bool:
    """Whether the pressed data is a button of the message it came with. Clients can send
    any data for any message: this keeps a press from acting on a message it is not on.
    Inline-mode messages come without one, so there is nothing to check."""
    message = query.message
    if not isinstance(message, Message):
        return message is None
    markup = message.reply_markup
    keyboard = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == query.data for row in keyboard for button in row)
