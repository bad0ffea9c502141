"""Inline mode: '@Bot magnesium' in any chat offers cards to share."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from bot.core.knowledge import KnowledgeBase
from bot.core.targets import encode, start_payload
from bot.core.understanding import Understanding
from bot.core.views import Screen, View
from bot.telegram.render import Renderer

INLINE_CACHE_SECONDS = 300
_TOPICS = (
    View(Screen.CAUSES, compact=True),
    View(Screen.RELIEF, compact=True),
    View(Screen.RED_FLAGS, compact=True),
    View(Screen.STRETCHES, compact=True),
)
_TITLES = {
    Screen.CAUSES: ("Why toes cramp", "Common causes, grouped"),
    Screen.RELIEF: ("During a cramp, right now", "What to do to make it let go"),
    Screen.RED_FLAGS: ("🚩 When to see a doctor", "Warning signs, and when to get help now"),
    Screen.STRETCHES: ("Stretches and exercises", "With steps and reps"),
}


class InlineHandlers:
    """Answers inline queries with compact cards and a link into the bot."""

    def __init__(
        self, kb: KnowledgeBase, renderer: Renderer, understanding: Understanding
    ) -> None:
        self.kb = kb
        self.renderer = renderer
        self.understanding = understanding

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        """Add the inline query handler to the application."""
        app.add_handler(InlineQueryHandler(self.on_inline_query))

    def views_for(self, text: str) -> list[View]:
        """The cards an inline query offers, red flags always among them; a warning sign's
        card comes first and alone beside them."""
        understood = self.understanding.understand(text)
        if understood.sign is not None:
            return [View(Screen.TRIAGE, understood.sign.id), View(Screen.RED_FLAGS, compact=True)]
        views: list[View] = []
        lookup = self.kb.nutrient(text)
        nutrients = [lookup.found] if lookup.found else list(lookup.suggestions)
        for nutrient in nutrients:
            views.append(View(Screen.FOODS, nutrient.id, compact=True))
            views.append(View(Screen.NUTRIENT, nutrient.id, compact=True))
        if not views and (food := self.kb.food_word(text)):
            views.append(View(Screen.FOOD, food, compact=True))
        routed = understood.view
        if not views and routed is not None and routed.screen is not Screen.MENU:
            views.append(View(routed.screen, routed.arg, compact=True))
        if not views:
            return list(_TOPICS)
        red_flags = View(Screen.RED_FLAGS, compact=True)
        return [*views, red_flags] if red_flags not in views else views

    def title_of(self, view: View) -> tuple[str, str]:
        """A card's title and one-line description."""
        if view.screen in _TITLES:
            return _TITLES[view.screen]
        if view.screen is Screen.FOODS or view.screen is Screen.NUTRIENT:
            nutrient = self.kb.nutrient_by_id(view.arg)
            name = nutrient.name if nutrient else view.arg
            if view.screen is Screen.FOODS:
                return f"Foods rich in {name}", "Top foods per serving, with % Daily Value"
            return name, "What it does, signs of running low, intake"
        if view.screen is Screen.FOOD:
            return f"What {view.arg} gives you", "Nutrients per serving"
        if view.screen is Screen.CAUSE_GROUP:
            group = self.kb.cause_group_by_id(view.arg)
            return (group.title if group else "Causes"), "A group of causes"
        if view.screen is Screen.STRETCH:
            stretch = self.kb.stretch_by_id(view.arg)
            return (stretch.name if stretch else "Stretch"), "Steps and reps"
        if view.screen is Screen.TOPIC:
            topic = self.kb.topic_by_id(view.arg)
            return (topic.title if topic else "Topic"), "What the evidence says"
        if view.screen is Screen.TRIAGE and (sign := self.kb.sign_by_id(view.arg)):
            advice = self.kb.red_flags.advice(sign.level)
            return f"🚨 {advice.heading}", sign.name
        return "Cramp Coach", "Open the menu"

    async def on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer cards for the typed words; an empty query offers the main topics."""
        query = update.inline_query
        if query is None:
            return
        results = []
        for view in self.views_for(query.query):
            page = self.renderer.render(view)
            title, description = self.title_of(view)
            more = InlineKeyboardButton(
                "Open in Cramp Coach",
                url=f"https://t.me/{context.bot.username}?start={start_payload(view)}",
            )
            results.append(
                InlineQueryResultArticle(
                    id=encode(view),
                    title=title,
                    description=description,
                    input_message_content=InputTextMessageContent(page.text),
                    reply_markup=InlineKeyboardMarkup([[more]]),
                )
            )
        await query.answer(results, cache_time=INLINE_CACHE_SECONDS)
