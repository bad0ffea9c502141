"""Operator commands: only ADMIN_IDS see them; /stats counts, /broadcast asks first and then
goes out once per chat through the reminder dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.reminder_input import Kind
from bot.core.schedule import Schedule
from bot.core.texts import UNKNOWN_COMMAND
from bot.storage import Store
from tests.telegram.harness import BOT_NAME, START, Harness, running_bot
from tests.telegram_api import BotApiError, FakeBotApi, Sent, StoredMessage

ADMIN = 4242
OTHERS = (1001, 1002, -1003)  # two private chats and a group, each with a reminder
TEXT = "New stretches are in! Fish & chips <3"


async def seed(database: Path) -> None:
    store = Store(database)
    await store.open()
    try:
        for chat in OTHERS:
            await store.add_reminder(
                chat_id=chat,
                chat_type="private" if chat > 0 else "group",
                created_by=abs(chat),
                kind=Kind.WATER if chat != 1002 else Kind.STRETCH,
                schedule=Schedule("UTC", 60, time(8), time(22)),
                next_due=START + timedelta(days=1),
                now=START,
                limit=20,
            )
    finally:
        await store.close()


@pytest.fixture
async def ops(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    database = tmp_path / "bot.sqlite3"
    await seed(database)
    api = FakeBotApi(username=BOT_NAME)
    for user in (1001, 1002):
        api.open_private_chat(user)
    api.send_text("hi all", chat_id=-1003, chat_type="group", chat_title="Feet")
    async with running_bot(kb, database, api, env={"ADMIN_IDS": f"{ADMIN}, 77"}) as harness:
        yield harness


async def draft(bot: Harness, command: str) -> StoredMessage:
    """Send /broadcast; check the preview comes first; return the confirmation message."""
    before = len(bot.api.outbox)
    preview = await bot.say(command, user_id=ADMIN)
    assert preview.plain == TEXT  # exactly as it will arrive: text shown as typed

    def confirmation() -> Sent | None:
        return next(
            (
                s
                for s in bot.api.outbox[before:]
                if s.method == "sendMessage" and "Send the message above" in (s.plain or "")
            ),
            None,
        )

    await bot.api.wait_for(lambda: confirmation() is not None)
    sent = confirmation()
    assert sent is not None
    return bot.message(ADMIN, sent)


def copies(bot: Harness, chat_id: int) -> list[str]:
    return [
        s.plain or ""
        for s in bot.api.outbox
        if s.method == "sendMessage" and s.chat_id == chat_id and s.plain == TEXT
    ]


async def test_anyone_else_gets_the_unknown_command_answer(ops: Harness) -> None:
    for command in ("/stats", "/broadcast hello everyone"):
        reply = await ops.say(command, user_id=1001)
        assert reply.plain == UNKNOWN_COMMAND
    # An admin in a group is not an operator there: the group would see the answer.
    reply = await ops.say(f"/stats@{BOT_NAME}", chat_id=-1003, chat_type="group", user_id=ADMIN)
    assert reply.plain == UNKNOWN_COMMAND
    assert copies(ops, 1001) == []


async def test_stats_for_an_admin(ops: Harness) -> None:
    ops.clock.advance(timedelta(hours=3, minutes=5))
    reply = await ops.say("/stats", user_id=ADMIN)
    text = reply.plain
    assert "Cramp Coach" in text
    assert "up 3 h 5 min" in text
    assert "Chats: 3 (private 2, groups 1)" in text
    assert "Reminders: 3 running (💧 Water 2, 🧘 Stretch 1), 0 paused" in text
    assert "Last 24 h: 0 sent, 0 unreachable, 0 failed, 0 skipped as late" in text
    assert "Queue: 0 due" in text


async def test_broadcast_is_previewed_confirmed_and_sent_once_per_chat(ops: Harness) -> None:
    confirm = await draft(ops, f"/broadcast   {TEXT}")
    assert "Send the message above to 3 chats" in confirm.plain
    assert all(copies(ops, chat) == [] for chat in OTHERS)  # nothing before the tap

    done = await ops.press(confirm, "Send to 3 chats", ADMIN)
    assert done.plain.startswith("📣 Queued for 3 chats")
    for chat in OTHERS:
        await ops.api.wait_for(lambda chat=chat: copies(ops, chat) == [TEXT])

    assert ops.labels(ADMIN, done) == []  # the buttons are gone: nothing to tap twice
    await ops.quiet()
    assert all(copies(ops, chat) == [TEXT] for chat in OTHERS)
    stats = await ops.say("/stats", user_id=ADMIN)
    assert "Broadcasts: 0 queued, 0 claimed; last 24 h 3 sent, 0 unreachable" in stats.plain


async def test_a_stale_send_button_queues_nothing_twice(ops: Harness) -> None:
    confirm = await draft(ops, f"/broadcast {TEXT}")
    data = ops.button_data(ADMIN, confirm.message_id, "Send to")
    await ops.press(confirm, "Send to", ADMIN)
    # The same button data pressed again (another device, an old copy of the message).
    ops.api.set_buttons(ADMIN, confirm.message_id, [[("Send", data)]])
    second = await ops.press(ops.current(ADMIN, confirm.message_id), "Send", ADMIN)
    assert second.plain == "This broadcast was already sent or cancelled."
    for chat in OTHERS:
        await ops.api.wait_for(lambda chat=chat: len(copies(ops, chat)) >= 1)
    await ops.quiet()
    assert all(copies(ops, chat) == [TEXT] for chat in OTHERS)


async def test_cancel_sends_nothing(ops: Harness) -> None:
    confirm = await draft(ops, f"/broadcast {TEXT}")
    cancelled = await ops.press(confirm, "Cancel", ADMIN)
    assert cancelled.plain == "Cancelled: nothing was sent."
    await ops.quiet()
    assert all(copies(ops, chat) == [] for chat in OTHERS)


async def test_broadcast_without_text_explains_itself(ops: Harness) -> None:
    reply = await ops.say("/broadcast", user_id=ADMIN)
    assert reply.plain.startswith("Usage: /broadcast followed by the message")


async def test_broadcast_goes_through_rate_limits_and_blocked_chats(ops: Harness) -> None:
    ops.api.block_chat(1002)
    ops.api.fail_next(
        "sendMessage", BotApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    )
    confirm = await draft(ops, f"/broadcast {TEXT}")
    assert "to 3 chats" in confirm.plain  # the 429 was waited out
    ops.api.fail_next(
        "sendMessage", BotApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    )
    await ops.press(confirm, "Send to 3 chats", ADMIN)
    for chat in (1001, -1003):
        await ops.api.wait_for(lambda chat=chat: copies(ops, chat) == [TEXT], timeout=10)
    stats = await ops.say("/stats", user_id=ADMIN)
    assert "last 24 h 2 sent, 1 unreachable" in stats.plain
    ops.api.unblock_chat(1002)
    listing = await ops.say("/reminders", user_id=1002)
    assert "paused" in listing.plain  # the chat that blocked the bot is paused, as for reminders


async def test_the_operator_menu_is_only_in_the_admins_own_chats(ops: Harness) -> None:
    names = {key: [c["command"] for c in menu] for key, menu in ops.api.commands.items()}
    assert {"stats", "broadcast"} <= set(names[f"chat:{ADMIN}"])
    assert {"stats", "broadcast"} <= set(names["chat:77"])
    for everyone in ("all_private_chats", "all_group_chats"):
        assert "stats" not in names[everyone]
        assert "broadcast" not in names[everyone]
