"""What each short first answer leads with: relief steps, the emergency block, the nutrients
behind cramps, readable sources, triage and topic screens, "can't answer", and /about."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Knowledge, Level, Topic, WarningSign
from bot.core.screens.common import short_publisher, sources_view
from bot.core.targets import encode as pack
from bot.core.targets import parse_view as unpack
from bot.core.views import Screen, View, parse_label
from bot.telegram.callbacks import CALLBACK_DATA_MAX_BYTES
from bot.telegram.html import visible_text
from bot.telegram.render import Page, Renderer, single
from tests.core.test_documents import both_forms
from tests.telegram.test_short_answers import all_pages, next_page, targets
from tests.telegram_api import parse_html

EMERGENCY_LINES = 8
EXERCISE_SCREENS = {Screen.STRETCH, Screen.STRETCHES, Screen.RELIEF}


@pytest.fixture(scope="module")
def renderer(kb: KnowledgeBase) -> Renderer:
    return Renderer(kb)


def plain(page: Page) -> str:
    return parse_html(page.text)[0]


@pytest.mark.parametrize("compact", [False, True])
def test_relief_leads_with_the_first_numbered_steps_now(
    renderer: Renderer, kb: KnowledgeBase, compact: bool
) -> None:
    view = View(Screen.RELIEF, compact=compact)
    page = renderer.render(view)
    text = plain(page)
    now = [p.text for p in kb.relief.now]
    shown = [n for n, step in enumerate(now, 1) if f"{n}. {step}" in text]
    assert shown == list(range(1, len(shown) + 1))
    assert min(3, len(now)) <= len(shown) <= 4
    assert not any(p.text in text for p in (*kb.relief.after, *kb.relief.prevent))
    more = next_page(page, view)
    assert more is not None
    detail = plain(renderer.render(more))
    assert all(p.text in detail for p in kb.relief.after)


@pytest.mark.parametrize("compact", [False, True])
def test_red_flags_lead_with_the_whole_emergency_block(
    renderer: Renderer, kb: KnowledgeBase, compact: bool
) -> None:
    flags = kb.red_flags
    view = View(Screen.RED_FLAGS, compact=compact)
    page = renderer.render(view)
    block = visible_text(page.text).split("\n\n")[0]
    assert block.startswith("🚨")
    assert flags.advice(Level.EMERGENCY).heading in block
    assert len(block.split("\n")) <= EMERGENCY_LINES
    assert all(sign.name in block for sign in flags.at(Level.EMERGENCY))
    text = plain(page)
    later = [*flags.at(Level.URGENT), *flags.at(Level.DOCTOR)]
    assert not any(sign.name in text for sign in later)
    more = next_page(page, view)
    assert more is not None
    detail = plain(renderer.render(more))
    assert all(sign.name in detail for sign in later)
    assert flags.advice(Level.URGENT).heading in detail
    assert detail.index(flags.advice(Level.URGENT).heading) < detail.index(
        flags.advice(Level.DOCTOR).heading
    )


def _nutrient_word(name: str) -> str:
    return name.lower()


@pytest.mark.parametrize("compact", [False, True])
def test_causes_name_the_nutrients_first(
    renderer: Renderer, kb: KnowledgeBase, compact: bool
) -> None:
    text = plain(renderer.render(View(Screen.CAUSES, compact=compact)))
    first_lines = "\n".join(text.split("\n")[:4]).lower()
    for nutrient in kb.nutrients:
        assert _nutrient_word(nutrient.name) in first_lines, nutrient.name


def test_sources_lines_name_two_publishers_on_their_own_line(
    renderer: Renderer, kb: KnowledgeBase
) -> None:
    for view in both_forms(kb):
        if view.screen is Screen.SOURCES:
            continue  # lists of sources, with a heading of their own
        page = renderer.render(view)
        text = plain(page)
        lines = [line for line in text.split("\n") if re.match(r"Sources?: ", line)]
        for line in lines:
            assert line.count(" · ") <= 2, (view, line)
            assert "," not in line.split(": ", 1)[1], (view, line)  # no names run together
        assert len(lines) <= 1, view


def test_a_sources_button_lists_that_screens_sources_with_links(
    renderer: Renderer, kb: KnowledgeBase
) -> None:
    n = kb.nutrients[0]
    view = View(Screen.NUTRIENT, n.id)
    listing = sources_view(view)
    cited = kb.sources_of((*n.about_sources, *n.deficiency_sources, *n.intake.sources))
    if len(cited) <= 2:
        pytest.skip("this nutrient's screen names all its sources itself")
    assert listing in [target for _, target in targets(renderer.render(view))]
    pages = "\n".join(
        renderer.render(View(listing.screen, listing.arg, p)).text.replace("&amp;", "&")
        for p in range(5)
    )
    assert all(f'href="{source.url}"' in pages for source in cited)
    assert View(Screen.NUTRIENT, n.id) in [t for _, t in targets(renderer.render(listing))]


def test_all_sources_are_listed_with_links(renderer: Renderer, kb: KnowledgeBase) -> None:
    view = View(Screen.SOURCES)
    html = ""
    current: View | None = view
    while current is not None:
        page = renderer.render(current)
        html += page.text.replace("&amp;", "&")
        current = next_page(page, current)
    for source in kb.all_sources():
        assert f'href="{source.url}"' in html, source.id
    assert "read via" not in "\n".join(all_pages(renderer, view))


def test_short_publisher_names() -> None:
    assert short_publisher("NHS (nhs.uk)") == "NHS"
    assert short_publisher("MedlinePlus, U.S. National Library of Medicine") == "MedlinePlus"
    assert short_publisher("National Heart, Lung, and Blood Institute (NIH)") == "NIH"
    assert short_publisher("Mayo Clinic") == "Mayo Clinic"


@pytest.mark.parametrize("compact", [False, True])
def test_triage_leads_with_what_to_do(
    renderer: Renderer, kb: KnowledgeBase, compact: bool
) -> None:
    for sign in kb.red_flags.signs:
        view = View(Screen.TRIAGE, sign.id, compact=compact)
        page = renderer.render(view)
        text = plain(page)
        advice = kb.red_flags.advice(sign.level)
        head = text.split("\n")[0]
        assert head.split(" ", 1)[1] == advice.heading, sign.id
        assert sign.action in "\n".join(text.split("\n")[1:4]), sign.id
        assert f"This sounds like: {sign.name}" in text, sign.id
        labels = targets(page)
        assert any(
            t.screen is Screen.RED_FLAGS and "All warning signs" in label for label, t in labels
        )
        assert not any(t.screen in EXERCISE_SCREENS for _, t in labels), sign.id
        more = next_page(page, view)
        for later in all_pages(renderer, more) if more else ():
            assert later  # a long detail waits one tap away


@pytest.mark.parametrize("compact", [False, True])
def test_topic_leads_with_its_summary(
    renderer: Renderer, kb: KnowledgeBase, compact: bool
) -> None:
    for topic in kb.knowledge.topics:
        view = View(Screen.TOPIC, topic.id, compact=compact)
        page = renderer.render(view)
        text = plain(page)
        assert text.startswith(topic.title)
        assert topic.summary in text
        assert not any(point in text for point in topic.points), topic.id
        if topic.points:
            more = next_page(page, view)
            assert more is not None
            assert all(point in plain(renderer.render(more)) for point in topic.points)
        shown = {(t.screen, t.arg): label for label, t in targets(page)}
        for label in topic.see:
            target = parse_label(label)
            if isinstance(target, View):
                title = renderer.screens.title(target)
                assert shown.get((target.screen, target.arg)) == title, (topic.id, label)


def test_unknown_offers_the_closest_topics_and_the_menu(
    renderer: Renderer, kb: KnowledgeBase
) -> None:
    nutrient = kb.nutrients[0]
    suggestions = [View(Screen.NUTRIENT, nutrient.id), View(Screen.CAUSE_GROUP, "no-such-group")]
    if kb.knowledge.topics:
        suggestions.append(View(Screen.TOPIC, kb.knowledge.topics[0].id))
    page = single(renderer.screens.unknown(suggestions))
    assert "can't answer that one" in plain(page)
    offered = targets(page)
    assert offered[0] == (nutrient.name, View(Screen.NUTRIENT, nutrient.id))
    assert not any(t.arg == "no-such-group" for _, t in offered)
    if kb.knowledge.topics:
        assert (kb.knowledge.topics[0].title, suggestions[2]) in offered
    assert any(t.screen is Screen.MENU for _, t in offered)
    fallback = [t.screen for _, t in targets(single(renderer.screens.unknown([])))]
    assert {Screen.CAUSES, Screen.RELIEF, Screen.RED_FLAGS} <= set(fallback)


def test_about_names_publishers_from_the_sources(renderer: Renderer, kb: KnowledgeBase) -> None:
    text = plain(renderer.render(View(Screen.ABOUT)))
    assert "public health sources such as" in text
    publishers = {short_publisher(s.publisher) for s in kb.all_sources()}
    such_as = text.split("such as ", 1)[1].split(". ")[0]
    named = [name.strip() for name in re.split(r", | and ", such_as)]
    assert named
    assert all(name in publishers for name in named), named
    assert "reviewed by" not in text.lower()
    assert "medically reviewed" not in text.lower()


def test_button_data_fits_with_the_longest_ids(knowledge: Knowledge) -> None:
    longest = "z" * 20  # ids are at most 20 characters (content/README.md)
    sign = WarningSign(longest, Level.EMERGENCY, "A sign", "Call now.", (), ())
    labels = ("cause_group:" + knowledge.cause_groups[0].id, "relief", "action:stop")
    topic = Topic(longest, "condition", "A topic", (), "Summary.", ("A point",), labels, ())
    flags = replace(knowledge.red_flags, signs=(*knowledge.red_flags.signs, sign))
    kb = KnowledgeBase(replace(knowledge, red_flags=flags, topics=(*knowledge.topics, topic)))
    renderer = Renderer(kb)
    for screen in (Screen.TRIAGE, Screen.TOPIC):
        for view in (View(screen, longest, 99, True), sources_view(View(screen, longest))):
            view = replace(view, page=99, compact=True)
            page = renderer.render(view)
            assert len(pack(view).encode()) <= CALLBACK_DATA_MAX_BYTES
            assert unpack(pack(view)) == view
            assert targets(page)  # each checked against the limit there


_NOT_SHOWN = {"id", "url", "via", "unit", "kind", "nutrient", "target"}
_ID_LISTS = {"aliases", "describe", "see", "asked", "sources"}
POISON = " <&x>"


def _poison(value: Any, name: str = "") -> Any:
    """Every piece of shown text with HTML in it."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _poison(getattr(value, f.name), f.name) for f in fields(value)}
        return replace(value, **changes)
    if isinstance(value, str):
        return value if name in _NOT_SHOWN else value + POISON
    if isinstance(value, tuple):
        if name in _ID_LISTS or name.endswith("_sources"):
            return value
        return tuple(_poison(item, name) for item in value)
    return value


def test_every_string_from_content_is_escaped(knowledge: Knowledge) -> None:
    kb = KnowledgeBase(_poison(knowledge))
    renderer = Renderer(kb)
    seen = 0
    for view in both_forms(kb):
        for text in all_pages(renderer, view):
            seen += text.count("<&x>")
    for view in both_forms(kb):
        page = renderer.render(view)
        parse_html(page.text)  # strict: an unescaped '&' or '<' fails here
    assert seen > 100
