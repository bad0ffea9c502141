"""Replies sent without reading Telegram's echo of them arrive as any other reply would."""

from __future__ import annotations

from tests.telegram.harness import BOT_NAME, Harness
from tests.telegram_api import BotApiError, Sent

USER = 1001
GROUP = -2001


def last_send(bot: Harness, chat_id: int) -> Sent:
    """The latest sendMessage to the chat, with its parameters as the stand-in read them."""
    return [s for s in bot.api.outbox if s.method == "sendMessage" and s.chat_id == chat_id][-1]


async def test_a_reply_carries_html_no_link_preview_and_its_keyboard(bot: Harness) -> None:
    reply = await bot.say("/foods magnesium")
    sent = last_send(bot, USER)
    assert sent.params["parse_mode"] == "HTML"
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert "<b>" in sent.params["text"]
    # The user sees bold text, not tags.
    assert "<b>" not in reply.plain
    assert any(e["type"] == "bold" for e in reply.entities)
    assert reply.reply_markup is not None
    assert bot.labels(USER, reply), "the keyboard did not arrive"
    assert "reply_parameters" not in sent.params  # a private chat gets no quote


async def test_a_group_reply_quotes_the_asker_even_if_the_question_is_gone(
    bot: Harness,
) -> None:
    reply = await bot.say(f"/causes@{BOT_NAME}", chat_id=GROUP, chat_type="group")
    question = last_send(bot, GROUP).params["reply_parameters"]
    assert question["allow_sending_without_reply"] is True
    assert reply.reply_to_message_id == question["message_id"]


async def test_a_reply_in_a_forum_topic_stays_in_that_topic(bot: Harness) -> None:
    first = bot.api.send_text("/help", chat_id=GROUP, chat_type="supergroup")
    await bot.api.wait_for(lambda: any(s.chat_id == first["chat"]["id"] for s in bot.api.outbox))
    command = [{"type": "bot_command", "offset": 0, "length": len("/relief")}]
    topic = {**first, "message_id": 100, "text": "/relief", "entities": command}
    topic |= {"message_thread_id": 7, "is_topic_message": True}
    bot.api.inject_raw_update({"message": topic})
    chat = first["chat"]["id"]
    await bot.api.wait_for(
        lambda: sum(s.method == "sendMessage" and s.chat_id == chat for s in bot.api.outbox) == 2
    )
    assert last_send(bot, chat).params["message_thread_id"] == 7


async def test_a_reply_refused_for_flooding_arrives_after_the_wait(bot: Harness) -> None:
    # Only the rate limiter waits out a 429 and sends again: proof the reply passes it.
    bot.api.fail_next(
        "sendMessage", BotApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    )
    reply = await bot.say("/relief", patience=5)
    assert "cramp" in reply.plain.lower()
    assert sum(name == "sendMessage" for name, _ in bot.api.calls) == 2
