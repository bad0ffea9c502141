"""Stretches and exercises, one stretch's steps, and what to do during a cramp."""

from __future__ import annotations

from bot.core.documents import Button, block, bold, bullets, fits_screen, grid, line, numbered
from bot.core.knowledge import KnowledgeBase
from bot.core.screens.common import Answer, gone, line_for, nav
from bot.core.views import Screen, View

RELIEF_NOW_STEPS = 4  # the first answer mid-cramp: at most this many steps


def stretches(kb: KnowledgeBase, view: View) -> Answer:
    listing = bullets([line(bold(s.name), f": {s.targets} ({s.dose})") for s in kb.stretches])
    buttons = [
        Button(s.name, View(Screen.STRETCH, s.id, compact=view.compact)) for s in kb.stretches
    ]
    head = block(bold("Stretches and exercises"), "Tap one for the steps.")
    return Answer([head], [*grid(buttons), *nav()], [block(listing)])


def stretch(kb: KnowledgeBase, view: View) -> Answer:
    found = kb.stretch_by_id(view.arg)
    if found is None:
        return gone("stretch")
    lead = [
        block(line(bold(found.name), f": {found.targets}")),
        block(numbered(found.steps)),
        block(
            line(bold("How much:"), f" {found.dose}"), "Stop if it hurts more than a gentle pull."
        ),
    ]
    others = Button("Other stretches", View(Screen.STRETCHES, compact=view.compact))
    return Answer(lead, nav(others), cited=found.sources)


def relief(kb: KnowledgeBase, view: View) -> Answer:
    relief = kb.relief
    now = [p.text for p in relief.now]
    cited = tuple(s for p in (*relief.now, *relief.after, *relief.prevent) for s in p.sources)
    tail = line_for(kb, cited)
    heading = bold("⚡ During a cramp, right now")
    # The first answer mid-cramp: the first few steps and little else.
    count = min(RELIEF_NOW_STEPS, len(now))
    while count > 1 and not fits_screen([block(heading, numbered(now[:count])), *tail]):
        count -= 1
    detail = []
    if now[count:]:
        detail.append(block(bold("More to try now"), numbered(now[count:], count + 1)))
    detail += [
        block(bold("Once it lets go"), bullets([p.text for p in relief.after])),
        block(bold("To make the next one less likely"), bullets([p.text for p in relief.prevent])),
    ]
    rows = nav(Button("🧘 Stretches", View(Screen.STRETCHES, compact=view.compact)))
    return Answer([block(heading, numbered(now[:count]))], rows, detail, cited, fold=True)
