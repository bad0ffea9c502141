"""When to see a doctor: every warning sign by urgency, and what to do about one sign."""

from __future__ import annotations

from bot.core.documents import Block, Button, Line, block, bold, bullets, fits_screen, line, packed
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level, LevelAdvice
from bot.core.screens.common import LEVEL_ICONS, Answer, gone, line_for, nav, sentence
from bot.core.views import Screen, View

EMERGENCY_LINES = 8  # the emergency block: heading and every emergency sign's name


def _heading(advice: LevelAdvice) -> Line:
    return line(f"{LEVEL_ICONS[advice.level]} ", bold(advice.heading))


def red_flags(kb: KnowledgeBase, view: View) -> Answer:
    # The emergency block leads, whole: heading and every emergency sign's name. The
    # less urgent levels follow behind "More ▸".
    flags = kb.red_flags
    levels = sorted(flags.levels, key=lambda advice: -advice.level.rank)
    cited = [
        source
        for advice in levels
        for source in (
            *advice.sources,
            *(src for sign in flags.at(advice.level) for src in sign.sources),
        )
    ]
    tail = line_for(kb, cited)
    lead: list[Block] = []
    detail: list[Block] = []
    for advice in levels:
        names = [sign.name for sign in flags.at(advice.level)]
        full = block(_heading(advice), advice.intro, bullets(names))
        if advice.level is not Level.EMERGENCY:
            detail.append(full)
            continue
        lead.append(block(_heading(advice), packed(names, EMERGENCY_LINES - 1)))
        if fits_screen([*lead, block(advice.intro), *tail]):
            lead.append(block(advice.intro))
        else:
            detail.append(full)  # the full form next: what to do, with every sign
    rows = nav(Button("⚡ Cramp now", View(Screen.RELIEF)), red_flags=False)
    return Answer(lead, rows, detail, cited, fold=True)


def triage(kb: KnowledgeBase, view: View) -> Answer:
    # The level and the action lead; the sign is named so the person can check it.
    # No exercise steps and no stretch buttons here.
    sign = next((s for s in kb.red_flags.signs if s.id == view.arg), None)
    if sign is None:
        return gone("warning sign")
    advice = kb.red_flags.advice(sign.level)
    lead = [
        block(_heading(advice), sign.action),
        block(f"This sounds like: {sentence(sign.name)}"),
    ]
    if sign.detail:
        lead.append(block(sign.detail))
    rows = [
        (Button("🚨 All warning signs", View(Screen.RED_FLAGS, compact=view.compact)),),
        (Button("☰ Menu", View(Screen.MENU)),),
    ]
    return Answer(lead, rows, cited=(*sign.sources, *advice.sources))
