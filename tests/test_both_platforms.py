"""Telegram and Discord served by one process over one database: each platform's reminders
are delivered by its own sender, once, and /mydata in one chat knows nothing of the other."""

from __future__ import annotations

import gc
from pathlib import Path

import discord
from discord.gateway import DiscordWebSocket

from bot.app import Core, running
from bot.collection import YOUNG_THRESHOLD
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.core.platforms import Platform
from bot.discord.front import DiscordFrontEnd
from bot.telegram.lifecycle import TelegramFrontEnd
from tests.bot_api_server import BotApiServer
from tests.discord.harness import TOKEN as DISCORD_TOKEN
from tests.discord.harness import answered, text
from tests.discord_api import DiscordStandIn
from tests.telegram.harness import BOT_NAME, HEARTBEAT, TOKEN, FakeClock, Harness
from tests.telegram.test_reminders import FIRST_DUE, USER, set_water_reminder
from tests.telegram_api import FakeBotApi


async def test_one_process_serves_both_and_delivers_each_reminder_once(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    gateway, base = DiscordWebSocket.DEFAULT_GATEWAY, discord.http.Route.BASE
    try:
        async with (
            BotApiServer(FakeBotApi(username=BOT_NAME), token=TOKEN) as server,
            DiscordStandIn() as standin,
        ):
            ana = standin.add_user("ana")
            settings = load_settings(
                {
                    "BOT_TOKEN": TOKEN,
                    "BOT_API_URL": server.base_url.removesuffix("/bot"),
                    "DISCORD_TOKEN": DISCORD_TOKEN,
                    "DISCORD_API_URL": standin.base_url,
                    "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
                }
            )
            clock = FakeClock()
            core = Core(settings, kb, clock=clock, heartbeat_seconds=HEARTBEAT)
            telegram = TelegramFrontEnd(core, poll=True)
            DiscordFrontEnd(core, guild_ready_timeout=0.05)
            before = gc.get_threshold()
            async with running(core):
                assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # set for bursts while it runs
                bot = Harness(server.api, telegram.app, server, clock)
                await set_water_reminder(bot)  # Europe/Berlin: first due at FIRST_DUE
                zone = await standin.slash(ana, "timezone", {"zone": "UTC"})
                assert "UTC" in text(await answered(standin, zone))
                asked = await standin.slash(ana, "remind", {"what": "water every 2h 08:00-22:00"})
                assert "Reminder #2 set" in text(await answered(standin, asked))
                assert core.health() == {
                    "database": True,
                    "dispatcher": True,
                    "telegram": True,
                    "discord": True,
                }
                clock.set(FIRST_DUE)
                (on_telegram,) = await bot.wait_reminders(USER, 1)
                on_discord = await standin.wait_for(lambda p: p.kind == "send")
                assert "Time for some water" in (on_telegram.plain or "")
                assert on_discord.channel_id == standin.dm_channel(ana).id
                await core.dispatcher.idle()
                await standin.settled()
                assert len(bot.reminders_sent(USER)) == 1
                assert [p for p in standin.messages if p.kind == "send"] == [on_discord]
                dm = await core.store.chat(standin.dm_channel(ana).id)
                assert dm is not None
                assert dm.platform is Platform.DISCORD
            assert gc.get_threshold() == before
    finally:
        DiscordWebSocket.DEFAULT_GATEWAY, discord.http.Route.BASE = gateway, base
