"""Reminder delivery under faults and restarts: blocked chats, rate limits, network errors,
downtime. Nothing is lost, nothing is sent twice, nothing is sent late in a flood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.knowledge import KnowledgeBase
from tests.telegram.harness import BOT_NAME, FakeClock, Harness, running_bot
from tests.telegram.test_reminders import FIRST_DUE, USER, set_water_reminder
from tests.telegram_api import BotApiError, FakeBotApi

OTHER_USER = 2002


async def test_blocked_chat_is_paused_and_others_still_get_theirs(bot: Harness) -> None:
    await set_water_reminder(bot)
    await bot.say("/timezone Europe/Berlin", user_id=OTHER_USER)
    await bot.say("/remind water every 2h 08:00-22:00", user_id=OTHER_USER)
    bot.api.block_chat(USER)
    bot.clock.set(FIRST_DUE)
    await bot.wait_reminders(OTHER_USER, 1)
    await bot.quiet()
    assert bot.reminders_sent(USER) == []
    bot.api.unblock_chat(USER)
    listing = await bot.say("/reminders")
    assert "#1 💧 Water every 2 h, 08:00–22:00 — paused" in listing.plain
    assert "unreachable" in (await bot.say("/mydata")).plain
    bot.clock.set(FIRST_DUE + timedelta(hours=2))
    await bot.wait_reminders(OTHER_USER, 2)
    assert bot.reminders_sent(USER) == []


async def test_retry_after_is_waited_out(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.api.fail_next(
        "sendMessage", BotApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    )
    bot.clock.set(FIRST_DUE)
    await bot.wait_reminders(USER, 1)
    rejected = [c for c in bot.api.calls if c[0].lower() == "sendmessage"]
    assert len(rejected) >= 2  # the 429 and the retry
    await bot.quiet()
    assert len(bot.reminders_sent(USER)) == 1


async def test_network_errors_are_retried_until_delivered(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.api.fail_next("sendMessage", BotApiError(502, "Bad Gateway"), times=3)
    bot.clock.set(FIRST_DUE)
    # Backing off 0.5 + 1 + 2 s, and a failed attempt counts against the chat's 1 a second.
    await bot.wait_reminders(USER, 1, seconds=10)
    await bot.quiet()
    assert len(bot.reminders_sent(USER)) == 1


async def test_restarts_lose_nothing_and_repeat_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    database, api, clock = tmp_path / "bot.sqlite3", FakeBotApi(username=BOT_NAME), FakeClock()
    async with running_bot(kb, database, api, clock) as bot:
        await set_water_reminder(bot)
        clock.set(FIRST_DUE)
        await bot.wait_reminders(USER, 1)
    # Restart: the delivered reminder is not sent again.
    async with running_bot(kb, database, api, clock) as bot:
        await bot.quiet()
        assert len(bot.reminders_sent(USER)) == 1
    # Down over the next due time, back within the grace period: it is still delivered.
    clock.set(FIRST_DUE + timedelta(hours=2, minutes=5))
    async with running_bot(kb, database, api, clock) as bot:
        await bot.wait_reminders(USER, 2)
        await bot.quiet()
        assert len(bot.reminders_sent(USER)) == 2
    # Down far longer than the grace period: the missed one is skipped, not sent late, and
    # the schedule carries on.
    clock.set(FIRST_DUE + timedelta(hours=6, minutes=30))
    async with running_bot(kb, database, api, clock) as bot:
        await bot.quiet()
        assert len(bot.reminders_sent(USER)) == 2
        listing = await bot.say("/reminders")
        assert "next today 22:00" in listing.plain
        assert "skipped_late" in (await bot.say("/mydata")).plain
        clock.set(FIRST_DUE + timedelta(hours=8))
        await bot.wait_reminders(USER, 3)


async def test_a_claimed_reminder_survives_a_stop_mid_retry(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    database, api, clock = tmp_path / "bot.sqlite3", FakeBotApi(username=BOT_NAME), FakeClock()
    async with running_bot(kb, database, api, clock) as bot:
        await set_water_reminder(bot)
        api.fail_next("sendMessage", BotApiError(502, "Bad Gateway"), times=1000)
        clock.set(FIRST_DUE)
        await api.wait_for(lambda: sum(c[0] == "sendMessage" for c in api.calls) >= 4)
        assert bot.reminders_sent(USER) == []
    api.clear_faults()
    clock.set(FIRST_DUE + timedelta(minutes=1))
    async with running_bot(kb, database, api, clock) as bot:
        await bot.wait_reminders(USER, 1)
        await bot.quiet()
        assert len(bot.reminders_sent(USER)) == 1


async def test_daylight_saving_keeps_local_times(kb: KnowledgeBase, tmp_path: Path) -> None:
    # Saturday 2026-10-24 in Berlin; clocks go back at 03:00 on Sunday the 25th.
    clock = FakeClock(datetime(2026, 10, 24, 10, 0, tzinfo=UTC))
    async with running_bot(kb, tmp_path / "bot.sqlite3", clock=clock) as bot:
        await bot.say("/timezone Europe/Berlin")
        made = await bot.say("/remind stretch at 08:00")
        assert "Next one: tomorrow 08:00" in made.plain
        clock.set(datetime(2026, 10, 25, 6, 59, tzinfo=UTC))  # 07:59 winter time
        await bot.quiet()
        assert bot.reminders_sent(USER) == []
        clock.set(datetime(2026, 10, 25, 7, 0, tzinfo=UTC))  # 08:00 winter time
        await bot.wait_reminders(USER, 1)


async def test_reminders_follow_a_group_that_became_a_supergroup(bot: Harness) -> None:
    group, supergroup = -4001, -1004001
    bot.api.set_member_status(group, USER, "administrator")
    await set_water_reminder(bot, group, chat_type="group")
    upgraded = BotApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=supergroup,
    )
    bot.api.fail_next("sendMessage", upgraded)
    bot.api.send_text("hello", chat_id=supergroup, chat_type="supergroup", chat_title="Feet")
    bot.clock.set(FIRST_DUE)
    await bot.wait_reminders(supergroup, 1)
    bot.api.set_member_status(supergroup, USER, "administrator")
    listing = await bot.say("/reminders", chat_id=supergroup, chat_type="supergroup")
    assert "#1 💧 Water" in listing.plain
    assert "Europe/Berlin" in listing.plain


async def test_paid_broadcasts_mark_deliveries_and_never_replies(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    env = {"PAID_BROADCAST": "on", "SEND_RATE": "1000"}
    async with running_bot(kb, tmp_path / "bot.sqlite3", env=env) as bot:
        await set_water_reminder(bot)
        bot.clock.set(FIRST_DUE)
        await bot.wait_reminders(USER, 1)
    sends = [params for name, params in bot.api.calls if name == "sendMessage"]
    marked = [params for params in sends if params.get("allow_paid_broadcast")]
    assert len(marked) == 1  # the reminder, not the replies that set it up
    assert "Time for some water" in str(marked[0]["text"])
    assert len(sends) > 1
