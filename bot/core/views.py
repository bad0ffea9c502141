"""What the bot can show: a platform-neutral name for each screen."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Screen(Enum):
    """Every screen the bot can show; the value is its short code in button data."""

    MENU = "m"
    HELP = "h"
    ABOUT = "a"
    NUTRIENTS = "nl"  # pick a nutrient
    NUTRIENT = "n"  # arg: nutrient id
    FOODS = "f"  # arg: nutrient id
    FOOD = "fd"  # arg: food word, e.g. "banana"
    CAUSES = "c"
    CAUSE_GROUP = "cg"  # arg: cause group id
    RED_FLAGS = "rf"
    STRETCHES = "s"
    STRETCH = "st"  # arg: stretch id
    RELIEF = "r"
    SOURCES = "src"
    TRIAGE = "tg"  # arg: warning sign id
    TOPIC = "tp"  # arg: topic id


class Action(Enum):
    """A bot action free text can ask for; the value is the command that does it."""

    REMIND = "remind"
    REMINDERS = "reminders"
    STOP = "stop"
    TIMEZONE = "timezone"
    MYDATA = "mydata"
    FORGET = "forget"


@dataclass(frozen=True, slots=True)
class View:
    """One screen with its argument, page, and whether it is the short form for groups."""

    screen: Screen
    arg: str = ""
    page: int = 0
    compact: bool = False

    def full(self) -> View:
        """The same screen in its full form, from the first page."""
        return replace(self, compact=False, page=0)

    def at_page(self, page: int) -> View:
        """The same screen at another page."""
        return replace(self, page=page)


def parse_label(label: str) -> View | Action | None:
    """The screen or action a label names ('relief', 'topic:statins', 'action:stop'), if any.

    Content links screens by label; whether the item exists is the loader's check."""
    name, _, arg = label.partition(":")
    if name == "action":
        return next((action for action in Action if action.value == arg), None)
    screen = Screen.__members__.get(name.upper())
    if screen is None or name != name.lower():
        return None
    return View(screen, arg)
