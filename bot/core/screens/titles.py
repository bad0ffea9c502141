"""Each screen's name, for buttons and document titles, from the knowledge."""

from __future__ import annotations

from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import cited_view
from bot.core.views import Screen, View

_FIXED_TITLES = {
    Screen.MENU: "☰ Menu",
    Screen.HELP: "❓ Help",
    Screen.ABOUT: "ℹ️ About",
    Screen.CAUSES: "🤔 Why it happens",
    Screen.RED_FLAGS: "🚩 When to see a doctor",
    Screen.STRETCHES: "🧘 Stretches",
    Screen.RELIEF: "⚡ Cramp now",
}


def title(kb: KnowledgeBase, view: View) -> str | None:
    """A view's name; None if its item is gone."""
    screen, arg = view.screen, view.arg
    if screen in _FIXED_TITLES:
        return _FIXED_TITLES[screen]
    if screen is Screen.NUTRIENTS:
        return "🥦 Foods by nutrient" if arg == "f" else "🥦 Nutrients"
    if screen is Screen.SOURCES:
        target = cited_view(view)
        if target is None:
            return "📚 Sources" if not arg else None
        named = title(kb, target)
        return f"📚 Sources: {named}" if named else None
    if screen is Screen.FOOD:
        return f"What {arg} gives you" if kb.foods_named(arg) else None
    if screen is Screen.NUTRIENT or screen is Screen.FOODS:
        nutrient = kb.nutrient_by_id(arg)
        if nutrient is None:
            return None
        return nutrient.name if screen is Screen.NUTRIENT else f"Foods: {nutrient.name}"
    if screen is Screen.CAUSE_GROUP:
        group = kb.cause_group_by_id(arg)
        return group.title if group else None
    if screen is Screen.STRETCH:
        stretch = kb.stretch_by_id(arg)
        return stretch.name if stretch else None
    if screen is Screen.TOPIC:
        return next((t.title for t in kb.knowledge.topics if t.id == arg), None)
    return next((s.name for s in kb.red_flags.signs if s.id == arg), None)  # TRIAGE
