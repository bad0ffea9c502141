"""The Discord front end end to end: discord.py's real code against the stand-in Discord.
Slash commands answer with embeds, buttons edit their message, reminders arrive in DMs on
the injected clock, channels' reminders are for managers, and Discord's refusals are kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.texts import ADMINS_ONLY
from tests.discord.harness import Bot, discord_bot, labels, text
from tests.telegram.harness import START
from tests.telegram.test_serving import free_port

# A reminder set at START (10:00 UTC) for every 2 h from 08:00 in UTC is first due at 12:00.
FIRST_DUE = START + timedelta(hours=2)


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Bot]:
    async with discord_bot(kb, tmp_path / "bot.sqlite3") as running:
        yield running


async def water_reminder(bot: Bot) -> None:
    """ana sets a water reminder in her DMs, in UTC."""
    zone = await bot.slash(bot.ana, "timezone", zone="UTC")
    assert "Time zone set to UTC" in text(zone)
    made = await bot.slash(bot.ana, "remind", what="water every 2h 08:00-22:00")
    assert "Reminder #1 set" in text(made)


async def test_every_command_is_published_with_its_argument(bot: Bot) -> None:
    commands = {c["name"]: c for c in bot.discord.commands()}
    assert {"menu", "causes", "foods", "nutrient", "relief", "redflags", "remind"} <= set(commands)
    assert "stats" not in commands  # the operator's commands are Telegram's
    for command in commands.values():  # in servers the bot is in and DMs, nowhere else
        assert (sorted(command["contexts"]), command["integration_types"]) == ([0, 1], [0])
    (nutrient,) = commands["foods"]["options"]
    assert (nutrient["name"], nutrient["type"], nutrient.get("required", False)) == (
        "nutrient",
        3,
        False,
    )
    assert nutrient["autocomplete"] is True
    assert "options" not in commands["relief"] or not commands["relief"]["options"]
    assert not bot.discord.unknown_routes


async def test_a_slash_command_answers_with_an_embed(bot: Bot) -> None:
    reply = await bot.slash(bot.ana, "foods", nutrient="magnesium")
    assert reply.kind == "reply"
    assert text(reply).startswith("Magnesium: top foods")
    assert labels(reply)[0] == "All 17 foods ▸"  # the detail, a button away
    await bot.quiet()
    assert bot.discord.messages == [reply]  # one answer, nothing else


async def test_autocomplete_offers_nutrients_as_they_are_typed(bot: Bot) -> None:
    typing = await bot.discord.autocomplete(bot.ana, "foods", "nutrient", "mag")
    choices = await typing.choices()
    assert choices[0] == {"name": "Magnesium", "value": "magnesium"}
    typo = await (
        await bot.discord.autocomplete(bot.ana, "stretches", "stretch", "calff")
    ).choices()
    assert typo  # a typo still offers the close names
    await bot.quiet()
    assert bot.discord.messages == []


async def test_a_button_press_edits_its_message(bot: Bot) -> None:
    reply = await bot.slash(bot.ana, "foods", nutrient="magnesium")
    more = await bot.press(bot.ana, reply, "All 17 foods ▸")
    assert (more.kind, more.message_id) == ("update", reply.message_id)
    assert text(more) != text(reply)
    back = await bot.press(bot.ana, more, "◀ Back")
    assert text(back) == text(reply)


async def test_a_warning_sign_in_a_dm_gets_the_warning_first(bot: Bot) -> None:
    await bot.discord.dm(bot.ana, "my calf is hot, red and swollen")
    answer = await bot.discord.next_message()
    assert answer.channel_id == bot.discord.dm_channel(bot.ana).id
    assert "See a doctor today" in text(answer)
    assert not any("Stretch" in label for label in labels(answer))


async def test_words_after_a_command_are_triaged_too(bot: Bot) -> None:
    reply = await bot.slash(bot.ana, "causes", bot.general, group="chest pain and my arm is numb")
    assert text(reply).startswith("🚨")


async def test_a_dm_reminder_arrives_when_due_with_working_buttons(bot: Bot) -> None:
    await water_reminder(bot)
    await bot.quiet()
    before = len(bot.discord.messages)
    bot.clock.set(FIRST_DUE)
    reminder = await bot.discord.wait_for(lambda p: p.kind == "send")
    assert reminder.channel_id == bot.discord.dm_channel(bot.ana).id
    assert "💧" in text(reminder)
    assert {"✓ Done", "⏰ Snooze 30 min", "⏭ Skip today"} <= set(labels(reminder)) or labels(
        reminder
    )
    done = await bot.press(bot.ana, reminder, "Done")
    assert text(done).endswith("✓ Done")
    assert done.components == []
    await bot.quiet()
    assert len(bot.discord.messages) == before + 2  # the reminder and its edit, once each


async def test_a_member_who_may_not_manage_is_refused_a_channel_reminder(bot: Bot) -> None:
    refused = await bot.slash(bot.ana, "remind", bot.general, what="water every 2h")
    assert text(refused) == ADMINS_ONLY
    for manager in (bot.ben, bot.cat):
        zone = await bot.slash(manager, "timezone", bot.general, zone="Europe/Berlin")
        assert "Europe/Berlin" in text(zone)
    made = await bot.slash(bot.ben, "remind", bot.general, what="water every 2h 08:00-22:00")
    assert "Reminder #1 set" in text(made)
    listing = await bot.slash(bot.ana, "reminders", bot.general)  # anyone may look
    assert "#1 💧 Water every 2 h" in text(listing)


async def test_a_rate_limit_is_waited_out_and_the_reminder_sent_once(bot: Bot) -> None:
    await water_reminder(bot)
    await bot.quiet()
    bot.discord.rate_limit("POST /channels/*/messages", retry_after=0.2)
    bot.clock.set(FIRST_DUE)
    reminder = await bot.discord.wait_for(lambda p: p.kind == "send")
    sends = [r for r in bot.discord.requests if r.route == "POST /channels/{channel_id}/messages"]
    limited, delivered = sends[0], sends[-1]
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.started - limited.finished >= 0.2 - 0.01  # waited out, not hammered
    await bot.quiet()
    assert [p for p in bot.discord.messages if p.kind == "send"] == [reminder]


async def test_a_user_who_cannot_be_messaged_has_their_reminders_paused(bot: Bot) -> None:
    await water_reminder(bot)
    await bot.quiet()
    bot.discord.forbid_dms(bot.ana)
    bot.clock.set(FIRST_DUE)
    await bot.quiet()
    assert [p for p in bot.discord.messages if p.kind == "send"] == []
    (reminder,) = await bot.core.store.reminders(bot.discord.dm_channel(bot.ana).id)
    assert not reminder.active  # paused, not retried forever
    bot.clock.set(FIRST_DUE + timedelta(hours=2))
    await bot.quiet()
    attempts = [r for r in bot.discord.requests if r.status == 403]
    assert len(attempts) == 1  # one refused attempt, then nothing more


async def test_a_channel_the_bot_lost_access_to_has_its_reminders_paused(bot: Bot) -> None:
    await bot.slash(bot.ben, "timezone", bot.general, zone="UTC")
    made = await bot.slash(bot.ben, "remind", bot.general, what="water every 2h 08:00-22:00")
    assert "Reminder #1 set" in text(made)
    await bot.quiet()
    bot.discord.revoke_access(bot.general)
    bot.clock.set(FIRST_DUE)
    await bot.quiet()
    (reminder,) = await bot.core.store.reminders(bot.general.id)
    assert not reminder.active
    assert [p for p in bot.discord.messages if p.kind == "send"] == []


async def test_a_long_reminder_list_keeps_within_discords_25_buttons(bot: Bot) -> None:
    await bot.slash(bot.ana, "timezone", zone="UTC")
    for hour in range(10):
        made = await bot.slash(bot.ana, "remind", what=f"water at {hour + 8:02d}:00")
        assert "set" in text(made)
    listing = await bot.slash(bot.ana, "reminders")
    shown = labels(listing)
    assert len(shown) <= 25
    assert shown[-1] == "➕ New reminder"
    assert "Buttons for the first 8; for the others, /stop" in text(listing)
    assert "#10 💧" in text(listing)  # every reminder is listed


async def test_discord_alone_answers_healthz_when_a_port_is_set(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    port = free_port()
    async with (
        discord_bot(kb, tmp_path / "bot.sqlite3", PORT=str(port), LISTEN_ADDRESS="127.0.0.1"),
        httpx.AsyncClient() as http,
    ):
        ready = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ok",
            "database": True,
            "dispatcher": True,
            "discord": True,
        }
        assert (await http.get(f"http://127.0.0.1:{port}/other")).status_code == 404
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.TransportError):
            await http.get(f"http://127.0.0.1:{port}/healthz")  # closed with the bot
