"""What every screen is built from: the answer before the budget, navigation, sources lines
and the wording shared by several screens."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.documents import (
    MORE,
    Block,
    Button,
    Press,
    ReminderAction,
    Sources,
    block,
    grid,
    italic,
    line,
    link,
)
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level, Source
from bot.core.views import Screen, View

Row = tuple[Button, ...]
SOURCES_SHOWN = 2  # publishers named on a screen's sources line
SUCH_AS = 5  # publishers named where a screen says "such as …"
DISCLAIMER = "Information only, not a diagnosis. If something feels wrong, see a doctor."
LEVEL_ICONS = {Level.EMERGENCY: "🚨", Level.URGENT: "⚠️", Level.DOCTOR: "🩺"}
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_SCREENS = {screen.value: screen for screen in Screen}


@dataclass(frozen=True, slots=True)
class Answer:
    """A screen before the budget: what leads, what waits behind "More ▸", and its sources.

    The first answer holds the first lead block whole (never cut: safety text goes there)
    and the next lead blocks while they fit one phone screen; the lead blocks that do not
    fit and the detail follow. When the whole answer fits one screen, it is all first:
    `whole` if given (when the detail restates the lead at length, say), else the lead and
    the detail; unless `fold`, which keeps the detail behind "More ▸"."""

    lead: Sequence[Block]
    rows: Sequence[Row]
    detail: Sequence[Block] = ()
    cited: Sequence[str] = ()  # source ids behind the screen, those behind the lead first
    more: str = MORE
    whole: Sequence[Block] | None = None
    fold: bool = False


def sources_view(view: View) -> View:
    """The screen listing the sources behind a view: SOURCES with the view's code and arg
    ('n-magnesium', 'rf'). SOURCES with no arg lists every source."""
    code = view.screen.value
    return View(Screen.SOURCES, f"{code}-{view.arg}" if view.arg else code)


def cited_view(view: View) -> View | None:
    """The view whose sources a SOURCES view lists (None: all sources, or junk)."""
    if view.screen is not Screen.SOURCES or not view.arg:
        return None
    code, _, arg = view.arg.partition("-")
    screen = _SCREENS.get(code)
    if screen is None or screen is Screen.SOURCES:
        return None
    return View(screen, arg)


def menu_rows() -> list[Row]:
    return [
        (
            Button("🤔 Why it happens", View(Screen.CAUSES)),
            Button("⚡ Cramp now", View(Screen.RELIEF)),
        ),
        (
            Button("🥦 Foods", View(Screen.NUTRIENTS, "f")),
            Button("🧘 Stretches", View(Screen.STRETCHES)),
        ),
        (
            Button("⏰ Reminders", Press(ReminderAction.LIST)),
            Button("🚩 When to see a doctor", View(Screen.RED_FLAGS)),
        ),
    ]


def nav(*extra: Button, red_flags: bool = True) -> list[Row]:
    """A last row of navigation: extra buttons, red flags and the menu."""
    tail = [Button("☰ Menu", View(Screen.MENU))]
    if red_flags:
        tail.insert(0, Button("🚩 Red flags", View(Screen.RED_FLAGS)))
    return [*grid(extra), tuple(tail)]


def gone(kind: str) -> Answer:
    return Answer([block(f"That {kind} is no longer here. Pick again from the menu.")], nav())


def short_publisher(publisher: str) -> str:
    """A publisher's short name for a sources line: 'NHS (nhs.uk)' -> 'NHS', 'MedlinePlus,
    U.S. National Library of Medicine' -> 'MedlinePlus', 'National Heart, Lung, and Blood
    Institute (NIH)' -> 'NIH'."""
    asides = _PARENTHESES.findall(publisher)
    if len(publisher) > 30 and asides and _ACRONYM.fullmatch(asides[-1]):
        return str(asides[-1])
    plain = _PARENTHESES.sub("", publisher).strip()
    return plain.split(", ")[0].strip() or publisher


def publishers(kb: KnowledgeBase, count: int) -> list[str]:
    """The publishers behind the most sources, most first (short names)."""
    tally = Counter(short_publisher(s.publisher) for s in kb.all_sources())
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _ in ranked[:count]]


def sources_line(cited: Sequence[Source], listing: View | None = None) -> Sources | None:
    """'Sources: NHS · MedlinePlus' (links, at most SOURCES_SHOWN publishers, the first
    source of each) and, when that leaves some out, a button to `listing`."""
    first: dict[str, Source] = {}
    for source in cited:
        first.setdefault(short_publisher(source.publisher), source)
    shown = list(first.items())[:SOURCES_SHOWN]
    if not shown:
        return None
    runs = [italic("Source: " if len(cited) == 1 else "Sources: ")]
    for index, (name, source) in enumerate(shown):
        runs += [italic(" · ")] if index else []
        runs.append(link(name, source.url, italic=True))
    more = Button("📚 Sources ▸", listing) if listing and len(shown) < len(cited) else None
    return Sources(block(line(*runs)), more)


def line_for(kb: KnowledgeBase, cited: Sequence[str]) -> list[Block]:
    """The sources line for these source ids, as the blocks it adds to a screen."""
    sources = sources_line(kb.sources_of(tuple(dict.fromkeys(cited))))
    return [sources.line] if sources else []


def in_sentence(name: str) -> str:
    """'Magnesium' -> 'magnesium', 'Vitamin D' -> 'vitamin D' (names inside a sentence)."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def without_icon(title: str) -> str:
    """'🥦 Foods by nutrient' -> 'Foods by nutrient'."""
    first, _, rest = title.partition(" ")
    return rest if rest and not first[:1].isalnum() else title


def sentence(text: str) -> str:
    """Text ending as a sentence does."""
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def and_list(items: Sequence[str]) -> str:
    """'a, b and c'."""
    return items[0] if len(items) < 2 else f"{', '.join(items[:-1])} and {items[-1]}"
