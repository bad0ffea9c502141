"""Group chats: commands with and without @name, compact replies, no reaction to chatter."""

from __future__ import annotations

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Level
from tests.telegram.harness import BOT_NAME, Harness

GROUP = -2001


async def test_command_with_bot_name_replies_compactly_to_the_asker(
    bot: Harness, kb: KnowledgeBase
) -> None:
    reply = await bot.say(f"/foods@{BOT_NAME} magnesium", chat_id=GROUP, chat_type="group")
    assert reply.reply_to_message_id is not None
    magnesium = kb.nutrient_by_id("magnesium")
    assert magnesium is not None
    ranked = magnesium.foods_ranked()
    assert ranked[0].name in reply.plain
    assert ranked[-1].name not in reply.plain  # compact: only the top foods
    full = await bot.press(reply, f"All {len(ranked)} foods", GROUP)
    assert ranked[-1].name in full.plain


async def test_command_without_bot_name_works_too(bot: Harness) -> None:
    reply = await bot.say("/causes", chat_id=GROUP, chat_type="supergroup")
    assert "Why toes and feet cramp" in reply.plain
    assert reply.reply_to_message_id is not None


async def test_every_command_answers_in_a_group(bot: Harness) -> None:
    for command in ("start", "help", "about", "redflags", "stretches", "relief", "sources"):
        reply = await bot.say(f"/{command}@{BOT_NAME}", chat_id=GROUP, chat_type="group")
        assert reply.plain, command
    nutrient = await bot.say("/nutrient potassium", chat_id=GROUP, chat_type="group")
    assert "Potassium" in nutrient.plain
    assert "Signs of running low" not in nutrient.plain  # compact
    assert any("More" in label for label in bot.labels(GROUP, nutrient))


async def test_red_flags_keep_the_emergency_block_whole_in_groups(
    bot: Harness, kb: KnowledgeBase
) -> None:
    flags = kb.red_flags
    reply = await bot.say("/redflags", chat_id=GROUP, chat_type="group")
    assert flags.advice(Level.EMERGENCY).heading in reply.plain
    for sign in flags.at(Level.EMERGENCY):
        assert sign.name in reply.plain
    more = await bot.press(reply, "More", GROUP)
    for sign in (*flags.at(Level.URGENT), *flags.at(Level.DOCTOR)):
        assert sign.name in more.plain


async def test_relief_in_a_group_leads_with_the_steps(bot: Harness, kb: KnowledgeBase) -> None:
    reply = await bot.say("/relief", chat_id=GROUP, chat_type="group")
    assert f"1. {kb.relief.now[0].text}" in reply.plain
    assert kb.relief.prevent[0].text not in reply.plain
    more = await bot.press(reply, "More", GROUP)
    assert kb.relief.prevent[0].text in more.plain


async def test_chatter_and_other_bots_commands_are_ignored(bot: Harness) -> None:
    await bot.say_nothing_back("magnesium is great, right?", chat_id=GROUP, chat_type="group")
    await bot.say_nothing_back("/foods@OtherBot magnesium", chat_id=GROUP, chat_type="group")
    await bot.say_nothing_back("/frobnicate", chat_id=GROUP, chat_type="group")


async def test_unknown_command_addressed_to_us_is_answered(bot: Harness) -> None:
    reply = await bot.say(f"/frobnicate@{BOT_NAME}", chat_id=GROUP, chat_type="group")
    assert "/help" in reply.plain
