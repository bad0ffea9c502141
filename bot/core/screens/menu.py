"""The menu, help and about screens."""

from __future__ import annotations

from collections.abc import Sequence

from bot import __version__
from bot.core.commands import COMMANDS, Part
from bot.core.documents import Block, Button, block, bold, italic, line
from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import (
    DISCLAIMER,
    SUCH_AS,
    Answer,
    and_list,
    menu_rows,
    nav,
    publishers,
)
from bot.core.views import Screen, View

# /help lists what everyone may use: the operator's commands are in the operator's menu.
_LISTED = tuple(c for c in COMMANDS if c.example and c.part is not Part.OPERATOR)
_MAIN_COMMANDS = tuple((c.example, c.does) for c in _LISTED if c.main)
_MORE_COMMANDS = tuple((c.example, c.does) for c in _LISTED if not c.main)


def menu(kb: KnowledgeBase, view: View) -> Answer:
    text = block(
        line(bold("Cramp Coach"), " 🦶"),
        "Short, sourced answers about toe and foot cramps and twitches.",
        italic(DISCLAIMER),
    )
    rows = menu_rows()
    if not view.compact:
        rows.append(
            (
                Button("❓ Help", View(Screen.HELP)),
                Button("📚 Sources", View(Screen.SOURCES)),
                Button("ℹ️ About", View(Screen.ABOUT)),
            )
        )
    return Answer([text, block("What would you like to know?")], rows)


def _listing(heading: str, commands: Sequence[tuple[str, str]]) -> Block:
    return block(bold(heading), *(f"{command} — {what}" for command, what in commands))


def help_screen(kb: KnowledgeBase, view: View) -> Answer:
    ask = "Or just ask: “bananas?”, “statins”, “why do my toes cramp at night?”"
    groups = (
        "In a group, use the commands (e.g. /foods magnesium). In any chat, type the "
        "bot's @name and a word to share a card."
    )
    lead = [_listing("What I can do", _MAIN_COMMANDS), block(ask)]
    detail = [_listing("Reminders and more", _MORE_COMMANDS), block(groups)]
    return Answer(lead, nav(red_flags=False), detail)


def about(kb: KnowledgeBase, view: View) -> Answer:
    named = publishers(kb, SUCH_AS)
    facts = (
        f"The facts come from public health sources such as {and_list(named)}. " if named else ""
    )
    text = block(
        line(bold("About Cramp Coach"), f" (v{__version__})"),
        "A free, open-source helper for people who get toe and foot cramps: common "
        "causes, foods for the nutrients involved, stretches, and when to see a doctor.",
        f"{facts}Each answer names its sources; /sources lists them all. The wording is ours.",
        italic(DISCLAIMER),
    )
    sources = Button("📚 Sources", View(Screen.SOURCES))
    return Answer([text], nav(sources, red_flags=False))
