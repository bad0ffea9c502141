"""Every lookup command in a private chat, asserting on what the user receives."""

from __future__ import annotations

import re

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level
from tests.telegram.harness import Harness

USER = 1001


async def test_start_welcomes_with_disclaimer_and_topic_buttons(bot: Harness) -> None:
    reply = await bot.say("/start")
    assert "Cramp Coach" in reply.plain
    assert "not a diagnosis" in reply.plain
    labels = bot.labels(USER, reply)
    for expected in ("Why it happens", "Cramp now", "Foods", "Stretches", "When to see a doctor"):
        assert any(expected in label for label in labels), labels


async def test_help_lists_the_commands(bot: Harness) -> None:
    reply = await bot.say("/help")
    for command in ("/causes", "/foods", "/nutrient", "/relief", "/stretches", "/redflags"):
        assert command in reply.plain


async def test_about_and_sources(bot: Harness, kb: KnowledgeBase) -> None:
    about = await bot.say("/about")
    assert "open-source" in about.plain
    assert "public health sources such as" in about.plain
    sources = await bot.say("/sources")
    assert "Sources" in sources.plain
    listing = await bot.press(sources, "sources ▸", USER)
    first = kb.all_sources()[0]
    assert first.title in listing.plain
    assert f'href="{first.url}"' in listing.text.replace("&amp;", "&")


async def test_foods_ranks_by_amount_and_gives_the_intake(bot: Harness, kb: KnowledgeBase) -> None:
    reply = await bot.say("/foods magnesium")
    magnesium = kb.nutrient_by_id("magnesium")
    assert magnesium is not None
    ranked = magnesium.foods_ranked()
    assert f"({ranked[0].percent_dv}% DV)" in reply.plain
    assert "Adults need" in reply.plain
    assert re.search(r"\d+–\d+ mg a day", reply.plain)
    full = await bot.press(reply, f"All {len(ranked)} foods", USER)
    positions = [full.plain.index(food.name) for food in ranked]
    assert positions == sorted(positions), "foods are not in ranked order"


async def test_foods_alone_offers_a_nutrient_keyboard(bot: Harness, kb: KnowledgeBase) -> None:
    reply = await bot.say("/foods")
    labels = bot.labels(USER, reply)
    assert all(n.name in labels for n in kb.nutrients)


async def test_nutrient_card(bot: Harness) -> None:
    reply = await bot.say("/nutrient vit d")
    for heading in ("Vitamin D", "Top foods", "mcg"):
        assert heading in reply.plain
    assert "Signs of running low" not in reply.plain  # the short answer first
    assert any("Red flags" in label for label in bot.labels(USER, reply))
    more = await bot.press(reply, "More", USER)
    for heading in ("Signs of running low", "Daily intake"):
        assert heading in more.plain


async def test_causes_overview_and_one_group(bot: Harness, kb: KnowledgeBase) -> None:
    overview = await bot.say("/causes")
    labels = bot.labels(USER, overview)
    assert all(group.title in labels for group in kb.cause_groups)
    nerves = await bot.say("/causes nerves")
    group = kb.cause_group_by_id("nerves")
    assert group is not None
    assert group.title in nerves.plain
    assert all(cause.name in nerves.plain for cause in group.causes)


async def test_red_flags_put_emergencies_first(bot: Harness, kb: KnowledgeBase) -> None:
    flags = kb.red_flags
    reply = await bot.say("/redflags")
    assert reply.plain.startswith(f"🚨 {flags.advice(Level.EMERGENCY).heading}")
    assert all(sign.name in reply.plain for sign in flags.at(Level.EMERGENCY))
    more = await bot.press(reply, "More", USER)
    assert flags.advice(Level.URGENT).heading in more.plain
    assert all(sign.name in more.plain for sign in flags.at(Level.DOCTOR))


async def test_stretches_list_and_one_stretch(bot: Harness, kb: KnowledgeBase) -> None:
    listing = await bot.say("/stretches")
    labels = bot.labels(USER, listing)
    assert all(s.name in labels for s in kb.stretches)
    stretch = kb.stretches[0]
    one = await bot.say(f"/stretches {stretch.name}")
    assert stretch.steps[0] in one.plain
    assert stretch.dose in one.plain


async def test_relief_gives_steps_now(bot: Harness, kb: KnowledgeBase) -> None:
    reply = await bot.say("/relief")
    assert "During a cramp" in reply.plain
    assert f"1. {kb.relief.now[0].text}" in reply.plain
    assert kb.relief.after[0].text not in reply.plain
    more = await bot.press(reply, "More", USER)
    assert kb.relief.after[0].text in more.plain
    assert any("Red flags" in label for label in bot.labels(USER, reply))


async def test_button_press_edits_the_message_in_place(bot: Harness) -> None:
    menu = await bot.say("/start")
    picker = await bot.press(menu, "Foods", USER)
    assert picker.message_id == menu.message_id
    assert "Foods rich in which nutrient" in picker.plain
    foods = await bot.press(picker, "Potassium", USER)
    assert "Potassium: top foods" in foods.plain
    assert len(bot.api.messages_in(USER)) == 1  # one bot message, edited twice


async def test_misspelled_nutrient_asks_did_you_mean(bot: Harness) -> None:
    reply = await bot.say("/foods magnezium")
    assert "Did you mean" in reply.plain
    assert "magnezium" in reply.plain
    foods = await bot.press(reply, "Magnesium", USER)
    assert "Magnesium: top foods" in foods.plain


async def test_free_text_gets_the_best_answer(bot: Harness) -> None:
    bananas = await bot.say("bananas?")
    assert "banana" in bananas.plain.lower()
    assert "potassium" in bananas.plain.lower()
    twitch = await bot.say("what lacks when toes twitch")
    assert "twitch" in twitch.plain.lower()
    assert "can't answer" not in twitch.plain


async def test_free_text_that_matches_nothing_offers_the_menu(bot: Harness) -> None:
    reply = await bot.say("qwzx plorf")
    assert "can't answer that one" in reply.plain
    assert any("Foods" in label for label in bot.labels(USER, reply))


async def test_unknown_command(bot: Harness) -> None:
    reply = await bot.say("/frobnicate")
    assert "/help" in reply.plain


async def test_long_answers_are_paged_under_the_limit(bot: Harness) -> None:
    reply = await bot.say("/sources")
    first = await bot.press(reply, "sources ▸", USER)
    assert len(first.plain) <= 4096
    if any("More" in label for label in bot.labels(USER, first)):
        second = await bot.press(first, "More", USER)
        assert second.plain != first.plain
        assert len(second.plain) <= 4096
        back = await bot.press(second, "◀ Back", USER)
        assert back.plain == first.plain


async def test_start_deep_link_opens_a_screen(bot: Harness) -> None:
    reply = await bot.say("/start f-calcium")
    assert "Calcium: top foods" in reply.plain


async def test_command_menu_is_registered_for_private_and_groups(bot: Harness) -> None:
    commands = bot.api.commands
    private = {c["command"] for c in commands["all_private_chats"]}
    group = {c["command"] for c in commands["all_group_chats"]}
    assert {"foods", "causes", "redflags", "relief", "stretches", "start"} <= private
    assert "foods" in group
    assert "start" not in group
