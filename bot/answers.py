"""Lookup conversations for every front end: a command with its words, or free text, to the
screen it asks for, a warning first, "did you mean", or the bot action it names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from bot.core.choices import N
from bot.core.knowledge import KnowledgeBase
from bot.core.matching import Lookup
from bot.core.replies import Reply, Say, Show, say
from bot.core.screens import Screens
from bot.core.screens.topics import not_found
from bot.core.targets import parse_start_payload
from bot.core.texts import UNKNOWN_COMMAND
from bot.core.understanding import Understanding
from bot.core.views import Action, Screen, View


class Answers:
    """The lookup side of the conversation, over one knowledge base."""

    def __init__(self, kb: KnowledgeBase, understanding: Understanding) -> None:
        self.kb = kb
        self.understanding = understanding
        self.screens = Screens(kb)
        self._by_command: dict[str, Callable[[str, bool], Reply]] = {
            "start": self._start,
            "causes": self._causes,
            "foods": self._foods,
            "nutrient": self._nutrient,
            "stretches": self._stretches,
            "relief": partial(self._fixed, Screen.RELIEF),
            "redflags": partial(self._fixed, Screen.RED_FLAGS),
            "sources": partial(self._fixed, Screen.SOURCES),
            "help": partial(self._fixed, Screen.HELP),
            "about": partial(self._fixed, Screen.ABOUT),
        }

    def command(self, name: str, argument: str = "", *, compact: bool = False) -> Reply:
        """A lookup command's answer; words after it that describe a warning sign get the
        warning instead ('/relief my calf is hot and swollen'). `compact` for groups."""
        build = self._by_command.get(name)
        if build is None:
            return say(UNKNOWN_COMMAND)
        argument = argument.strip()
        sign = self.understanding.triage.sign(argument) if argument else None
        if sign is not None:
            return _show(View(Screen.TRIAGE, sign.id), compact)
        return build(argument, compact)

    def text(self, text: str) -> Reply | Action:
        """Free text: a warning sign first, then the screen or action it asks for, else
        the closest topics."""
        understood = self.understanding.understand(text)
        if understood.action is not None:
            return understood.action
        if understood.view is not None:
            return Show(understood.view)
        return Say(self.screens.unknown(understood.suggestions))

    def _fixed(self, screen: Screen, _argument: str, compact: bool) -> Reply:
        return _show(View(screen), compact)

    # Commands that take an argument: each maps it to a view, or to "did you mean".

    def _start(self, argument: str, compact: bool) -> Reply:
        return _show(parse_start_payload(argument) or View(Screen.MENU), compact)

    def _causes(self, argument: str, compact: bool) -> Reply:
        lookup = self.kb.cause_group(argument)
        groups = self.kb.cause_groups
        return self._pick(argument, compact, "cause group", lookup, groups, Screen.CAUSE_GROUP)

    def _stretches(self, argument: str, compact: bool) -> Reply:
        lookup = self.kb.stretch(argument)
        return self._pick(argument, compact, "stretch", lookup, self.kb.stretches, Screen.STRETCH)

    def _foods(self, argument: str, compact: bool) -> Reply:
        return self._nutrient_command(argument, compact, Screen.FOODS)

    def _nutrient(self, argument: str, compact: bool) -> Reply:
        return self._nutrient_command(argument, compact, Screen.NUTRIENT)

    def _nutrient_command(self, argument: str, compact: bool, screen: Screen) -> Reply:
        lookup = self.kb.nutrient(argument)
        if argument and lookup.found is None and (food := self.kb.food_word(argument)):
            return _show(View(Screen.FOOD, food), compact)
        return self._pick(argument, compact, "nutrient", lookup, self.kb.nutrients, screen)

    def _pick(
        self,
        argument: str,
        compact: bool,
        kind: str,
        lookup: Lookup[N],
        every: Sequence[N],
        screen: Screen,
    ) -> Reply:
        """The item's screen; with no argument the list to pick from; else 'did you mean'."""
        if not argument:
            return _show(LISTS[screen], compact)
        if lookup.found is not None:
            return _show(View(screen, lookup.found.id), compact)
        choices = lookup.suggestions or tuple(every)
        options = [(item.label, View(screen, item.id, compact=compact)) for item in choices]
        return Say(not_found(kind, argument, options, close=bool(lookup.suggestions)))


def _show(view: View, compact: bool) -> Show:
    return Show(View(view.screen, view.arg, view.page, compact=True) if compact else view)


# The list each item screen is picked from, shown when a command comes without a name.
LISTS = {
    Screen.CAUSE_GROUP: View(Screen.CAUSES),
    Screen.STRETCH: View(Screen.STRETCHES),
    Screen.FOODS: View(Screen.NUTRIENTS, "f"),
    Screen.NUTRIENT: View(Screen.NUTRIENTS, "n"),
}
