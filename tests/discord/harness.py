"""The real bot's Discord front end against the stand-in Discord, over loopback: the core
with an injected clock, a database of its own, and the people and places tests use."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord.gateway import DiscordWebSocket

from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.discord.front import DiscordFrontEnd
from tests.discord_api import (
    MANAGE_CHANNELS,
    MANAGE_GUILD,
    Channel,
    DiscordStandIn,
    Guild,
    InteractionHandle,
    Posted,
    User,
)
from tests.telegram.harness import HEARTBEAT, FakeClock

# The stand-in takes any token; this one has the shape DISCORD_TOKEN is checked for.
TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.GstAnd.standin-token-not-a-real-secret-0000"
PRESS = 3  # a component interaction
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]+\)")
_MARKDOWN = re.compile(r"\*\*|(?<!\\)\*|\\(?=[\\*_~`|>#\-\[\]()])")


def plain(markdown: str) -> str:
    """What Discord shows for the embed's markdown: link texts, no marks or escapes."""
    return _MARKDOWN.sub("", _LINK.sub(r"\1", markdown))


@dataclass
class Bot:
    """The running bot, the stand-in it talks to, and who is where."""

    core: Core
    front: DiscordFrontEnd
    discord: DiscordStandIn
    clock: FakeClock
    guild: Guild
    general: Channel
    ana: User  # a member who may not manage the server
    ben: User  # may manage the server
    cat: User  # may manage channels

    async def slash(
        self, user: User, name: str, channel: Channel | None = None, **options: Any
    ) -> Posted:
        """Run /name as the user (in DMs when no channel) and return the reply."""
        asked = await self.discord.slash(user, name, options, channel=channel)
        return await answered(self.discord, asked)

    async def press(self, user: User, message: Posted, label: str) -> Posted:
        """Press the button whose label contains `label` and return what it changed."""
        pressed = await self.discord.press(user, message, custom_id(message, label))
        return await answered(self.discord, pressed)

    async def quiet(self) -> None:
        """Prove that nothing more is on its way: the dispatcher has ticked with nothing
        claimed left, and the client has answered everything and has nothing in flight."""
        await self.core.dispatcher.idle()
        await self.discord.settled()


async def answered(standin: DiscordStandIn, handle: InteractionHandle) -> Posted:
    """What the interaction finally shows, once the client has settled: a deferred answer
    ("thinking…") is filled in by a follow-up or an edit."""
    if handle.type == PRESS:
        # A press is answered "deferred, update", then its message edited (or a notice
        # sent): wait for that change, made after the press.
        pressed = int(handle.payload["message"]["id"])
        return await standin.wait_for(
            lambda p: (
                (p.interaction is handle and p.kind != "defer")
                or (p.message_id == pressed and p.kind == "edit" and p.at >= handle.created)
            )
        )
    await standin.settled()
    return handle.posted[-1]


def text(posted: Posted) -> str:
    """The visible text of a posted message: its embed's, or its content."""
    if posted.embeds:
        return plain(str(posted.embeds[0].get("description", "")))
    return posted.content


def labels(posted: Posted) -> list[str]:
    """Every button's label on the message, row by row."""
    return [b["label"] for row in posted.components for b in row["components"]]


def custom_id(posted: Posted, label: str) -> str:
    """The custom id of the button whose label contains `label`."""
    for row in posted.components:
        for button in row["components"]:
            if label in button.get("label", "") and "custom_id" in button:
                return str(button["custom_id"])
    raise AssertionError(f"no button {label!r} in {labels(posted)}")


@asynccontextmanager
async def discord_bot(kb: KnowledgeBase, database: Path, **env: str) -> AsyncIterator[Bot]:
    """The bot serving Discord alone, as `python -m bot` would with DISCORD_TOKEN set (and
    `env` added to its settings)."""
    gateway = DiscordWebSocket.DEFAULT_GATEWAY
    base = discord.http.Route.BASE
    async with DiscordStandIn() as standin:
        guild = standin.add_guild("Feet")
        general = standin.add_channel(guild, "general")
        ana, ben, cat = (standin.add_user(name) for name in ("ana", "ben", "cat"))
        standin.add_member(guild, ana)
        standin.add_member(guild, ben, permissions=MANAGE_GUILD)
        standin.add_member(guild, cat, permissions=MANAGE_CHANNELS)
        settings = load_settings(
            {
                "DISCORD_TOKEN": TOKEN,
                "DISCORD_API_URL": standin.base_url,
                "DATABASE_PATH": str(database),
                **env,
            }
        )
        clock = FakeClock()
        core = Core(settings, kb, clock=clock, heartbeat_seconds=HEARTBEAT)
        front = DiscordFrontEnd(core, guild_ready_timeout=0.05)
        try:
            async with running(core):
                yield Bot(core, front, standin, clock, guild, general, ana, ben, cat)
        finally:
            DiscordWebSocket.DEFAULT_GATEWAY = gateway
            discord.http.Route.BASE = base
