"""Every screen as Telegram HTML with its buttons.

Short answers first: the first page of every screen fits one phone screen (html.fits_screen)
and the detail is one tap away, behind "More ▸" (the next page). Groups get the compact form:
the same first page, with buttons that keep later answers compact too."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import __version__
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level, Nutrient, Source
from bot.core.views import Screen, View, parse_label
from bot.telegram.callbacks import (
    Action,
    cited_view,
    pack,
    packable,
    reminder_action,
    sources_view,
)
from bot.telegram.html import (
    bold,
    bullets,
    echo,
    esc,
    fits_screen,
    italic,
    link,
    number,
    numbered,
    packed,
    paginate,
)

Row = list[InlineKeyboardButton]
COMPACT_FOODS = 5
NUTRIENT_CARD_FOODS = 3
FOOD_CARD_HITS = 5
RELIEF_NOW_STEPS = 4  # the first answer mid-cramp: at most this many steps
EMERGENCY_LINES = 8  # the emergency block: heading and every emergency sign's name
CAUSE_NAME_LINES = 6
SOURCES_SHOWN = 2  # publishers named on a screen's sources line
ABOUT_PUBLISHERS = 5
SUGGESTIONS = 6
DISCLAIMER = "Information only, not a diagnosis. If something feels wrong, see a doctor."
CANT_ANSWER = "I can't answer that one. Here's what I can help with:"
MORE = "More ▸"

_LEVEL_ICONS = {Level.EMERGENCY: "🚨", Level.URGENT: "⚠️", Level.DOCTOR: "🩺"}
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_FIXED_TITLES = {
    Screen.MENU: "☰ Menu",
    Screen.HELP: "❓ Help",
    Screen.ABOUT: "ℹ️ About",
    Screen.CAUSES: "🤔 Why it happens",
    Screen.RED_FLAGS: "🚩 When to see a doctor",
    Screen.STRETCHES: "🧘 Stretches",
    Screen.RELIEF: "⚡ Cramp now",
}


@dataclass(frozen=True, slots=True)
class Page:
    """One message: HTML text and its inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A screen before paging: what leads, what waits behind "More ▸", and its sources.

    The first page holds the first lead block whole (never cut: safety text goes there)
    and the next lead blocks while they fit one phone screen; the lead blocks that do not
    fit and the detail follow on the next pages. When the whole answer fits one screen, it
    is one page: `whole` if given (when the detail restates the lead at length, say), else
    the lead and the detail; unless `fold`, which keeps the detail behind "More ▸"."""

    lead: Sequence[str]
    rows: list[Row]
    detail: Sequence[str] = ()
    cited: Sequence[str] = ()  # source ids behind the screen, those behind the lead first
    more: str = MORE
    whole: Sequence[str] | None = None
    fold: bool = False


def button(label: str, view: View) -> InlineKeyboardButton:
    """A button that opens a view."""
    return InlineKeyboardButton(label, callback_data=pack(view))


def grid(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list[Row]:
    """Buttons laid out `per_row` to a row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def short_publisher(publisher: str) -> str:
    """A publisher's short name for a sources line: 'NHS (nhs.uk)' -> 'NHS', 'MedlinePlus,
    U.S. National Library of Medicine' -> 'MedlinePlus', 'National Heart, Lung, and Blood
    Institute (NIH)' -> 'NIH'."""
    asides = _PARENTHESES.findall(publisher)
    if len(publisher) > 30 and asides and _ACRONYM.fullmatch(asides[-1]):
        return str(asides[-1])
    plain = _PARENTHESES.sub("", publisher).strip()
    return plain.split(", ")[0].strip() or publisher


def _join(blocks: Sequence[str]) -> str:
    return "\n\n".join(block for block in blocks if block)


def _in_sentence(name: str) -> str:
    """'Magnesium' -> 'magnesium', 'Vitamin D' -> 'vitamin D' (names inside a sentence)."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _without_icon(title: str) -> str:
    """'🥦 Foods by nutrient' -> 'Foods by nutrient'."""
    first, _, rest = title.partition(" ")
    return rest if rest and not first[:1].isalnum() else title


def _sentence(text: str) -> str:
    """Text ending as a sentence does."""
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) < 2 else f"{', '.join(items[:-1])} and {items[-1]}"


class Renderer:
    """Turns views into pages over one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._screens: dict[Screen, Callable[[View], Answer]] = {
            Screen.MENU: self._menu,
            Screen.HELP: self._help,
            Screen.ABOUT: self._about,
            Screen.NUTRIENTS: self._nutrients,
            Screen.NUTRIENT: self._nutrient,
            Screen.FOODS: self._foods,
            Screen.FOOD: self._food,
            Screen.CAUSES: self._causes,
            Screen.CAUSE_GROUP: self._cause_group,
            Screen.RED_FLAGS: self._red_flags,
            Screen.STRETCHES: self._stretches,
            Screen.STRETCH: self._stretch,
            Screen.RELIEF: self._relief,
            Screen.SOURCES: self._sources,
            Screen.TRIAGE: self._triage,
            Screen.TOPIC: self._topic,
        }

    def render(self, view: View) -> Page:
        """The page for a view; a view whose item no longer exists gets a gentle note."""
        answer = self._screens[view.screen](view)
        cited = self.kb.sources_of(tuple(dict.fromkeys(answer.cited)))
        line, linked = self._sources_line(cited)
        pages = self._pages(answer, line)
        index = min(view.page, len(pages) - 1)
        top: Row = []
        if index > 0:
            top.append(button("◀ Back", view.at_page(index - 1)))
        if index < len(pages) - 1:
            label = answer.more if index == 0 else f"More ▸ {index + 2}/{len(pages)}"
            # The detail is the full form: in a group too, once asked for.
            top.append(button(label, View(view.screen, view.arg, index + 1)))
        if linked < len(cited):
            listing = sources_view(View(view.screen, view.arg))
            if packable(listing):
                top.append(button("📚 Sources ▸", listing))
        rows = [top, *answer.rows] if top else answer.rows
        return Page(pages[index], InlineKeyboardMarkup(rows) if rows else None)

    @staticmethod
    def _pages(answer: Answer, line: str) -> list[str]:
        """The first page (one phone screen), then the rest paginated; `line` (the sources
        line) ends the first page and the last."""
        tail = [line] if line else []
        everything = [*answer.lead, *answer.detail] if answer.whole is None else answer.whole
        if not (answer.fold and answer.detail) and fits_screen(_join([*everything, *tail])):
            return [_join([*everything, *tail])]
        first = list(answer.lead[:1])
        for block in answer.lead[1:]:
            if not fits_screen(_join([*first, block, *tail])):
                break
            first.append(block)
        rest = [*answer.lead[len(first) :], *answer.detail]
        return [_join([*first, *tail]), *(paginate([*rest, *tail]) if rest else [])]

    def not_found(
        self, kind: str, query: str, options: Sequence[tuple[str, View]], *, close: bool
    ) -> Page:
        """'Did you mean …?' with a button per close match, or else every option to pick from."""
        question = "Did you mean:" if close else "Pick one:"
        text = f"I don't know the {esc(kind)} “{echo(query)}”. {question}"
        return Page(text, InlineKeyboardMarkup(grid([button(lbl, v) for lbl, v in options])))

    def unknown(self, suggestions: Sequence[View]) -> Page:
        """'I can't answer that one' with a button per suggested screen (the closest first)
        and the menu; with no usable suggestion, the main topics."""
        buttons = []
        for view in dict.fromkeys(suggestions):
            title = self.title(view)
            if title is not None and packable(view):
                buttons.append(button(title, view))
        if not buttons:
            return Page(CANT_ANSWER, InlineKeyboardMarkup(self._menu_rows()))
        rows = [*grid(buttons[:SUGGESTIONS], per_row=1), [button("☰ Menu", View(Screen.MENU))]]
        return Page(CANT_ANSWER, InlineKeyboardMarkup(rows))

    def title(self, view: View) -> str | None:
        """A view's name for a button, from the knowledge; None if its item is gone."""
        screen, arg = view.screen, view.arg
        if screen in _FIXED_TITLES:
            return _FIXED_TITLES[screen]
        if screen is Screen.NUTRIENTS:
            return "🥦 Foods by nutrient" if arg == "f" else "🥦 Nutrients"
        if screen is Screen.SOURCES:
            target = cited_view(view)
            if target is None:
                return "📚 Sources" if not arg else None
            title = self.title(target)
            return f"📚 Sources: {title}" if title else None
        if screen is Screen.FOOD:
            return f"What {arg} gives you" if self.kb.foods_named(arg) else None
        named: str | None = None
        if screen is Screen.NUTRIENT or screen is Screen.FOODS:
            nutrient = self.kb.nutrient_by_id(arg)
            if nutrient is not None:
                named = nutrient.name if screen is Screen.NUTRIENT else f"Foods: {nutrient.name}"
        elif screen is Screen.CAUSE_GROUP:
            group = self.kb.cause_group_by_id(arg)
            named = group.title if group else None
        elif screen is Screen.STRETCH:
            stretch = self.kb.stretch_by_id(arg)
            named = stretch.name if stretch else None
        elif screen is Screen.TOPIC:
            topic = next((t for t in self.kb.knowledge.topics if t.id == arg), None)
            named = topic.title if topic else None
        elif screen is Screen.TRIAGE:
            sign = next((s for s in self.kb.red_flags.signs if s.id == arg), None)
            named = sign.name if sign else None
        return named

    # Building blocks.

    def _menu_rows(self) -> list[Row]:
        return [
            [
                button("🤔 Why it happens", View(Screen.CAUSES)),
                button("⚡ Cramp now", View(Screen.RELIEF)),
            ],
            [
                button("🥦 Foods", View(Screen.NUTRIENTS, "f")),
                button("🧘 Stretches", View(Screen.STRETCHES)),
            ],
            [
                InlineKeyboardButton("⏰ Reminders", callback_data=reminder_action(Action.LIST)),
                button("🚩 When to see a doctor", View(Screen.RED_FLAGS)),
            ],
        ]

    def _nav(self, *extra: InlineKeyboardButton, red_flags: bool = True) -> list[Row]:
        """A last row of navigation: extra buttons, red flags and the menu."""
        rows = grid(list(extra))
        tail = [button("☰ Menu", View(Screen.MENU))]
        if red_flags:
            tail.insert(0, button("🚩 Red flags", View(Screen.RED_FLAGS)))
        return [*rows, tail]

    def _sources_line(self, cited: Sequence[Source]) -> tuple[str, int]:
        """'Sources: NHS · MedlinePlus' (links, at most SOURCES_SHOWN publishers, the first
        source of each) and how many sources it links."""
        first: dict[str, Source] = {}
        for source in cited:
            first.setdefault(short_publisher(source.publisher), source)
        shown = list(first.items())[:SOURCES_SHOWN]
        if not shown:
            return "", 0
        word = "Source" if len(cited) == 1 else "Sources"
        links = " · ".join(link(name, source.url) for name, source in shown)
        return f"<i>{word}: {links}</i>", len(shown)

    def _line_for(self, cited: Sequence[str]) -> str:
        """The sources line for these source ids."""
        return self._sources_line(self.kb.sources_of(tuple(dict.fromkeys(cited))))[0]

    def _gone(self, kind: str) -> Answer:
        return Answer(
            [f"That {esc(kind)} is no longer here. Pick again from the menu."], self._nav()
        )

    # Screens.

    def _menu(self, view: View) -> Answer:
        text = (
            f"{bold('Cramp Coach')} 🦶\n"
            "Short, sourced answers about toe and foot cramps and twitches.\n"
            f"{italic(DISCLAIMER)}"
        )
        rows = self._menu_rows()
        if not view.compact:
            rows.append(
                [
                    button("❓ Help", View(Screen.HELP)),
                    button("📚 Sources", View(Screen.SOURCES)),
                    button("ℹ️ About", View(Screen.ABOUT)),
                ]
            )
        return Answer([text, "What would you like to know?"], rows)

    def _help(self, view: View) -> Answer:
        main = (
            ("/causes", "why toes cramp; /causes nerves for one group"),
            ("/foods magnesium", "foods richest in a nutrient"),
            ("/nutrient vitamin d", "what a nutrient does, signs, intake"),
            ("/relief", "what to do during a cramp, now"),
            ("/stretches", "stretches and exercises with steps"),
            ("/redflags", "when to see a doctor, or get help now"),
            ("/remind", "water or stretch reminders, in your time zone"),
        )
        more = (
            ("/remind water every 2h 08:00-22:00", "a reminder in one line"),
            ("/reminders", "your reminders: pause, edit, delete"),
            ("/timezone Berlin", "your time zone, so reminders follow your clock"),
            ("/mydata, /forget", "see or delete everything stored about this chat"),
            ("/sources", "where every fact comes from"),
            ("/about", "what this bot is"),
        )

        def listing(commands: Sequence[tuple[str, str]]) -> str:
            return "\n".join(f"{esc(cmd)} — {esc(what)}" for cmd, what in commands)

        ask = "Or just ask: “bananas?”, “statins”, “why do my toes cramp at night?”"
        groups = (
            "In a group, use the commands (e.g. /foods magnesium). In any chat, type the "
            "bot's @name and a word to share a card."
        )
        lead = [f"{bold('What I can do')}\n{listing(main)}", ask]
        detail = [f"{bold('Reminders and more')}\n{listing(more)}", groups]
        return Answer(lead, self._nav(red_flags=False), detail)

    def _publishers(self, count: int) -> list[str]:
        """The publishers behind the most sources, most first (short names)."""
        tally = Counter(short_publisher(s.publisher) for s in self.kb.all_sources())
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        return [name for name, _ in ranked[:count]]

    def _about(self, view: View) -> Answer:
        publishers = self._publishers(ABOUT_PUBLISHERS)
        facts = (
            f"The facts come from public health sources such as {esc(_and(publishers))}. "
            if publishers
            else ""
        )
        text = (
            f"{bold('About Cramp Coach')} (v{esc(__version__)})\n"
            "A free, open-source helper for people who get toe and foot cramps: common "
            "causes, foods for the nutrients involved, stretches, and when to see a doctor.\n"
            f"{facts}Each answer names its sources; /sources lists them all. The wording is "
            "ours.\n"
            f"{italic(DISCLAIMER)}"
        )
        sources = button("📚 Sources", View(Screen.SOURCES))
        return Answer([text], self._nav(sources, red_flags=False))

    def _nutrients(self, view: View) -> Answer:
        target = Screen.NUTRIENT if view.arg == "n" else Screen.FOODS
        title = "Which nutrient?" if target is Screen.NUTRIENT else "Foods rich in which nutrient?"
        buttons = [
            button(n.name, View(target, n.id, compact=view.compact)) for n in self.kb.nutrients
        ]
        return Answer([bold(title)], [*grid(buttons), *self._nav()])

    def _intake_line(self, n: Nutrient) -> str:
        amounts = [row.amount for row in n.intake.rows]
        kinds = "/".join(sorted({row.kind for row in n.intake.rows}))
        low, high = min(amounts), max(amounts)
        span = number(low) if low == high else f"{number(low)}–{number(high)}"
        return f"Adults need {span} {esc(n.intake.unit)} a day ({kinds})."

    def _nutrient(self, view: View) -> Answer:
        n = self.kb.nutrient_by_id(view.arg)
        if n is None:
            return self._gone("nutrient")
        foods = "\n".join(
            f"• {esc(f.name)}, {esc(f.serving)}: {number(f.amount)} {esc(f.unit)}"
            for f in n.foods_ranked()[:NUTRIENT_CARD_FOODS]
        )
        intake = "\n".join(
            f"• {esc(r.group)}: {number(r.amount)} {esc(n.intake.unit)} ({esc(r.kind)})"
            for r in n.intake.rows
        )
        intake_block = f"{bold('Daily intake, adults')}\n{intake}"
        if n.intake.upper_limit is not None:
            note = f" — {esc(n.intake.upper_limit_note)}" if n.intake.upper_limit_note else ""
            intake_block += (
                f"\nUpper limit: {number(n.intake.upper_limit)} {esc(n.intake.unit)} a day{note}"
            )
        if n.intake.note:
            intake_block += f"\n{italic(n.intake.note)}"
        lead = [
            f"{bold(n.name)}\n{esc(n.role)}",
            f"{bold(n.foods_heading or 'Top foods')}\n{foods}",
            self._intake_line(n),
        ]
        detail = [
            f"{bold(f'{n.name} and cramps')}\n{esc(n.cramps)}",
            f"{bold('Signs of running low')}\n{bullets(n.signs)}",
            f"{bold('Who tends to run low')}\n{bullets(n.at_risk)}",
            intake_block,
        ]
        cited = (*n.about_sources, *n.food_sources, *n.intake.sources, *n.deficiency_sources)
        rows = self._nav(
            button("🥦 All foods", View(Screen.FOODS, n.id, compact=view.compact)),
            button("Other nutrients", View(Screen.NUTRIENTS, "n", compact=view.compact)),
        )
        return Answer(lead, rows, detail, cited)

    def _foods(self, view: View) -> Answer:
        n = self.kb.nutrient_by_id(view.arg)
        if n is None:
            return self._gone("nutrient")
        ranked = n.foods_ranked()

        def listing(count: int) -> str:
            return "\n".join(
                f"{i}. {esc(f.name)} — {esc(f.serving)}: <b>{number(f.amount)} {esc(f.unit)}</b> "
                f"({f.percent_dv}% DV)"
                for i, f in enumerate(ranked[:count], 1)
            )

        dv = f"{number(n.intake.daily_value)} {esc(n.intake.unit)}"
        per_serving = italic(f"Per serving; % of the {dv} Daily Value")
        if n.foods_note:
            per_serving = f"{esc(n.foods_note)}\n{per_serving}"
        title = n.foods_heading or f"{n.name}: top foods"
        lead = [
            f"{bold(title)}\n{per_serving}",
            listing(COMPACT_FOODS),
            self._intake_line(n),
        ]
        detail = []
        if len(ranked) > COMPACT_FOODS:
            heading = bold(f"{n.name}: all {len(ranked)} foods")
            detail = [f"{heading}\n{per_serving}", listing(len(ranked))]
        whole = [lead[0], listing(len(ranked)), lead[2]]
        about = button(f"About {n.name}", View(Screen.NUTRIENT, n.id, compact=view.compact))
        others = button("Other nutrients", View(Screen.NUTRIENTS, "f", compact=view.compact))
        more = f"All {len(ranked)} foods ▸"
        cited = (*n.food_sources, *n.intake.sources)
        return Answer(lead, self._nav(about, others), detail, cited, more, whole)

    def _food(self, view: View) -> Answer:
        hits = self.kb.foods_named(view.arg)
        if not hits:
            return self._gone("food")

        def listing(count: int) -> str:
            return "\n".join(
                f"• {esc(h.food.name)}, {esc(h.food.serving)}: {esc(h.nutrient.name.lower())} "
                f"{number(h.food.amount)} {esc(h.food.unit)} ({h.food.percent_dv}% DV)"
                for h in hits[:count]
            )

        title = bold(f"What {view.arg} gives you")
        detail = [f"{title}\n{listing(len(hits))}"] if len(hits) > FOOD_CARD_HITS else []
        nutrients = list(dict.fromkeys(h.nutrient for h in hits))
        buttons = [
            button(f"Foods: {n.name}", View(Screen.FOODS, n.id, compact=view.compact))
            for n in nutrients[:4]
        ]
        cited = tuple(s for n in nutrients for s in n.food_sources)
        lead = [title, listing(FOOD_CARD_HITS)]
        whole = [title, listing(len(hits))]
        return Answer(lead, self._nav(*buttons), detail, cited, whole=whole)

    def _nutrients_named(self) -> list[str]:
        """Every nutrient, those the causes name first (in the causes' order)."""
        linked = [c.nutrient for g in self.kb.cause_groups for c in g.causes if c.nutrient]
        order = {nutrient_id: i for i, nutrient_id in enumerate(dict.fromkeys(linked))}
        nutrients = sorted(
            self.kb.nutrients,
            key=lambda n: order.get(n.id, len(order) + self.kb.nutrients.index(n)),
        )
        return [_in_sentence(n.name) for n in nutrients]

    def _causes(self, view: View) -> Answer:
        groups = self.kb.cause_groups
        intro = (
            f"{bold('Why toes and feet cramp')}\n"
            "Often there is no single cause. Tap a group for details."
        )
        lead = [intro]
        names = self._nutrients_named()
        if names:
            lead.append(f"{bold('Nutrients involved:')} {esc(_and(names))}.")
        lead.append(f"{bold('Common causes:')} {' · '.join(esc(g.title) for g in groups)}")
        detail = ["\n".join(f"• {bold(g.title)}: {esc(g.summary)}" for g in groups)]
        buttons = [
            button(g.title, View(Screen.CAUSE_GROUP, g.id, compact=view.compact)) for g in groups
        ]
        nutrients = button("🥦 Nutrients", View(Screen.NUTRIENTS, "n", compact=view.compact))
        # The sources behind the nutrients come first: the lead names them.
        with_nutrients = sorted(groups, key=lambda g: not any(c.nutrient for c in g.causes))
        cited = tuple(s for g in with_nutrients for s in g.sources)
        return Answer(lead, [*grid(buttons), *self._nav(nutrients)], detail, cited)

    def _cause_group(self, view: View) -> Answer:
        group = self.kb.cause_group_by_id(view.arg)
        if group is None:
            return self._gone("cause group")
        lead = [
            f"{bold(group.title)}\n{esc(group.summary)}",
            packed([c.name for c in group.causes], CAUSE_NAME_LINES),
        ]
        detail = ["\n".join(f"• {bold(c.name)}: {esc(c.detail)}" for c in group.causes)]
        linked = [self.kb.nutrient_by_id(c.nutrient) for c in group.causes if c.nutrient]
        buttons = [
            button(f"🥦 {n.name}", View(Screen.FOODS, n.id, compact=view.compact))
            for n in dict.fromkeys(linked)
            if n
        ]
        label = f"cause_group:{group.id}"
        buttons += [
            button(t.title, View(Screen.TOPIC, t.id, compact=view.compact))
            for t in self.kb.knowledge.topics
            if label in t.see
        ][:3]
        buttons.append(button("All causes", View(Screen.CAUSES, compact=view.compact)))
        cited = (*group.sources, *(s for c in group.causes for s in c.sources))
        return Answer(lead, self._nav(*buttons), detail, cited, whole=[lead[0], *detail])

    def _red_flags(self, view: View) -> Answer:
        # The emergency block leads, whole: heading and every emergency sign's name. The
        # less urgent levels follow behind "More ▸".
        flags = self.kb.red_flags
        levels = sorted(flags.levels, key=lambda advice: -advice.level.rank)
        cited = [
            source
            for advice in levels
            for source in (
                *advice.sources,
                *(src for sign in flags.at(advice.level) for src in sign.sources),
            )
        ]
        line = self._line_for(cited)
        lead: list[str] = []
        detail: list[str] = []
        for advice in levels:
            names = [sign.name for sign in flags.at(advice.level)]
            heading = f"{_LEVEL_ICONS[advice.level]} {bold(advice.heading)}"
            full = f"{heading}\n{esc(advice.intro)}\n{bullets(names)}"
            if advice.level is not Level.EMERGENCY:
                detail.append(full)
                continue
            lead.append(f"{heading}\n{packed(names, EMERGENCY_LINES - 1)}")
            if fits_screen(_join([*lead, esc(advice.intro), line])):
                lead.append(esc(advice.intro))
            else:
                detail.append(full)  # the full form next: what to do, with every sign
        rows = self._nav(button("⚡ Cramp now", View(Screen.RELIEF)), red_flags=False)
        return Answer(lead, rows, detail, cited, fold=True)

    def _stretches(self, view: View) -> Answer:
        stretches = self.kb.stretches
        listing = "\n".join(
            f"• {bold(s.name)}: {esc(s.targets)} ({esc(s.dose)})" for s in stretches
        )
        buttons = [
            button(s.name, View(Screen.STRETCH, s.id, compact=view.compact)) for s in stretches
        ]
        head = f"{bold('Stretches and exercises')}\nTap one for the steps."
        return Answer([head], [*grid(buttons), *self._nav()], [listing])

    def _stretch(self, view: View) -> Answer:
        stretch = self.kb.stretch_by_id(view.arg)
        if stretch is None:
            return self._gone("stretch")
        lead = [
            f"{bold(stretch.name)}: {esc(stretch.targets)}",
            numbered(stretch.steps),
            f"{bold('How much:')} {esc(stretch.dose)}\nStop if it hurts more than a gentle pull.",
        ]
        others = button("Other stretches", View(Screen.STRETCHES, compact=view.compact))
        return Answer(lead, self._nav(others), cited=stretch.sources)

    def _relief(self, view: View) -> Answer:
        relief = self.kb.relief
        now = [p.text for p in relief.now]
        cited = tuple(s for p in (*relief.now, *relief.after, *relief.prevent) for s in p.sources)
        line = self._line_for(cited)
        heading = bold("⚡ During a cramp, right now")
        # The first answer mid-cramp: the first few steps and little else.
        count = min(RELIEF_NOW_STEPS, len(now))
        while count > 1 and not fits_screen(_join([f"{heading}\n{numbered(now[:count])}", line])):
            count -= 1
        detail = []
        if now[count:]:
            detail.append(f"{bold('More to try now')}\n{numbered(now[count:], count + 1)}")
        detail += [
            f"{bold('Once it lets go')}\n{bullets(p.text for p in relief.after)}",
            f"{bold('To make the next one less likely')}\n"
            f"{bullets(p.text for p in relief.prevent)}",
        ]
        rows = self._nav(button("🧘 Stretches", View(Screen.STRETCHES, compact=view.compact)))
        return Answer([f"{heading}\n{numbered(now[:count])}"], rows, detail, cited, fold=True)

    def _triage(self, view: View) -> Answer:
        # The level and the action lead; the sign is named so the person can check it.
        # No exercise steps and no stretch buttons here.
        sign = next((s for s in self.kb.red_flags.signs if s.id == view.arg), None)
        if sign is None:
            return self._gone("warning sign")
        advice = self.kb.red_flags.advice(sign.level)
        lead = [
            f"{_LEVEL_ICONS[sign.level]} {bold(advice.heading)}\n{esc(sign.action)}",
            f"This sounds like: {esc(_sentence(sign.name))}",
        ]
        if sign.detail:
            lead.append(esc(sign.detail))
        rows = [
            [button("🚨 All warning signs", View(Screen.RED_FLAGS, compact=view.compact))],
            [button("☰ Menu", View(Screen.MENU))],
        ]
        return Answer(lead, rows, cited=(*sign.sources, *advice.sources))

    def _topic(self, view: View) -> Answer:
        topic = next((t for t in self.kb.knowledge.topics if t.id == view.arg), None)
        if topic is None:
            return self._gone("topic")
        head = f"{bold(topic.title)}\n{esc(topic.summary)}"
        detail = [f"{bold(topic.title)}\n{bullets(topic.points)}"] if topic.points else []
        buttons = []
        red_flags = True  # the nav's red flags button, unless a see label shows them already
        for label in topic.see:
            target = parse_label(label)
            if not isinstance(target, View):
                continue  # an action: the commands do those
            target = View(target.screen, target.arg, compact=view.compact)
            title = self.title(target)
            if title is not None and packable(target):
                buttons.append(button(title, target))
                red_flags = red_flags and target.screen is not Screen.RED_FLAGS
        rows = self._nav(*buttons, red_flags=red_flags)
        return Answer([head], rows, detail, topic.sources, fold=True)

    def _sources(self, view: View) -> Answer:
        if view.arg:
            return self._cited_sources(view)
        every = self.kb.all_sources()
        publishers = self._publishers(ABOUT_PUBLISHERS)
        such_as = f", such as {esc(_and(publishers))}" if publishers else ""
        head = (
            f"{bold('Sources')}\n"
            f"Every fact here comes from one of {len(every)} public sources{such_as}. "
            "The wording is ours. Each answer names the sources behind it."
        )
        by_publisher: dict[str, list[Source]] = {}
        for source in every:
            by_publisher.setdefault(source.publisher, []).append(source)
        listing = [
            f"{bold(publisher)}\n" + "\n".join(f"• {link(s.title, s.url)}" for s in sources)
            for publisher, sources in by_publisher.items()
        ]
        more = f"All {len(every)} sources ▸"
        return Answer([head], self._nav(red_flags=False), listing, more=more)

    def _cited_sources(self, view: View) -> Answer:
        """The sources behind one screen, each with its link."""
        target = cited_view(view)
        title = self.title(target) if target is not None else None
        if target is None or title is None:
            return self._gone("list of sources")
        answer = self._screens[target.screen](target)
        cited = self.kb.sources_of(tuple(dict.fromkeys(answer.cited)))
        lines = [f"• {link(s.title, s.url)} — {esc(s.publisher)}" for s in cited]
        head = bold(f"Sources: {_without_icon(title)}")
        shown = len(lines)
        while shown > 1 and not fits_screen(f"{head}\n" + "\n".join(lines[:shown])):
            shown -= 1
        none = "Nothing on that screen needs a source."
        lead = [f"{head}\n" + "\n".join(lines[:shown]) if lines else f"{head}\n{none}"]
        detail = ["\n".join(lines[shown:])] if lines[shown:] else []
        rows = [
            [button("◀ Back", target), button("📚 All sources", View(Screen.SOURCES))],
            *self._nav(red_flags=False),
        ]
        return Answer(lead, rows, detail)
