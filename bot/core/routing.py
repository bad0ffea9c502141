"""Free text to the screen that answers it best ("bananas?" -> the banana card)."""

from __future__ import annotations

from itertools import pairwise

from bot.core.knowledge import KnowledgeBase
from bot.core.matching import normalize
from bot.core.views import Screen, View

# Safety first: any hint of a warning sign routes to the red flags before anything else.
_WARNING_WORDS = frozenset(
    "chest breath breathe breathing heartbeat palpitation palpitations slurred stroke "
    "swollen swelling clot numb numbness weakness weak doctor gp emergency serious "
    "dangerous worried worry hospital ambulance redflags".split()
)
_WARNING_PHRASES = ("one side", "red flag", "see a doctor", "can t walk", "cant walk")
_RELIEF_WORDS = frozenset(
    "now hurts hurting ouch ow relief relieve stop ease release locked stuck cramping".split()
)
_STRETCH_WORDS = frozenset("stretch stretches stretching exercise exercises yoga".split())
_SHORTFALL_WORDS = frozenset(
    "lack lacks lacking deficiency deficient deficiencies missing low shortage vitamin "
    "vitamins mineral minerals nutrient nutrients".split()
)
_CAUSE_WORDS = frozenset(
    "why cause causes caused causing reason reasons cramp cramps twitch twitches "
    "twitching spasm spasms".split()
)
_FOOD_WORDS = frozenset("food foods eat eating diet".split())
_GREETING_WORDS = frozenset("hi hello hey hallo start menu thanks thank".split())
_SOURCE_WORDS = frozenset("source sources reference references evidence".split())


def _phrases(words: list[str]) -> list[str]:
    """Single words and adjacent pairs, longest first, so 'vitamin d' wins over 'vitamin'."""
    pairs = [f"{a} {b}" for a, b in pairwise(words)]
    return pairs + words


def route(kb: KnowledgeBase, text: str) -> View | None:
    """The screen that best answers a free-text question, or None to offer the menu."""
    normalized = normalize(text)
    words = normalized.split()
    if not words:
        return None
    present = set(words)
    if present & _WARNING_WORDS or any(p in normalized for p in _WARNING_PHRASES):
        return View(Screen.RED_FLAGS)
    if present & _RELIEF_WORDS:
        return View(Screen.RELIEF)
    for phrase in _phrases(words):
        # One- and two-letter names ('k', 'mg') are too often something else in a sentence.
        if len(phrase) < 3 and len(words) > 1:
            continue
        if (nutrient := kb.nutrient(phrase).found) is not None:
            return View(Screen.FOODS if present & _FOOD_WORDS else Screen.NUTRIENT, nutrient.id)
        if (stretch := kb.stretch(phrase).found) is not None:
            return View(Screen.STRETCH, stretch.id)
    if (food := kb.food_word(normalized)) is not None:
        return View(Screen.FOOD, food)
    for phrase in _phrases(words):
        if (group := kb.cause_group(phrase).found) is not None:
            return View(Screen.CAUSE_GROUP, group.id)
    return _route_by_topic_word(present)


def _route_by_topic_word(present: set[str]) -> View | None:
    if present & _STRETCH_WORDS:
        return View(Screen.STRETCHES)
    if present & _SHORTFALL_WORDS:
        return View(Screen.CAUSE_GROUP, "nutrients")
    if present & _FOOD_WORDS:
        return View(Screen.NUTRIENTS)
    if present & _CAUSE_WORDS:
        return View(Screen.CAUSES)
    if present & _SOURCE_WORDS:
        return View(Screen.SOURCES)
    if present & _GREETING_WORDS:
        return View(Screen.MENU)
    return None
