"""An in-memory Discord on 127.0.0.1 for discord.py's real HTTP and gateway code."""

from tests.discord_api.records import InteractionHandle, Posted, Request, UserMessage
from tests.discord_api.standin import DiscordStandIn
from tests.discord_api.world import (
    ADMINISTRATOR,
    MANAGE_CHANNELS,
    MANAGE_GUILD,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Member,
    User,
)

__all__ = [
    "ADMINISTRATOR",
    "MANAGE_CHANNELS",
    "MANAGE_GUILD",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "Channel",
    "DiscordStandIn",
    "Guild",
    "InteractionHandle",
    "Member",
    "Posted",
    "Request",
    "User",
    "UserMessage",
]
