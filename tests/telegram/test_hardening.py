"""Forged button presses and forged webhook bodies: a short answer, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core.documents import ReminderAction as Action
from bot.core.knowledge import KnowledgeBase
from bot.core.targets import ReminderPress
from bot.core.targets import parse_press as parse_reminder_action
from bot.core.targets import parse_view as unpack
from bot.core.texts import ONLY_ASKER
from bot.telegram.app import SORRY
from tests.bot_api_server import SECRET_HEADER
from tests.telegram.harness import BOT_NAME, Harness
from tests.telegram.test_reminders import FIRST_DUE, set_water_reminder
from tests.telegram.test_serving import SECRET, answers, serving
from tests.telegram_api import JSON, StoredMessage

USER, ADMIN, MEMBER = 1001, 1003, 1002
GROUP = -1002003004005
HUGE = "99999999999999999999"
SQLITE_MAX = str(2**63 - 1)
FORGED = [
    f"R:p:{HUGE}",
    f"R:r:{HUGE}",
    f"R:e:{HUGE}",
    f"R:d:{HUGE}",
    f"R:D:{HUGE}:{USER}",
    f"R:D:1:{HUGE}",
    f"R:A:{HUGE}",
    f"R:F:{HUGE}",
    f"R:x:{HUGE}",
    f"R:z:{HUGE}",
    f"R:k:{HUGE}",
    f"R:z:{int(SQLITE_MAX) + 1}",
    f"R:n:w:120:0800-2200:3:{HUGE}",
    "R:n:w:99999999999999999999:0800-2200:3:",
    "R:n:w:120:2599-2200::",
    "R:n:w:120:0800-2200:99:",
    "R:n:q:120:0800-2200::",
    "R:n:w",
    "R:p:-1",
    "R:p:1e3",
    "R:p:٣",
    "R:p:",
    "R:p",
    "R:p:1:2",
    "R:l:1",
    "R:zz:1",
    "R:",
    "R",
    "f|magnesium|²|0",
    "f|magnesium|99999999999999999999|0",
    "f|magnesium|0",
    "||||",
]


async def press(bot: Harness, chat_id: int, message_id: int, data: str, user_id: int) -> JSON:
    """Press `data` on a message as a modified client could, whatever buttons it has;
    return the bot's answer to the press."""
    query_id = bot.api.press_forged(chat_id, message_id, data, user_id=user_id)
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    return bot.api.callback_answers[query_id]


def no_failures(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    sent = [s.plain or "" for s in bot.api.outbox if s.method == "sendMessage"]
    assert not any(SORRY in text for text in sent)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_button_data_the_bot_cannot_use_is_out_of_date(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await set_water_reminder(bot)
    menu = await bot.say("/reminders")
    for data in FORGED:
        bot.api.set_buttons(USER, menu.message_id, [[("Forged", data)]])
        answer = await press(bot, USER, menu.message_id, data, USER)
        assert "out of date" in answer["text"], data
        assert bot.current(USER, menu.message_id).plain == menu.plain, data
    no_failures(bot, caplog)


def test_numbers_in_button_data_fit_sqlite() -> None:
    assert parse_reminder_action(f"R:p:{SQLITE_MAX}") == ReminderPress(Action.PAUSE, (2**63 - 1,))
    assert parse_reminder_action(f"R:p:{int(SQLITE_MAX) + 1}") is None
    assert parse_reminder_action("R:D:7:0") == ReminderPress(Action.DELETE, (7, 0))
    assert parse_reminder_action("R:c") == ReminderPress(Action.CANCEL)
    assert unpack("f|magnesium|3|1") is not None
    assert unpack("f|magnesium|³|1") is None


async def test_a_press_acts_only_on_the_message_it_is_on(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await set_water_reminder(bot)
    bot.clock.set(FIRST_DUE)
    (sent,) = await bot.wait_reminders(USER, 1)
    assert sent.message_id is not None
    reminder = bot.current(USER, sent.message_id)
    done = bot.button_data(USER, reminder.message_id, "Done")
    menu = await bot.say("/start")
    others = [m for m in bot.api.messages_in(USER) if m.message_id != reminder.message_id]
    assert menu in others
    for message in others:
        for data in (done, "R:z:1", "R:k:1", "f|relief|0|0"):
            answer = await press(bot, USER, message.message_id, data, USER)
            assert "out of date" in answer["text"], data
            after = bot.current(USER, message.message_id)
            assert (after.text, after.reply_markup) == (message.text, message.reply_markup)
    # Its own message is still the one it acts on.
    pressed = await bot.press(reminder, "Done", USER)
    assert "✓ Done" in pressed.plain
    no_failures(bot, caplog)


async def ask_in_group(bot: Harness, command: str) -> StoredMessage:
    for admin in (USER, ADMIN):
        bot.api.set_member_status(GROUP, admin, "administrator")
    await set_water_reminder(bot, GROUP, chat_type="group")
    name, _, argument = command.partition(" ")
    return await bot.say(f"{name}@{BOT_NAME} {argument}", chat_id=GROUP, chat_type="group")


@pytest.mark.parametrize(
    ("command", "yes", "done"),
    [
        ("/forget", "Delete everything", "everything stored about this chat is deleted"),
        ("/stop all", "Delete all", "Deleted 1 reminders"),
    ],
)
async def test_only_the_asker_answers_a_confirmation(
    bot: Harness, command: str, yes: str, done: str
) -> None:
    question = await ask_in_group(bot, command)
    for label in (yes, "Cancel"):
        data = bot.button_data(GROUP, question.message_id, label)
        for other in (MEMBER, ADMIN):
            answer = await press(bot, GROUP, question.message_id, data, other)
            assert (answer["text"], answer["show_alert"]) == (ONLY_ASKER, True)
    assert bot.current(GROUP, question.message_id).plain == question.plain
    answered = await bot.press(question, yes, GROUP, user_id=USER)
    assert done in answered.plain


async def test_only_the_asker_confirms_deleting_one_reminder(bot: Harness) -> None:
    listing = await ask_in_group(bot, "/reminders")
    question = await bot.press(listing, "🗑 #1", GROUP, user_id=ADMIN)
    answer = await press(
        bot, GROUP, question.message_id, bot.button_data(GROUP, question.message_id, "🗑"), USER
    )
    assert answer["text"] == ONLY_ASKER
    cancelled = await bot.press(question, "Cancel", GROUP, user_id=ADMIN)
    assert cancelled.plain == "Cancelled."


async def test_webhook_bodies_that_are_not_updates_are_400_in_one_line(
    tmp_path: Path, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    nested = b'{"update_id": 5, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    # Shallow enough for the JSON decoder, too deep for PTB's parser.
    deep_update = "null"
    for _ in range(600):
        deep_update = (
            '{"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, '
            f'"reply_to_message": {deep_update}}}'
        )
    bodies = [
        b"[" * 200_000,
        nested,
        f'{{"update_id": 6, "message": {deep_update}}}'.encode(),
        b'{"update_id": 7, "message": "MARKER-text"}',
        b'{"update_id": 8, "message": {"message_id": 1, "date": 1e300, "chat": 5}}',
        b'{"update_id": "nine"}',
        b'{"message": {}}',
        b"\xff\xfe",
        b"[]",
    ]
    async with serving(tmp_path, kb, webhook=True) as bot:
        url = f"{bot.root}{bot.settings.webhook_path}"
        caplog.set_level(logging.INFO)
        caplog.clear()
        for body in bodies:
            response = await bot.http.post(url, content=body, headers={SECRET_HEADER: SECRET})
            assert response.status_code == 400, body[:60]
        bot.api.send_text("/help", user_id=1002)  # a real update still gets through
        await bot.api.wait_for(lambda: len(answers(bot.api, 1002)) == 1)
    # The test's own HTTP client logs the URLs it posts to; the bot's side must not.
    logged = [r for r in caplog.records if r.name != "httpx"]
    refused = [r.getMessage() for r in logged if "refused" in r.getMessage()]
    assert len(refused) == len(bodies)
    assert all(r.exc_info is None for r in logged)
    text = "\n".join(r.getMessage() for r in logged)
    assert bot.settings.webhook_path not in text
    assert "MARKER" not in text
