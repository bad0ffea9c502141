"""Views packed into button data and deep-link payloads, and unpacked with distrust."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.core.views import Screen, View

CALLBACK_DATA_MAX_BYTES = 64
# Reminder buttons carry 'R:<action>:<args>'; lookup buttons never start with it.
REMINDER_PREFIX = "R"
START_PAYLOAD_MAX = 64
_SCREENS = {screen.value: screen for screen in Screen}
_ARG = re.compile(r"[a-z0-9-]{0,40}")
_MAX_PAGE = 99


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
        or not page.isdigit()
        or int(page) > _MAX_PAGE
        or compact not in ("0", "1")
    ):
        return None
    return View(screen, arg, int(page), compact == "1")


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


class Action(StrEnum):
    """What a reminder button does; the value is its code in button data."""

    DRAFT = "n"  # a setup step: the draft follows
    NEW = "new"
    CANCEL = "c"
    LIST = "l"
    PAUSE = "p"
    RESUME = "r"
    EDIT = "e"
    ASK_DELETE = "d"
    DELETE = "D"
    DELETE_ALL = "A"
    FORGET = "F"
    DONE = "x"
    SNOOZE = "z"
    SKIP_TODAY = "k"


def reminder_action(action: Action, *args: int | str) -> str:
    """Button data for a reminder action: 'R:p:12'."""
    return ":".join((REMINDER_PREFIX, action.value, *(str(a) for a in args)))


def parse_reminder_action(data: str) -> tuple[Action, list[str]] | None:
    """The action and its arguments in reminder button data, or None if unknown."""
    prefix, _, rest = data.partition(":")
    name, *args = rest.split(":")
    if prefix != REMINDER_PREFIX or name not in Action._value2member_map_:
        return None
    return Action(name), args
