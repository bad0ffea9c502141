"""The nutrient screens: pick a nutrient, a nutrient's card, its foods, and one food's card."""

from __future__ import annotations

from bot.core.documents import (
    Block,
    Button,
    Line,
    Part,
    block,
    bold,
    bullets,
    grid,
    italic,
    line,
    number,
    numbered,
)
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Nutrient
from bot.core.screens.common import Answer, gone, nav
from bot.core.views import Screen, View

COMPACT_FOODS = 5
NUTRIENT_CARD_FOODS = 3
FOOD_CARD_HITS = 5


def nutrients(kb: KnowledgeBase, view: View) -> Answer:
    target = Screen.NUTRIENT if view.arg == "n" else Screen.FOODS
    title = "Which nutrient?" if target is Screen.NUTRIENT else "Foods rich in which nutrient?"
    buttons = [Button(n.name, View(target, n.id, compact=view.compact)) for n in kb.nutrients]
    return Answer([block(bold(title))], [*grid(buttons), *nav()])


def _intake_line(n: Nutrient) -> Block:
    amounts = [row.amount for row in n.intake.rows]
    kinds = "/".join(sorted({row.kind for row in n.intake.rows}))
    low, high = min(amounts), max(amounts)
    span = number(low) if low == high else f"{number(low)}–{number(high)}"
    return block(f"Adults need {span} {n.intake.unit} a day ({kinds}).")


def _intake(n: Nutrient) -> Block:
    unit = n.intake.unit
    parts: list[Part] = [
        line(bold("Daily intake, adults")),
        bullets([f"{r.group}: {number(r.amount)} {unit} ({r.kind})" for r in n.intake.rows]),
    ]
    if n.intake.upper_limit is not None:
        note = f" — {n.intake.upper_limit_note}" if n.intake.upper_limit_note else ""
        parts.append(line(f"Upper limit: {number(n.intake.upper_limit)} {unit} a day{note}"))
    if n.intake.note:
        parts.append(line(italic(n.intake.note)))
    return Block(tuple(parts))


def nutrient(kb: KnowledgeBase, view: View) -> Answer:
    n = kb.nutrient_by_id(view.arg)
    if n is None:
        return gone("nutrient")
    foods = [
        f"{f.name}, {f.serving}: {number(f.amount)} {f.unit}"
        for f in n.foods_ranked()[:NUTRIENT_CARD_FOODS]
    ]
    lead = [
        block(bold(n.name), n.role),
        block(bold(n.foods_heading or "Top foods"), bullets(foods)),
        _intake_line(n),
    ]
    detail = [
        block(bold(f"{n.name} and cramps"), n.cramps),
        block(bold("Signs of running low"), bullets(n.signs)),
        block(bold("Who tends to run low"), bullets(n.at_risk)),
        _intake(n),
    ]
    cited = (*n.about_sources, *n.food_sources, *n.intake.sources, *n.deficiency_sources)
    rows = nav(
        Button("🥦 All foods", View(Screen.FOODS, n.id, compact=view.compact)),
        Button("Other nutrients", View(Screen.NUTRIENTS, "n", compact=view.compact)),
    )
    return Answer(lead, rows, detail, cited)


def foods(kb: KnowledgeBase, view: View) -> Answer:
    n = kb.nutrient_by_id(view.arg)
    if n is None:
        return gone("nutrient")
    ranked = n.foods_ranked()

    def listing(count: int) -> Block:
        return block(
            numbered(
                [
                    line(
                        f"{f.name} — {f.serving}: ",
                        bold(f"{number(f.amount)} {f.unit}"),
                        f" ({f.percent_dv}% DV)",
                    )
                    for f in ranked[:count]
                ]
            )
        )

    dv = f"{number(n.intake.daily_value)} {n.intake.unit}"
    per_serving = [line(italic(f"Per serving; % of the {dv} Daily Value"))]
    if n.foods_note:
        per_serving.insert(0, line(n.foods_note))
    title = n.foods_heading or f"{n.name}: top foods"
    lead = [block(bold(title), *per_serving), listing(COMPACT_FOODS), _intake_line(n)]
    detail = []
    if len(ranked) > COMPACT_FOODS:
        heading = bold(f"{n.name}: all {len(ranked)} foods")
        detail = [block(heading, *per_serving), listing(len(ranked))]
    whole = [lead[0], listing(len(ranked)), lead[2]]
    about = Button(f"About {n.name}", View(Screen.NUTRIENT, n.id, compact=view.compact))
    others = Button("Other nutrients", View(Screen.NUTRIENTS, "f", compact=view.compact))
    more = f"All {len(ranked)} foods ▸"
    cited = (*n.food_sources, *n.intake.sources)
    return Answer(lead, nav(about, others), detail, cited, more, whole)


def food(kb: KnowledgeBase, view: View) -> Answer:
    hits = kb.foods_named(view.arg)
    if not hits:
        return gone("food")
    lines: list[Line] = [
        line(
            f"{h.food.name}, {h.food.serving}: {h.nutrient.name.lower()} "
            f"{number(h.food.amount)} {h.food.unit} ({h.food.percent_dv}% DV)"
        )
        for h in hits
    ]
    title = bold(f"What {view.arg} gives you")
    every = bullets(lines)
    detail = [block(title, every)] if len(hits) > FOOD_CARD_HITS else []
    named = list(dict.fromkeys(h.nutrient for h in hits))
    buttons = [
        Button(f"Foods: {n.name}", View(Screen.FOODS, n.id, compact=view.compact))
        for n in named[:4]
    ]
    cited = tuple(s for n in named for s in n.food_sources)
    lead = [block(title), block(bullets(lines[:FOOD_CARD_HITS]))]
    whole = [block(title), block(every)]
    return Answer(lead, nav(*buttons), detail, cited, whole=whole)
