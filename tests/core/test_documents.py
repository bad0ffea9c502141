"""Screens are documents: every screen of the shipped knowledge builds a document whose first
answer fits one phone screen, whose text is plain (never markup) and whose buttons lead
somewhere real; a plain-text rendering shows what the Telegram page shows, minus markup."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.documents import (
    Block,
    Button,
    Document,
    Press,
    ReminderAction,
    Url,
    block,
    fits_screen,
    joined,
    link,
    packed,
)
from bot.core.knowledge import KnowledgeBase
from bot.core.reminder_input import Kind
from bot.core.reminders import Reminder
from bot.core.schedule import Schedule
from bot.core.screens import Screens
from bot.core.screens import reminders as reminder_screens
from bot.core.screens.common import sources_view
from bot.core.screens.reminders import Draft
from bot.core.views import Screen, View
from bot.telegram.html import visible_text
from bot.telegram.render import Renderer, keyboard, single

MARKUP = re.compile(r"<[a-z/]|&(amp|lt|gt|quot);")


FIXED = (
    Screen.MENU,
    Screen.HELP,
    Screen.ABOUT,
    Screen.CAUSES,
    Screen.RED_FLAGS,
    Screen.STRETCHES,
    Screen.RELIEF,
    Screen.SOURCES,
)


def every_view(kb: KnowledgeBase) -> list[View]:
    """Every screen and every item the knowledge has, and each one's sources page."""
    views = [View(screen) for screen in FIXED]
    views += [View(Screen.NUTRIENTS, arg) for arg in ("", "n", "f")]
    for n in kb.nutrients:
        views += [View(Screen.NUTRIENT, n.id), View(Screen.FOODS, n.id)]
        views += [View(Screen.FOOD, word) for f in n.foods if (word := kb.food_word(f.name))]
    views += [View(Screen.CAUSE_GROUP, g.id) for g in kb.cause_groups]
    views += [View(Screen.STRETCH, s.id) for s in kb.stretches]
    views += [View(Screen.TOPIC, t.id) for t in kb.knowledge.topics]
    views += [View(Screen.TRIAGE, s.id) for s in kb.red_flags.signs]
    views += [sources_view(v) for v in list(views) if v.screen is not Screen.SOURCES]
    return list(dict.fromkeys(views))


def both_forms(kb: KnowledgeBase) -> Iterator[View]:
    """Each view as a private chat opens it and as a group does (compact)."""
    for view in every_view(kb):
        yield view
        yield View(view.screen, view.arg, compact=True)


def plain_pages(document: Document) -> list[str]:
    """A renderer with no limits and no markup: the first answer, then all the detail; the
    sources line ends both."""
    tail = (document.sources.line,) if document.sources else ()
    first = joined([*document.blocks, *tail])
    return [first, joined([*document.more, *tail])] if document.more else [first]


def texts(document: Document) -> Iterator[str]:
    """Every piece of text in a document: its runs, marks and button labels."""
    tail = (document.sources.line,) if document.sources else ()
    for each in (*document.blocks, *document.more, *tail):
        for mark, line in each.lines():
            yield mark
            yield from (run.text for run in line.runs)
    listing = [document.sources.listing] if document.sources and document.sources.listing else []
    yield from (b.label for b in (*(b for row in document.buttons for b in row), *listing))


def reminder_documents(kb: KnowledgeBase) -> list[Document]:
    now = datetime(2024, 5, 3, 10, tzinfo=UTC)
    every = Schedule("Europe/Berlin", 120, time(8), time(22))
    fixed = Schedule("UTC", times=(time(7, 30), time(21)))
    reminders = [
        Reminder(3, 1, 5, Kind.WATER, every, now + timedelta(hours=2), 4),
        Reminder(4, 1, 5, Kind.STRETCH, fixed, None, 7),
    ]
    drafts = [Draft(Kind.WATER), Draft(Kind.STRETCH), Draft(Kind.WATER, interval=90)]
    return [
        reminder_screens.wizard_step(None),
        *(reminder_screens.wizard_step(d) for d in drafts),
        reminder_screens.zone_step(Draft(Kind.WATER, 60, window=(time(8), time(20)))),
        reminder_screens.created(reminders[0], now, edited=False),
        reminder_screens.reminder_list(reminders, "Europe/Berlin", now),
        reminder_screens.reminder_list([], None, now),
        *(reminder_screens.reminder_message(r, kb) for r in reminders),
    ]


@pytest.fixture(scope="module")
def screens(kb: KnowledgeBase) -> Screens:
    return Screens(kb)


@pytest.fixture(scope="module")
def documents(kb: KnowledgeBase, screens: Screens) -> dict[View, Document]:
    return {view: screens.document(view) for view in both_forms(kb)}


def test_every_first_answer_fits_the_budget(documents: dict[View, Document]) -> None:
    for view, document in documents.items():
        tail = (document.sources.line,) if document.sources else ()
        assert fits_screen([*document.blocks, *tail]), view
        assert document.blocks, view
        assert document.title, view


def test_documents_hold_plain_text(kb: KnowledgeBase, documents: dict[View, Document]) -> None:
    for document in [*documents.values(), *reminder_documents(kb)]:
        for text in texts(document):
            assert not MARKUP.search(text), (document.title, text)


def test_every_button_leads_somewhere_real(
    kb: KnowledgeBase, screens: Screens, documents: dict[View, Document]
) -> None:
    every = [*documents.values(), *reminder_documents(kb), screens.unknown([])]
    for document in every:
        listing = document.sources.listing if document.sources else None
        for button in [*(b for row in document.buttons for b in row), *filter(None, [listing])]:
            target = button.target
            assert button.label, document.title
            if isinstance(target, View):
                assert screens.title(target) is not None, (document.title, target)
            elif isinstance(target, Press):
                assert isinstance(target.action, ReminderAction)
            else:
                assert isinstance(target, Url)


def test_draft_buttons_carry_the_draft() -> None:
    draft = Draft(Kind.STRETCH, times=(time(7, 30), time(21, 30)), zone="UTC", edit=12)
    press = draft.press()
    assert press.action is ReminderAction.DRAFT
    assert Draft.unpack([str(field) for field in press.args]) == draft


def test_plain_text_shows_what_telegram_shows(
    kb: KnowledgeBase, documents: dict[View, Document]
) -> None:
    renderer = Renderer(kb)

    def flat(text: str) -> str:
        return " ".join(text.split())

    for view, document in documents.items():
        plain = plain_pages(document)
        first = renderer.render(view)
        assert visible_text(first.text) == plain[0], view
        if len(plain) > 1:
            later, current = [], View(view.screen, view.arg, 1)
            while current.page < 50:
                page = renderer.render(current)
                later.append(visible_text(page.text))
                more = View(view.screen, view.arg, current.page + 1)
                if renderer.render(more).text == page.text:
                    break
                current = more
            # The sources line ends the last page, and the telegram pages split the detail
            # between blocks or lines only.
            assert flat("\n".join(later)) == flat(plain[1]), view
    for document in reminder_documents(kb):
        assert visible_text(single(document).text) == plain_pages(document)[0]


def test_buttons_telegram_cannot_carry_are_left_off() -> None:
    long_id = View(Screen.TOPIC, "x" * 60)
    rows = (
        (Button("Too long", long_id), Button("Menu", View(Screen.MENU))),
        (Button("Gone", long_id),),
        (Button("Site", Url("https://example.org")),),
    )
    markup = keyboard(rows)
    assert markup is not None
    labels = [[b.text for b in row] for row in markup.inline_keyboard]
    assert labels == [["Menu"], ["Site"]]
    assert markup.inline_keyboard[1][0].url == "https://example.org"


def test_packed_keeps_every_item_within_the_lines() -> None:
    items = [f"item {n}" for n in range(11)]
    bullets = packed(items, 4)
    assert len(bullets.items) == 4
    assert " · ".join(line.text for line in bullets.items) == " · ".join(items)
    assert packed([], 4).items == ()


def test_links_are_runs_not_markup() -> None:
    text = block(link("NHS & co <x>", "https://example.org/?a=1&b=2"))
    assert isinstance(text, Block)
    assert text.text == "NHS & co <x>"
    html = single(Document("t", (text,))).text
    assert html == '<a href="https://example.org/?a=1&amp;b=2">NHS &amp; co &lt;x&gt;</a>'


def test_the_core_needs_no_telegram() -> None:
    code = (
        "import sys, bot.core.screens, bot.core.screens.reminders\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'telegram'], 'telegram'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


QUARTERLY = Schedule("UTC", 15, time(8), time(22))


def test_the_listing_says_due_now_for_a_time_on_its_way() -> None:
    now = datetime(2026, 6, 1, 8, 0, 20, tzinfo=UTC)
    on_its_way = Reminder(1, 1, 1, Kind.WATER, QUARTERLY, datetime(2026, 6, 1, 8, tzinfo=UTC), 0)
    later = Reminder(2, 1, 1, Kind.WATER, QUARTERLY, datetime(2026, 6, 1, 8, 15, tzinfo=UTC), 0)
    text = plain_pages(reminder_screens.reminder_list([on_its_way, later], "UTC", now))[0]
    assert "#1 💧 Water every 15 min, 08:00–22:00 — next due now" in text
    assert "#2 💧 Water every 15 min, 08:00–22:00 — next today 08:15" in text
