"""What a service answers with, for any front end to render: a screen, a message, a note
under a pressed message, or a refusal shown on the press alone."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.documents import Document, block
from bot.core.views import View


@dataclass(frozen=True, slots=True)
class Show:
    """A lookup screen, paged by the front end within its limits (and cached per view)."""

    view: View


@dataclass(frozen=True, slots=True)
class Say:
    """One message."""

    document: Document


@dataclass(frozen=True, slots=True)
class Annotate:
    """The pressed message, kept, with this line added under it and its buttons gone."""

    note: str


@dataclass(frozen=True, slots=True)
class Refuse:
    """A short answer to a button press that changes no message; `alert` when the user
    must read it (an error), not just a passing notice (a stale button)."""

    text: str
    alert: bool = True


Reply = Show | Say | Annotate | Refuse


def say(*lines: str) -> Say:
    """A plain message, a line per argument."""
    return Say(Document("", (block(*lines),)))
