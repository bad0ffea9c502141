"""Plain-language messages over the stand-in Bot API, as a new user types them: a warning
sign gets the warning first (never exercise steps), a harmless question never gets an
ambulance, and every question the content covers reaches its answer."""

from __future__ import annotations

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level
from tests.telegram.harness import BOT_NAME, Harness
from tests.telegram.test_inline import ask_inline

USER = 1001
GROUP = -4001
# What a triage answer must never carry: steps to stretch or rub a warning sign away.
EXERCISE_BUTTONS = ("Stretches", "Cramp now", "During a cramp")


def heading(kb: KnowledgeBase, level: Level) -> str:
    return kb.red_flags.advice(level).heading


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("my calf hurts after a long flight", Level.URGENT),
        ("my calf hurts and is hot and red", Level.URGENT),
        ("my foot went cold and pale and it hurts", Level.EMERGENCY),
        ("toe cramps with pins and needles", Level.DOCTOR),
        ("боль в груди", Level.EMERGENCY),
        ("Tengo dolor en el pecho y calambres", Level.EMERGENCY),
    ],
)
async def test_a_warning_sign_gets_the_warning_first(
    bot: Harness, kb: KnowledgeBase, text: str, level: Level
) -> None:
    reply = await bot.say(text)
    first_lines = reply.plain.splitlines()[:3]
    assert any(heading(kb, level) in line for line in first_lines), reply.plain
    assert "This sounds like" in reply.plain
    labels = bot.labels(USER, reply)
    assert not any(word in label for label in labels for word in EXERCISE_BUTTONS), labels
    assert any("warning signs" in label.lower() for label in labels), labels


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("pickle juice?", "pickle-juice"),
        ("what is a charley horse", "what-is-cramp"),
        ("statins", "statins"),
        ("I'm diabetic", "diabetes"),
    ],
)
async def test_a_question_the_content_covers_reaches_its_answer(
    bot: Harness, kb: KnowledgeBase, text: str, topic: str
) -> None:
    reply = await bot.say(text)
    found = kb.topic_by_id(topic)
    assert found is not None
    assert reply.plain.startswith(found.title), reply.plain
    assert heading(kb, Level.EMERGENCY) not in reply.plain


async def test_weak_after_a_run_is_about_exercise_not_an_emergency(
    bot: Harness, kb: KnowledgeBase
) -> None:
    reply = await bot.say("I feel weak after running")
    overuse = kb.cause_group_by_id("overuse")
    athletes = kb.topic_by_id("athletes")
    assert overuse is not None
    assert athletes is not None
    assert reply.plain.startswith((overuse.title, athletes.title)), reply.plain
    assert "This sounds like" not in reply.plain


async def test_worry_alone_gets_no_ambulance(bot: Harness, kb: KnowledgeBase) -> None:
    reply = await bot.say("worried")
    assert heading(kb, Level.EMERGENCY) not in reply.plain
    assert "can't answer" in reply.plain
    assert bot.labels(USER, reply), "the closest topics are offered"


async def test_stop_reminding_me_is_the_stop_command(bot: Harness) -> None:
    reply = await bot.say("stop reminding me")
    assert "no reminders" in reply.plain.lower()
    assert "/stop" in reply.plain


async def test_remind_me_in_words_opens_the_reminder_setup(bot: Harness) -> None:
    reply = await bot.say("remind me to drink water")
    assert bot.labels(USER, reply), "the setup's choices"
    assert "can't answer" not in reply.plain


async def test_a_question_it_cannot_answer_says_so_and_offers_the_closest(
    bot: Harness,
) -> None:
    reply = await bot.say("recommend a podiatrist in Leeds")
    assert "can't answer" in reply.plain
    assert len(bot.labels(USER, reply)) >= 2


async def test_a_command_whose_words_describe_a_warning_sign_gets_the_warning(
    bot: Harness, kb: KnowledgeBase
) -> None:
    reply = await bot.say("/relief my calf is hot and swollen")
    assert heading(kb, Level.URGENT) in reply.plain
    reply = await bot.say(f"/foods@{BOT_NAME} chest pain", chat_id=GROUP, chat_type="group")
    assert heading(kb, Level.EMERGENCY) in reply.plain


async def test_inline_query_describing_a_warning_sign_offers_it_first(
    bot: Harness, kb: KnowledgeBase
) -> None:
    answered = await ask_inline(bot, "my chest hurts")
    assert heading(kb, Level.EMERGENCY) in answered[0]["title"]
