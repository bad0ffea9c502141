"""Reminders end to end: set up, delivered when the clock says so, buttons, limits, rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.telegram.harness import START, Harness

USER = 1001
OTHER_USER = 2002
OTHER = OTHER_USER
GROUP = -3001
# START is 10:00 UTC = 12:00 in Berlin (summer time): every 2 h from 08:00 is next due at
# 14:00 Berlin = 12:00 UTC.
FIRST_DUE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def set_water_reminder(bot: Harness, chat_id: int | None = None, **kw: str) -> None:
    zone = await bot.say("/timezone Europe/Berlin", chat_id=chat_id, **kw)
    assert "Europe/Berlin" in zone.plain
    made = await bot.say("/remind water every 2h 08:00-22:00", chat_id=chat_id, **kw)
    assert "Reminder #1 set" in made.plain
    assert "Next one: today 14:00" in made.plain


async def test_reminder_arrives_when_due_and_only_once(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.clock.set(FIRST_DUE - timedelta(seconds=1))
    await bot.quiet()
    assert bot.reminders_sent(USER) == []
    bot.clock.set(FIRST_DUE)
    (reminder,) = await bot.wait_reminders(USER, 1)
    assert "Time for some water" in (reminder.plain or "")
    assert reminder.message_id is not None
    message = bot.current(USER, reminder.message_id)
    assert bot.labels(USER, message) == ["Done ✓", "Snooze 15 min", "Skip today"]
    await bot.quiet()
    assert len(bot.reminders_sent(USER)) == 1
    data = await bot.say("/mydata")
    assert "1 entries" in data.plain
    assert "sent" in data.plain


async def test_tips_and_stretches_rotate(bot: Harness) -> None:
    await bot.say("/timezone UTC")
    await bot.say("/remind stretch at 10:30 11:00")
    bot.clock.set(START + timedelta(minutes=30))
    await bot.wait_reminders(USER, 1)
    bot.clock.set(START + timedelta(minutes=60))
    first, second = await bot.wait_reminders(USER, 2)
    assert "Stretch break" in (first.plain or "")
    assert first.plain != second.plain


async def test_snooze_then_done(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.clock.set(FIRST_DUE)
    (reminder,) = await bot.wait_reminders(USER, 1)
    assert reminder.message_id is not None
    message = bot.current(USER, reminder.message_id)
    snoozed = await bot.press(message, "Snooze", USER)
    assert "Snoozed until 14:15" in snoozed.plain
    assert bot.labels(USER, snoozed) == []
    bot.clock.set(FIRST_DUE + timedelta(minutes=14))
    await bot.quiet()
    assert len(bot.reminders_sent(USER)) == 1
    bot.clock.set(FIRST_DUE + timedelta(minutes=15))
    again = (await bot.wait_reminders(USER, 2))[1]
    assert again.message_id is not None
    done = await bot.press(bot.current(USER, again.message_id), "Done", USER)
    assert "✓ Done" in done.plain
    listing = await bot.say("/reminders")
    assert "next today 16:00" in listing.plain  # back on the schedule after the snooze


async def test_skip_today(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.clock.set(FIRST_DUE)
    (reminder,) = await bot.wait_reminders(USER, 1)
    assert reminder.message_id is not None
    skipped = await bot.press(bot.current(USER, reminder.message_id), "Skip today", USER)
    assert "Skipped for today. Next: tomorrow 08:00" in skipped.plain
    bot.clock.set(FIRST_DUE + timedelta(hours=8))  # 22:00 Berlin
    await bot.quiet()
    assert len(bot.reminders_sent(USER)) == 1
    bot.clock.set(datetime(2026, 6, 2, 6, 0, tzinfo=UTC))  # 08:00 Berlin
    await bot.wait_reminders(USER, 2)


async def test_pause_resume_and_delete_from_the_list(bot: Harness) -> None:
    await set_water_reminder(bot)
    listing = await bot.say("/reminders")
    paused = await bot.press(listing, "⏸ #1", USER)
    assert "paused" in paused.plain
    bot.clock.set(FIRST_DUE + timedelta(hours=1))
    await bot.quiet()
    assert bot.reminders_sent(USER) == []
    resumed = await bot.press(paused, "▶️ #1", USER)
    assert "next today 16:00" in resumed.plain
    asked = await bot.press(resumed, "🗑 #1", USER)
    assert "Delete reminder #1" in asked.plain
    gone = await bot.press(asked, "🗑 Delete", USER)
    assert "No reminders in this chat" in gone.plain
    bot.clock.set(FIRST_DUE + timedelta(hours=3))
    await bot.quiet()
    assert bot.reminders_sent(USER) == []


async def test_guided_setup_with_buttons(bot: Harness) -> None:
    start = await bot.say("/remind")
    step = await bot.press(start, "Drink water", USER)
    assert "how often" in step.plain
    step = await bot.press(step, "every 2 h", USER)
    assert "waking hours" in step.plain
    step = await bot.press(step, "08:00–22:00", USER)
    assert "Which time zone" in step.plain
    done = await bot.press(step, "Europe/Berlin", USER)
    assert "Reminder #1 set: 💧 Water every 2 h, 08:00–22:00 (Europe/Berlin)" in done.plain
    assert "Next one: today 14:00" in done.plain


async def test_edit_changes_the_schedule(bot: Harness) -> None:
    await set_water_reminder(bot)
    listing = await bot.say("/reminders")
    step = await bot.press(listing, "✏️ #1", USER)
    step = await bot.press(step, "09:00 · 13:00 · 18:00", USER)
    assert "Reminder #1 changed" in step.plain
    assert "at 09:00, 13:00, 18:00" in step.plain
    assert "Next one: today 13:00" in step.plain


async def test_another_chats_reminder_cannot_be_touched(bot: Harness) -> None:
    await set_water_reminder(bot)
    reply = await bot.say("/stop 1", user_id=OTHER_USER)
    assert "There is no reminder #1 in this chat" in reply.plain
    listing = await bot.say("/reminders")
    assert "#1 💧 Water" in listing.plain
    deleted = await bot.say("/stop #1")
    assert "Deleted reminder #1" in deleted.plain


async def test_group_admins_only(bot: Harness) -> None:
    group = {"chat_id": GROUP, "chat_type": "group"}
    refused = await bot.say("/remind water every 2h", **group)  # type: ignore[arg-type]
    assert "Only group admins" in refused.plain
    refused = await bot.say("/timezone Europe/Berlin", **group)  # type: ignore[arg-type]
    assert "Only group admins" in refused.plain
    bot.api.set_member_status(GROUP, USER, "administrator")
    await set_water_reminder(bot, GROUP, chat_type="group")
    bot.clock.set(FIRST_DUE)
    (reminder,) = await bot.wait_reminders(GROUP, 1)
    assert reminder.message_id is not None
    bot.api.set_member_status(GROUP, USER, "member")
    message = bot.current(GROUP, reminder.message_id)
    query_id = bot.api.press_button(
        GROUP, message.message_id, bot.button_data(GROUP, message.message_id, "Snooze")
    )
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    assert "Only group admins" in bot.api.callback_answers[query_id]["text"]
    done = await bot.press(message, "Done", GROUP)  # anyone may say they drank
    assert "✓ Done" in done.plain


async def test_limits_and_bad_input_change_nothing(bot: Harness) -> None:
    cases = {
        "/remind water every 0 min": "longer than zero",
        "/remind water every 5 min": "between 15 minutes and 12 hours",
        "/remind water at 25:99": "isn't a time of day",
        "/remind coffee every 2h": "water or stretch",
        "/remind " + "x<b>&" * 1000: "water or stretch",
        "/timezone Mars/Base": "I don't know the time zone",
        "/stop banana": "/stop 3",
        "/stop 999": "There is no reminder #999",
    }
    for command, expected in cases.items():
        reply = await bot.say(command)
        assert expected in reply.plain, (command, reply.plain)
        assert len(reply.plain) < 400
    data = await bot.say("/mydata")
    assert "I store nothing about this chat" in data.plain


async def test_at_most_twenty_reminders(bot: Harness) -> None:
    await bot.say("/timezone UTC")
    for hour in range(20):
        reply = await bot.say(f"/remind water at {hour:02d}:15")
        assert "set" in reply.plain
    refused = await bot.say("/remind water at 21:15")
    assert "already has 20 reminders" in refused.plain


async def test_stale_button_of_a_deleted_reminder(bot: Harness) -> None:
    await set_water_reminder(bot)
    bot.clock.set(FIRST_DUE)
    (reminder,) = await bot.wait_reminders(USER, 1)
    assert reminder.message_id is not None
    await bot.say("/stop 1")
    data = bot.button_data(USER, reminder.message_id, "Snooze")
    query_id = bot.api.press_button(USER, reminder.message_id, data)
    await bot.api.wait_for(lambda: query_id in bot.api.callback_answers)
    assert "There is no reminder #1" in bot.api.callback_answers[query_id]["text"]


async def test_stop_all_and_forget_ask_first(bot: Harness) -> None:
    await set_water_reminder(bot)
    asked = await bot.say("/stop all")
    assert "Delete all 1 reminders" in asked.plain
    cancelled = await bot.press(asked, "Cancel", USER)
    assert cancelled.plain == "Cancelled."
    assert "#1" in (await bot.say("/reminders")).plain
    asked = await bot.say("/forget")
    gone = await bot.press(asked, "Delete everything", USER)
    assert "everything stored about this chat is deleted" in gone.plain
    assert "I store nothing" in (await bot.say("/mydata")).plain


async def test_an_edited_command_does_not_run_again(bot: Harness) -> None:
    await set_water_reminder(bot)
    (command,) = [m for m in bot.api.user_messages(USER) if m["text"].startswith("/remind water")]
    before = len(bot.api.outbox)
    bot.api.edit_text(USER, command["message_id"], "/remind water every 3h 08:00-22:00")
    await bot.say("/help")  # processed after the edit: by now the edit was handled
    assert not any("Reminder #2" in (s.plain or "") for s in bot.api.outbox[before:]), (
        "an edited /remind created a second reminder"
    )
    assert "#2" not in (await bot.say("/reminders")).plain


async def test_a_double_tap_on_the_last_step_makes_one_reminder(bot: Harness) -> None:
    await bot.say("/timezone UTC")
    step = await bot.press(await bot.say("/remind"), "Drink water", USER)
    step = await bot.press(step, "every 2 h", USER)
    data = bot.button_data(USER, step.message_id, "08:00–22:00")
    first = bot.api.press_button(USER, step.message_id, data)
    second = bot.api.press_button(USER, step.message_id, data)
    await bot.api.wait_for(lambda: {first, second} <= set(bot.api.callback_answers))
    listing = await bot.say("/reminders")
    assert "#1 💧 Water" in listing.plain
    assert "#2" not in listing.plain


async def test_zone_step_offers_buttons_even_for_many_times(bot: Harness) -> None:
    times = " ".join(f"{hour:02d}:00" for hour in range(7, 18))  # 11 times a day
    asked = await bot.say(f"/remind stretch at {times}")
    assert "Which time zone" in asked.plain
    done = await bot.press(asked, "UTC", USER)
    assert "Reminder #1 set" in done.plain
    twelve = " ".join(f"{hour:02d}:00" for hour in range(7, 19))  # the most allowed
    asked = await bot.say(f"/remind water at {twelve}", user_id=OTHER)
    assert "Which time zone" in asked.plain
    assert "UTC" in bot.labels(OTHER, asked)


async def test_malformed_reminder_buttons_are_answered(bot: Harness) -> None:
    reply = await bot.say("/start")
    for data in ("R:", "R:z", "R:zz:1", "R:n:w:abc:::", "R:p:notanumber", "R:n:q:::::"):
        bot.api.set_buttons(USER, reply.message_id, [[("Old", data)]])
        query_id = bot.api.press_button(USER, reply.message_id, data)
        await bot.api.wait_for(lambda q=query_id: q in bot.api.callback_answers)
        answer = bot.api.callback_answers[query_id].get("text", "")
        assert answer, data
    sent = [s.plain or "" for s in bot.api.outbox if s.method == "sendMessage"]
    assert not any("something went wrong" in text for text in sent)


async def test_removal_from_a_group_pauses_its_reminders(bot: Harness) -> None:
    bot.api.set_member_status(GROUP, USER, "administrator")
    await set_water_reminder(bot, GROUP, chat_type="group")
    bot.api.remove_bot_from(GROUP)
    await bot.api.wait_for(lambda: bot.api.pending_updates == 0)
    await bot.quiet()
    calls_before = len(bot.api.calls)
    bot.clock.set(FIRST_DUE)
    await bot.quiet()
    # Paused on the membership change itself: not even an attempt to send.
    assert not any(
        method == "sendMessage" and params.get("chat_id") in (GROUP, str(GROUP))
        for method, params in bot.api.calls[calls_before:]
    )
