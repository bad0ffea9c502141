"""Every screen as Telegram HTML with its buttons: full for private chats, compact for groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import __version__
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Checklist, Nutrient
from bot.core.views import Screen, View
from bot.telegram.callbacks import Action, pack, reminder_action
from bot.telegram.html import bold, bullets, echo, esc, italic, link, number, numbered, paginate

Row = list[InlineKeyboardButton]
COMPACT_FOODS = 5
NUTRIENT_CARD_FOODS = 5
DISCLAIMER = "Information only, not a diagnosis. If something feels wrong, see a doctor."


@dataclass(frozen=True, slots=True)
class Page:
    """One message: HTML text and its inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None


def button(label: str, view: View) -> InlineKeyboardButton:
    """A button that opens a view."""
    return InlineKeyboardButton(label, callback_data=pack(view))


def grid(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list[Row]:
    """Buttons laid out `per_row` to a row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


class Renderer:
    """Turns views into pages over one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._screens: dict[Screen, Callable[[View], tuple[list[str], list[Row]]]] = {
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
        }

    def render(self, view: View) -> Page:
        """The page for a view; a view whose item no longer exists gets a gentle note."""
        blocks, rows = self._screens[view.screen](view)
        pages = paginate(blocks)
        index = min(view.page, len(pages) - 1)
        if len(pages) > 1:
            nav = []
            if index > 0:
                nav.append(button(f"◀ {index}/{len(pages)}", view.at_page(index - 1)))
            if index < len(pages) - 1:
                nav.append(button(f"{index + 2}/{len(pages)} ▶", view.at_page(index + 1)))
            rows = [nav, *rows]
        return Page(pages[index], InlineKeyboardMarkup(rows) if rows else None)

    def not_found(
        self, kind: str, query: str, options: Sequence[tuple[str, View]], *, close: bool
    ) -> Page:
        """'Did you mean …?' with a button per close match, or else every option to pick from."""
        question = "Did you mean:" if close else "Pick one:"
        text = f"I don't know the {esc(kind)} “{echo(query)}”. {question}"
        return Page(text, InlineKeyboardMarkup(grid([button(lbl, v) for lbl, v in options])))

    def unknown_text(self) -> Page:
        """The short menu offered when free text matches nothing."""
        text = (
            "I'm not sure what you're asking. Try a nutrient (“magnesium”), a food "
            "(“bananas”), or pick a topic:"
        )
        return Page(text, InlineKeyboardMarkup(self._menu_rows()))

    # Screens. Each returns blocks of HTML and keyboard rows.

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

    def _more(self, view: View, label: str = "More ▸") -> InlineKeyboardButton:
        return button(label, view.full())

    def _sources_line(self, ids: Sequence[str]) -> str:
        """One link per publisher: the first source cited from each."""
        first: dict[str, str] = {}
        for source in self.kb.sources_of(tuple(dict.fromkeys(ids))):
            first.setdefault(source.publisher, source.url)
        links = [link(publisher, url) for publisher, url in first.items()]
        return f"<i>Sources: {', '.join(links)}</i>"

    def _menu(self, view: View) -> tuple[list[str], list[Row]]:
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
        return [text, "What would you like to know?"], rows

    def _help(self, view: View) -> tuple[list[str], list[Row]]:
        commands = (
            ("/causes", "why toes cramp; /causes nerves for one group"),
            ("/foods magnesium", "foods richest in a nutrient"),
            ("/nutrient vitamin d", "what a nutrient does, signs, intake, foods"),
            ("/relief", "what to do during a cramp, now"),
            ("/stretches", "stretches and exercises with steps"),
            ("/redflags", "when to see a doctor, and when to get help now"),
            ("/remind", "water or stretch reminders, e.g. /remind water every 2h 08:00-22:00"),
            ("/reminders", "your reminders: pause, edit, delete"),
            ("/timezone Berlin", "your time zone, so reminders follow your clock"),
            ("/mydata, /forget", "see or delete everything stored about this chat"),
            ("/sources", "where every fact comes from"),
            ("/about", "what this bot is"),
        )
        lines = "\n".join(f"{esc(cmd)} — {esc(what)}" for cmd, what in commands)
        tips = (
            "You can also just ask: “bananas?”, “magnesium”, “why do my toes twitch”.\n"
            "In a group, use the commands (e.g. /foods magnesium). In any chat, type the "
            "bot's @name and a word to share a card."
        )
        return [bold("What I can do"), lines, tips], self._nav(red_flags=False)

    def _about(self, view: View) -> tuple[list[str], list[Row]]:
        text = (
            f"{bold('About Cramp Coach')} (v{esc(__version__)})\n"
            "A free, open-source helper for people who get toe and foot cramps. It explains "
            "common causes, which foods supply the nutrients involved, stretches, and when to "
            "see a doctor.\n"
            "Facts come from NIH, USDA, NHS, MedlinePlus and peer-reviewed reviews: "
            "see /sources.\n"
            f"{italic(DISCLAIMER)}"
        )
        return [text], self._nav(button("📚 Sources", View(Screen.SOURCES)), red_flags=False)

    def _nutrients(self, view: View) -> tuple[list[str], list[Row]]:
        target = Screen.NUTRIENT if view.arg == "n" else Screen.FOODS
        title = "Which nutrient?" if target is Screen.NUTRIENT else "Foods rich in which nutrient?"
        buttons = [
            button(n.name, View(target, n.id, compact=view.compact)) for n in self.kb.nutrients
        ]
        return [bold(title)], [*grid(buttons), *self._nav()]

    def _intake_line(self, n: Nutrient) -> str:
        amounts = [row.amount for row in n.intake.rows]
        kinds = "/".join(sorted({row.kind for row in n.intake.rows}))
        low, high = min(amounts), max(amounts)
        span = number(low) if low == high else f"{number(low)}–{number(high)}"
        return f"Adults need {span} {esc(n.intake.unit)} a day ({kinds})."

    def _nutrient(self, view: View) -> tuple[list[str], list[Row]]:
        n = self.kb.nutrient_by_id(view.arg)
        if n is None:
            return self._gone("nutrient")
        top = n.foods_ranked()[: 3 if view.compact else NUTRIENT_CARD_FOODS]
        foods = "\n".join(
            f"• {esc(f.name)}, {esc(f.serving)}: {number(f.amount)} {esc(f.unit)}" for f in top
        )
        head = f"{bold(n.name)}\n{esc(n.role)}"
        if view.compact:
            blocks = [head, f"{bold('Top foods')}\n{foods}", self._intake_line(n)]
            return blocks, self._nav(
                self._more(view), button("🥦 All foods", View(Screen.FOODS, n.id))
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
        blocks = [
            head,
            f"{bold('And cramps?')}\n{esc(n.cramps)}",
            f"{bold('Signs of running low')}\n{bullets(n.signs)}",
            f"{bold('Who tends to run low')}\n{bullets(n.at_risk)}",
            intake_block,
            f"{bold('Top foods')}\n{foods}",
            self._sources_line((*n.about_sources, *n.deficiency_sources, *n.intake.sources)),
        ]
        others = button("Other nutrients", View(Screen.NUTRIENTS, "n"))
        return blocks, self._nav(button("🥦 All foods", View(Screen.FOODS, n.id)), others)

    def _foods(self, view: View) -> tuple[list[str], list[Row]]:
        n = self.kb.nutrient_by_id(view.arg)
        if n is None:
            return self._gone("nutrient")
        ranked = n.foods_ranked()
        shown = ranked[:COMPACT_FOODS] if view.compact else ranked
        lines = "\n".join(
            f"{i}. {esc(f.name)} — {esc(f.serving)}: <b>{number(f.amount)} {esc(f.unit)}</b> "
            f"({f.percent_dv}% DV)"
            for i, f in enumerate(shown, 1)
        )
        dv = f"{number(n.intake.daily_value)} {esc(n.intake.unit)}"
        head = (
            f"{bold(f'{n.name}: top foods')}\n{italic(f'Per serving; % of the {dv} Daily Value')}"
        )
        blocks = [head, lines, self._intake_line(n)]
        if view.compact:
            more = self._more(view, f"All {len(ranked)} foods ▸")
            return blocks, self._nav(more, button(f"About {n.name}", View(Screen.NUTRIENT, n.id)))
        blocks.append(self._sources_line((*n.food_sources, *n.intake.sources)))
        about = button(f"About {n.name}", View(Screen.NUTRIENT, n.id))
        return blocks, self._nav(about, button("Other nutrients", View(Screen.NUTRIENTS, "f")))

    def _food(self, view: View) -> tuple[list[str], list[Row]]:
        hits = self.kb.foods_named(view.arg)
        if not hits:
            return self._gone("food")
        lines = "\n".join(
            f"• {esc(h.food.name)}, {esc(h.food.serving)}: {esc(h.nutrient.name.lower())} "
            f"{number(h.food.amount)} {esc(h.food.unit)} ({h.food.percent_dv}% DV)"
            for h in hits[: 6 if view.compact else 12]
        )
        title = bold(f"What {view.arg} gives you")
        nutrients = list(dict.fromkeys(h.nutrient for h in hits))
        buttons = [button(f"Foods: {n.name}", View(Screen.FOODS, n.id)) for n in nutrients[:4]]
        sources = self._sources_line(tuple(s for n in nutrients for s in n.food_sources))
        return [title, lines, sources], self._nav(*buttons)

    def _causes(self, view: View) -> tuple[list[str], list[Row]]:
        groups = self.kb.cause_groups
        intro = (
            f"{bold('Why toes and feet cramp')}\n"
            "Often there is no single cause. These are the common ones; tap a group for details."
        )
        if view.compact:
            listing = bullets(g.title for g in groups)
        else:
            listing = "\n".join(f"• {bold(g.title)}: {esc(g.summary)}" for g in groups)
        buttons = [
            button(g.title, View(Screen.CAUSE_GROUP, g.id, compact=view.compact)) for g in groups
        ]
        return [intro, listing], [*grid(buttons), *self._nav()]

    def _cause_group(self, view: View) -> tuple[list[str], list[Row]]:
        group = self.kb.cause_group_by_id(view.arg)
        if group is None:
            return self._gone("cause group")
        head = f"{bold(group.title)}\n{esc(group.summary)}"
        if view.compact:
            items = bullets(c.name for c in group.causes)
        else:
            items = "\n".join(f"• {bold(c.name)}: {esc(c.detail)}" for c in group.causes)
        linked = [self.kb.nutrient_by_id(c.nutrient) for c in group.causes if c.nutrient]
        buttons = [button(f"🥦 {n.name}", View(Screen.FOODS, n.id)) for n in linked if n]
        if view.compact:
            buttons.insert(0, self._more(view))
        blocks = [head, items]
        if not view.compact:
            blocks.append(self._sources_line(group.sources))
        return blocks, self._nav(*buttons, button("All causes", View(Screen.CAUSES)))

    def _checklist(self, title: str, checklist: Checklist, numbered_steps: bool = False) -> str:
        intro = f"\n{esc(checklist.intro)}" if checklist.intro else ""
        listing = numbered(checklist.steps) if numbered_steps else bullets(checklist.steps)
        return f"{bold(title)}{intro}\n{listing}"

    def _red_flags(self, view: View) -> tuple[list[str], list[Row]]:
        # Never shortened: safety information is shown whole, in groups too.
        flags = self.kb.red_flags
        blocks = [
            self._checklist("🚨 Get help now", flags.emergency),
            self._checklist("🩺 See a doctor soon if", flags.see_doctor),
            self._sources_line((*flags.emergency.sources, *flags.see_doctor.sources)),
        ]
        return blocks, self._nav(button("⚡ Cramp now", View(Screen.RELIEF)), red_flags=False)

    def _stretches(self, view: View) -> tuple[list[str], list[Row]]:
        stretches = self.kb.stretches
        if view.compact:
            listing = bullets(s.name for s in stretches)
        else:
            listing = "\n".join(
                f"• {bold(s.name)}: {esc(s.targets)} ({esc(s.dose)})" for s in stretches
            )
        buttons = [
            button(s.name, View(Screen.STRETCH, s.id, compact=view.compact)) for s in stretches
        ]
        head = f"{bold('Stretches and exercises')}\nTap one for the steps."
        return [head, listing], [*grid(buttons), *self._nav()]

    def _stretch(self, view: View) -> tuple[list[str], list[Row]]:
        stretch = self.kb.stretch_by_id(view.arg)
        if stretch is None:
            return self._gone("stretch")
        blocks = [
            f"{bold(stretch.name)}\n{esc(stretch.targets)}",
            numbered(stretch.steps),
            f"{bold('How much:')} {esc(stretch.dose)}",
            "Stop if it hurts more than a gentle pull.",
        ]
        if not view.compact:
            blocks.append(self._sources_line(stretch.sources))
        return blocks, self._nav(button("Other stretches", View(Screen.STRETCHES)))

    def _relief(self, view: View) -> tuple[list[str], list[Row]]:
        relief = self.kb.relief
        blocks = [self._checklist("⚡ During a cramp, right now", relief.now, numbered_steps=True)]
        if view.compact:
            return blocks, self._nav(
                self._more(view), button("🧘 Stretches", View(Screen.STRETCHES))
            )
        blocks += [
            self._checklist("Once it lets go", relief.after),
            self._checklist("To make the next one less likely", relief.prevent),
            self._sources_line(
                (*relief.now.sources, *relief.after.sources, *relief.prevent.sources)
            ),
        ]
        return blocks, self._nav(button("🧘 Stretches", View(Screen.STRETCHES)))

    def _sources(self, view: View) -> tuple[list[str], list[Row]]:
        lines = []
        for s in self.kb.all_sources():
            via = f" (read via {link('copy', s.via)})" if s.via else ""
            lines.append(f"• {link(s.title, s.url)} — {esc(s.publisher)}{via}")
        head = f"{bold('Sources')}\nEvery fact here comes from one of these. The wording is ours."
        return [head, "\n".join(lines)], self._nav(red_flags=False)

    def _gone(self, kind: str) -> tuple[list[str], list[Row]]:
        return [f"That {esc(kind)} is no longer here. Pick again from the menu."], self._nav()
