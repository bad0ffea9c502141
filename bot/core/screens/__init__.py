"""Every lookup screen as a document, over one knowledge base: View -> Document."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.documents import Document
from bot.core.knowledge import KnowledgeBase
from bot.core.screens import causes, menu, nutrients, red_flags, stretches, topics
from bot.core.screens.budget import compose
from bot.core.screens.common import Answer, cited_view, gone
from bot.core.screens.sources import all_sources, cited_sources
from bot.core.screens.titles import title
from bot.core.views import Screen, View

GONE = "No longer here"
_BUILDERS: dict[Screen, Callable[[KnowledgeBase, View], Answer]] = {
    Screen.MENU: menu.menu,
    Screen.HELP: menu.help_screen,
    Screen.ABOUT: menu.about,
    Screen.NUTRIENTS: nutrients.nutrients,
    Screen.NUTRIENT: nutrients.nutrient,
    Screen.FOODS: nutrients.foods,
    Screen.FOOD: nutrients.food,
    Screen.CAUSES: causes.causes,
    Screen.CAUSE_GROUP: causes.cause_group,
    Screen.RED_FLAGS: red_flags.red_flags,
    Screen.STRETCHES: stretches.stretches,
    Screen.STRETCH: stretches.stretch,
    Screen.RELIEF: stretches.relief,
    Screen.SOURCES: all_sources,
    Screen.TRIAGE: red_flags.triage,
    Screen.TOPIC: topics.topic,
}


class Screens:
    """Turns views into documents over one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def document(self, view: View) -> Document:
        """The document for a view; a view whose item no longer exists gets a gentle note."""
        return compose(self.kb, view, self._answer(view), self.title(view) or GONE)

    def title(self, view: View) -> str | None:
        """A view's name for a button, from the knowledge; None if its item is gone."""
        return title(self.kb, view)

    def unknown(self, suggestions: Sequence[View]) -> Document:
        """'I can't answer that one', with the suggested screens that exist."""
        return topics.unknown(self.kb, suggestions)

    def _answer(self, view: View) -> Answer:
        if view.screen is Screen.SOURCES and view.arg:
            target = cited_view(view)
            named = self.title(target) if target is not None else None
            if target is None or named is None:
                return gone("list of sources")
            return cited_sources(self.kb, target, named, self._answer(target).cited)
        return _BUILDERS[view.screen](self.kb, view)
