"""The ways of understanding free text that bench.understanding measures side by side.

Each entry builds, from the knowledge base, the function that answers one message. The
shipped one comes first; the bench holds it (and only it) to the targets. A technique that
needs a heavy library should import it inside its builder: the bench counts the memory a
technique adds from the moment this module is imported, so imports made here at the top
would be counted for every technique alike.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.understanding_alternatives import ALTERNATIVES
from bot.core.knowledge import KnowledgeBase
from bot.core.understanding import Understanding, Understood

Answer = Callable[[str], Understood]
SHIPPED = "shipped"


def shipped(kb: KnowledgeBase) -> Answer:
    """What the bot runs: bot.core.understanding."""
    return Understanding(kb).understand


TECHNIQUES: dict[str, Callable[[KnowledgeBase], Answer]] = {
    SHIPPED: shipped,
    **ALTERNATIVES,
}
