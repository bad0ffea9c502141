"""Short answers first: every first answer fits one phone screen, in private chats and in
groups, and the detail is one tap away. Over every screen and item the knowledge has."""

from __future__ import annotations

import pytest

from bot.core.documents import SCREEN_CHARS, SCREEN_LINES, screen_size
from bot.core.knowledge import KnowledgeBase
from bot.core.targets import REMINDER_PREFIX
from bot.core.targets import parse_view as unpack
from bot.core.views import Screen, View
from bot.telegram.callbacks import CALLBACK_DATA_MAX_BYTES
from bot.telegram.html import visible_text
from bot.telegram.render import Page, Renderer
from tests.core.test_documents import both_forms
from tests.telegram_api import parse_html


def targets(page: Page) -> list[tuple[str, View]]:
    """Each view button's label and view."""
    found = []
    for row in page.keyboard.inline_keyboard if page.keyboard else ():
        for button in row:
            data = button.callback_data
            assert isinstance(data, str)
            assert len(data.encode()) <= CALLBACK_DATA_MAX_BYTES, data
            if data.startswith(f"{REMINDER_PREFIX}:"):
                continue
            view = unpack(data)
            assert view is not None, data
            found.append((button.text, view))
    return found


def next_page(page: Page, view: View) -> View | None:
    """The view the page's "More ▸" (next page) button opens, if it has one."""
    return next(
        (
            target
            for _, target in targets(page)
            if (target.screen, target.arg) == (view.screen, view.arg)
            and target.page == view.page + 1
        ),
        None,
    )


def all_pages(renderer: Renderer, view: View) -> list[str]:
    """The plain text of the first page and of every page after it, tap by tap."""
    texts = []
    current: View | None = view
    while current is not None and len(texts) < 50:
        page = renderer.render(current)
        texts.append(parse_html(page.text)[0])
        current = next_page(page, current)
    return texts


@pytest.fixture(scope="module")
def renderer(kb: KnowledgeBase) -> Renderer:
    return Renderer(kb)


def test_every_first_answer_fits_one_phone_screen(renderer: Renderer, kb: KnowledgeBase) -> None:
    too_long = []
    for view in both_forms(kb):
        chars, lines = screen_size(visible_text(renderer.render(view).text))
        if chars > SCREEN_CHARS or lines > SCREEN_LINES:
            too_long.append(f"{view}: {chars} characters, {lines} lines")
    assert not too_long, "\n".join(too_long)


def test_the_detail_is_one_tap_away(renderer: Renderer, kb: KnowledgeBase) -> None:
    for view in both_forms(kb):
        page = renderer.render(view)
        more = next_page(page, view)
        if more is None:
            continue
        assert not more.compact, view  # once asked for, the full form
        labels = [label for label, target in targets(page) if target == more]
        assert any("▸" in label for label in labels), (view, labels)
        detail = renderer.render(more)
        assert parse_html(detail.text)[0].strip(), more
        assert detail.text != page.text, more


def test_the_pages_hold_the_full_form(renderer: Renderer, kb: KnowledgeBase) -> None:
    """Nothing is lost to the short first answer: it is all on the pages that follow."""

    def shown(view: View) -> str:
        return "\n".join(all_pages(renderer, view))

    for n in kb.nutrients:
        text = shown(View(Screen.NUTRIENT, n.id, compact=True))
        assert all(item in text for item in (n.role, n.cramps, *n.signs, *n.at_risk)), n.id
        foods = shown(View(Screen.FOODS, n.id, compact=True))
        assert all(food.name in foods for food in n.foods), n.id
    for g in kb.cause_groups:
        text = shown(View(Screen.CAUSE_GROUP, g.id, compact=True))
        assert all(c.name in text and c.detail in text for c in g.causes), g.id
    for s in kb.stretches:
        text = shown(View(Screen.STRETCH, s.id, compact=True))
        assert all(step in text for step in s.steps), s.id
        assert s.dose in text, s.id
    for t in kb.knowledge.topics:
        text = shown(View(Screen.TOPIC, t.id, compact=True))
        assert t.summary in text, t.id
        assert all(point in text for point in t.points), t.id
    relief = kb.relief
    text = shown(View(Screen.RELIEF, compact=True))
    assert all(p.text in text for p in (*relief.now, *relief.after, *relief.prevent))
    text = shown(View(Screen.RED_FLAGS, compact=True))
    assert all(sign.name in text for sign in kb.red_flags.signs)
    assert all(advice.heading in text for advice in kb.red_flags.levels)
    text = shown(View(Screen.SOURCES))
    assert all(source.title in text for source in kb.all_sources())
