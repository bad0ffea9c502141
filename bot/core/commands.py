"""The one command table: names, aliases, what each does and where it applies. Front ends
register their handlers and publish their menus from it, /help lists it, and the console
shows it, so a command is described in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, Flag, auto


class Chats(Flag):
    """Where a command is offered in the platform's command menu."""

    PRIVATE = auto()
    GROUP = auto()
    OPERATOR = auto()  # only in the chats of the bot's operators
    EVERYWHERE = PRIVATE | GROUP


class Part(Enum):
    """Which side of the bot answers a command."""

    LOOKUP = "lookup"
    REMINDERS = "reminders"
    OPERATOR = "operator"


class Choices(Enum):
    """What an argument names, for front ends that offer choices as it is typed."""

    NONE = "none"
    NUTRIENT = "nutrient"
    CAUSE_GROUP = "cause group"
    STRETCH = "stretch"
    TIMEZONE = "time zone"


@dataclass(frozen=True, slots=True)
class Argument:
    """The words a command takes after it, as a named option where a platform has them
    (Discord's slash commands); always optional: without it the command shows a list or
    asks step by step."""

    name: str
    description: str
    choices: Choices = Choices.NONE


@dataclass(frozen=True, slots=True)
class Command:
    """One command: `summary` is its line in a command menu; `example` and `does` are its
    line in /help, when it has one (`main`: on /help's first screen)."""

    name: str
    part: Part
    summary: str
    aliases: tuple[str, ...] = ()
    example: str = ""
    does: str = ""
    main: bool = False
    chats: Chats = Chats.EVERYWHERE
    argument: Argument | None = None


COMMANDS: tuple[Command, ...] = (
    Command("start", Part.LOOKUP, "Main menu", ("menu",), chats=Chats.PRIVATE),
    Command(
        "causes",
        Part.LOOKUP,
        "Why toes and feet cramp",
        ("cause", "why"),
        "/causes",
        "why toes cramp; /causes nerves for one group",
        main=True,
        argument=Argument("group", "A group of causes, e.g. nerves", Choices.CAUSE_GROUP),
    ),
    Command(
        "foods",
        Part.LOOKUP,
        "Foods rich in a nutrient, e.g. /foods magnesium",
        ("food",),
        "/foods magnesium",
        "foods richest in a nutrient",
        main=True,
        argument=Argument("nutrient", "A nutrient, e.g. magnesium", Choices.NUTRIENT),
    ),
    Command(
        "nutrient",
        Part.LOOKUP,
        "One nutrient: role, signs, intake, foods",
        ("nutrients",),
        "/nutrient vitamin d",
        "what a nutrient does, signs, intake",
        main=True,
        argument=Argument("nutrient", "A nutrient, e.g. vitamin d", Choices.NUTRIENT),
    ),
    Command(
        "relief",
        Part.LOOKUP,
        "What to do during a cramp",
        ("now", "cramp"),
        "/relief",
        "what to do during a cramp, now",
        main=True,
    ),
    Command(
        "stretches",
        Part.LOOKUP,
        "Stretches and exercises",
        ("stretch", "exercises"),
        "/stretches",
        "stretches and exercises with steps",
        main=True,
        argument=Argument("stretch", "One stretch, e.g. calf", Choices.STRETCH),
    ),
    Command(
        "redflags",
        Part.LOOKUP,
        "When to see a doctor",
        ("doctor", "redflag"),
        "/redflags",
        "when to see a doctor, or get help now",
        main=True,
    ),
    Command(
        "remind",
        Part.REMINDERS,
        "Set a water or stretch reminder",
        (),
        "/remind",
        "water or stretch reminders, in your time zone; "
        "in one line: /remind water every 2h 08:00-22:00",
        main=True,
        argument=Argument("what", "In one line, e.g. water every 2h 08:00-22:00"),
    ),
    Command(
        "reminders",
        Part.REMINDERS,
        "List this chat's reminders",
        (),
        "/reminders",
        "your reminders: pause, edit, delete",
    ),
    Command(
        "timezone",
        Part.REMINDERS,
        "Set your time zone, e.g. /timezone Europe/Berlin",
        ("tz",),
        "/timezone Berlin",
        "your time zone, so reminders follow your clock",
        argument=Argument("zone", "A city or zone, e.g. Berlin", Choices.TIMEZONE),
    ),
    Command(
        "stop",
        Part.REMINDERS,
        "Delete a reminder, or all of them",
        (),
        "/stop 2",
        "delete reminder #2; /stop all for every one",
        argument=Argument("which", "A reminder's number, or all"),
    ),
    Command(
        "mydata",
        Part.REMINDERS,
        "See everything stored about this chat",
        (),
        "/mydata",
        "see everything stored about this chat",
    ),
    Command(
        "forget",
        Part.REMINDERS,
        "Delete everything stored about this chat",
        (),
        "/forget",
        "delete all of it",
    ),
    Command(
        "sources",
        Part.LOOKUP,
        "Where the facts come from",
        ("source",),
        "/sources",
        "where every fact comes from",
    ),
    Command("help", Part.LOOKUP, "What I can do"),
    Command(
        "about",
        Part.LOOKUP,
        "About this bot",
        (),
        "/about",
        "what this bot is",
        chats=Chats.PRIVATE,
    ),
    Command("stats", Part.OPERATOR, "Operator: bot statistics", chats=Chats.OPERATOR),
    Command("broadcast", Part.OPERATOR, "Operator: message all", chats=Chats.OPERATOR),
)


def of(part: Part) -> tuple[Command, ...]:
    """The commands one side of the bot answers, in the table's order."""
    return tuple(command for command in COMMANDS if command.part is part)


def offered(chats: Chats) -> tuple[Command, ...]:
    """The commands a command menu for these chats lists, in the table's order."""
    return tuple(command for command in COMMANDS if command.chats & chats)
