"""Bad input gets a short, specific, escaped reply: never a traceback or silence."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.telegram.app import SORRY
from tests.telegram.harness import BOT_NAME, Harness, running_bot
from tests.telegram_api import BotApiError, FakeBotApi

USER = 1001
JUNK = "".join(random.Random(7).choice("abc<>&;'\"/\\ 🦶ÿ\u200b{}[]*_`") for _ in range(5000))


@pytest.mark.parametrize("command", ["/foods", "/nutrient", "/causes", "/stretches"])
async def test_five_thousand_characters_of_junk(bot: Harness, command: str) -> None:
    reply = await bot.say(f"{command} {JUNK}")
    assert len(reply.plain) < 600
    assert "I don't know" in reply.plain
    assert SORRY not in reply.plain
    assert bot.labels(USER, reply), "the reply offers something to pick"


async def test_markup_is_escaped_not_interpreted(bot: Harness) -> None:
    reply = await bot.say("/foods <b>magnesium</b>")
    assert "&lt;b&gt;" in reply.text
    assert "<b>magnesium</b>" not in reply.text


async def test_emoji_and_junk_free_text(bot: Harness) -> None:
    reply = await bot.say("🦶🦶🦶")
    assert "can't answer" in reply.plain
    reply = await bot.say(JUNK)
    assert SORRY not in reply.plain
    assert len(reply.plain) < 600


async def test_empty_arguments_offer_a_choice(bot: Harness) -> None:
    for command in ("/foods", "/nutrient   ", "/causes", "/stretches"):
        reply = await bot.say(command)
        assert len(bot.labels(USER, reply)) >= 7, command


async def test_stale_button_is_answered_with_a_notice(bot: Harness) -> None:
    reply = await bot.say("/start")
    # A button from an older version of the bot whose screen no longer exists.
    bot.api.set_buttons(USER, reply.message_id, [[("Old", "zz|gone|0|0")]])
    query_id = bot.api.press_button(USER, reply.message_id, "zz|gone|0|0")
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    assert "out of date" in bot.api.callback_answers[query_id]["text"]


async def test_button_for_a_removed_item_says_so(bot: Harness) -> None:
    reply = await bot.say("/start")
    bot.api.set_buttons(USER, reply.message_id, [[("Old", "f|unobtainium|0|0")]])
    edited = await bot.press(reply, "Old", USER)
    assert "no longer here" in edited.plain


async def test_pressing_the_same_button_twice_is_harmless(bot: Harness) -> None:
    menu = await bot.say("/start")
    causes = await bot.press(menu, "Why it happens", USER)
    data = bot.button_data(USER, causes.message_id, "Menu")
    first = bot.api.press_button(USER, causes.message_id, data)
    await bot.api.wait_for(lambda: first in bot.api.callback_answers)
    again = bot.api.press_button(USER, causes.message_id, data)
    await bot.api.wait_for(lambda: again in bot.api.callback_answers)
    sent = [s for s in bot.api.outbox if s.method == "sendMessage"]
    assert not any(SORRY in (s.plain or "") for s in sent)


async def test_a_failing_command_menu_does_not_stop_the_bot(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    api = FakeBotApi(username=BOT_NAME)
    api.fail_next("setMyCommands", BotApiError(500, "Internal Server Error"), times=5)
    async with running_bot(kb, tmp_path / "bot.sqlite3", api) as bot:
        reply = await bot.say("/foods calcium")
        assert "Calcium: top foods" in reply.plain
