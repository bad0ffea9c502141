"""Every screen reachable by buttons is valid Telegram HTML within the limits."""

from __future__ import annotations

from collections import deque

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.paging import paginate
from bot.core.targets import REMINDER_PREFIX
from bot.core.targets import parse_view as unpack
from bot.core.views import Screen, View
from bot.telegram.callbacks import CALLBACK_DATA_MAX_BYTES
from bot.telegram.html import visible_length
from bot.telegram.render import Page, Renderer
from tests.core.test_documents import both_forms
from tests.telegram_api import parse_html, utf16_length

TEXT_LIMIT = 4096
ENTITY_LIMIT = 100
# Screens about symptoms or what to do: each must offer the red flags one tap away.
SYMPTOM_SCREENS = {
    Screen.NUTRIENT,
    Screen.FOODS,
    Screen.FOOD,
    Screen.CAUSES,
    Screen.CAUSE_GROUP,
    Screen.RELIEF,
    Screen.STRETCHES,
    Screen.STRETCH,
    Screen.TRIAGE,
    Screen.TOPIC,
}
# Reached from free text, not from the menu's buttons.
TEXT_ONLY = {Screen.FOOD, Screen.TRIAGE, Screen.TOPIC}


def crawl(renderer: Renderer, start: list[View]) -> dict[View, Page]:
    seen: dict[View, Page] = {}
    queue = deque(start)
    while queue:
        view = queue.popleft()
        if view in seen:
            continue
        page = renderer.render(view)
        seen[view] = page
        for row in page.keyboard.inline_keyboard if page.keyboard else ():
            for button in row:
                data = button.callback_data
                assert isinstance(data, str), button
                assert len(data.encode()) <= CALLBACK_DATA_MAX_BYTES
                if data.startswith(f"{REMINDER_PREFIX}:"):
                    continue  # the reminder handlers' own buttons, tested end to end
                target = unpack(data)
                assert target is not None, f"{view} has a button that does not unpack: {data}"
                queue.append(target)
    return seen


@pytest.fixture(scope="module")
def menu_pages(kb: KnowledgeBase) -> dict[View, Page]:
    renderer = Renderer(kb)
    return crawl(renderer, [View(Screen.MENU), View(Screen.MENU, compact=True)])


@pytest.fixture(scope="module")
def pages(kb: KnowledgeBase) -> dict[View, Page]:
    """Every page of every screen and item, and every page their buttons lead to."""
    return crawl(Renderer(kb), list(both_forms(kb)))


def test_every_screen_and_item_is_reachable(
    menu_pages: dict[View, Page], kb: KnowledgeBase
) -> None:
    reached = {(v.screen, v.arg) for v in menu_pages}
    for n in kb.nutrients:
        assert (Screen.FOODS, n.id) in reached
        assert (Screen.NUTRIENT, n.id) in reached
    for g in kb.cause_groups:
        assert (Screen.CAUSE_GROUP, g.id) in reached
    for s in kb.stretches:
        assert (Screen.STRETCH, s.id) in reached
    screens = {v.screen for v in menu_pages}
    assert screens >= set(Screen) - TEXT_ONLY


def test_every_page_is_valid_html_within_limits(pages: dict[View, Page]) -> None:
    for view, page in pages.items():
        plain, entities = parse_html(page.text)
        assert plain.strip(), view
        assert utf16_length(plain) <= TEXT_LIMIT, view
        assert len(entities) <= ENTITY_LIMIT, view


def test_symptom_answers_offer_the_red_flags(pages: dict[View, Page]) -> None:
    for view, page in pages.items():
        if view.screen in SYMPTOM_SCREENS:
            assert page.keyboard is not None
            targets = [
                unpack(b.callback_data) for row in page.keyboard.inline_keyboard for b in row
            ]
            assert any(t and t.screen is Screen.RED_FLAGS for t in targets), view


def test_food_cards_render(kb: KnowledgeBase) -> None:
    renderer = Renderer(kb)
    for word in ("banana", "salmon", "almond", "spinach"):
        page = renderer.render(View(Screen.FOOD, word))
        plain, _ = parse_html(page.text)
        assert word in plain.lower()


def test_paginate_keeps_blocks_whole_and_pages_short() -> None:
    blocks = ["<b>head</b>", "\n".join(f"• line {n} " + "x" * 80 for n in range(200)), "tail"]
    pages = paginate(blocks, lambda page: visible_length(page) <= 1000)
    assert len(pages) > 5
    assert all(len(parse_html(p)[0]) <= 1000 for p in pages)
    joined = "\n".join(pages)
    assert all(f"line {n} " in joined for n in range(200))
    assert pages[0].startswith("<b>head</b>\n\n• line 0")
    assert pages[-1].endswith("tail")
