"""Why cramps happen: every cause group at a glance, and one group's causes."""

from __future__ import annotations

from bot.core.documents import Button, block, bold, bullets, grid, line, packed
from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import Answer, and_list, gone, in_sentence, nav
from bot.core.views import Screen, View

CAUSE_NAME_LINES = 6


def _nutrients_named(kb: KnowledgeBase) -> list[str]:
    """Every nutrient, those the causes name first (in the causes' order)."""
    linked = [c.nutrient for g in kb.cause_groups for c in g.causes if c.nutrient]
    order = {nutrient_id: i for i, nutrient_id in enumerate(dict.fromkeys(linked))}
    nutrients = sorted(
        kb.nutrients, key=lambda n: order.get(n.id, len(order) + kb.nutrients.index(n))
    )
    return [in_sentence(n.name) for n in nutrients]


def causes(kb: KnowledgeBase, view: View) -> Answer:
    groups = kb.cause_groups
    lead = [
        block(
            bold("Why toes and feet cramp"),
            "Often there is no single cause. Tap a group for details.",
        )
    ]
    names = _nutrients_named(kb)
    if names:
        lead.append(block(line(bold("Nutrients involved:"), f" {and_list(names)}.")))
    lead.append(block(line(bold("Common causes:"), " " + " · ".join(g.title for g in groups))))
    detail = [block(bullets([line(bold(g.title), f": {g.summary}") for g in groups]))]
    buttons = [
        Button(g.title, View(Screen.CAUSE_GROUP, g.id, compact=view.compact)) for g in groups
    ]
    nutrients = Button("🥦 Nutrients", View(Screen.NUTRIENTS, "n", compact=view.compact))
    # The sources behind the nutrients come first: the lead names them.
    with_nutrients = sorted(groups, key=lambda g: not any(c.nutrient for c in g.causes))
    cited = tuple(s for g in with_nutrients for s in g.sources)
    return Answer(lead, [*grid(buttons), *nav(nutrients)], detail, cited)


def cause_group(kb: KnowledgeBase, view: View) -> Answer:
    group = kb.cause_group_by_id(view.arg)
    if group is None:
        return gone("cause group")
    lead = [
        block(bold(group.title), group.summary),
        block(packed([c.name for c in group.causes], CAUSE_NAME_LINES)),
    ]
    detail = [block(bullets([line(bold(c.name), f": {c.detail}") for c in group.causes]))]
    linked = [kb.nutrient_by_id(c.nutrient) for c in group.causes if c.nutrient]
    buttons = [
        Button(f"🥦 {n.name}", View(Screen.FOODS, n.id, compact=view.compact))
        for n in dict.fromkeys(linked)
        if n
    ]
    label = f"cause_group:{group.id}"
    buttons += [
        Button(t.title, View(Screen.TOPIC, t.id, compact=view.compact))
        for t in kb.knowledge.topics
        if label in t.see
    ][:3]
    buttons.append(Button("All causes", View(Screen.CAUSES, compact=view.compact)))
    cited = (*group.sources, *(s for c in group.causes for s in c.sources))
    return Answer(lead, nav(*buttons), detail, cited, whole=[lead[0], *detail])
