"""The stand-in's shared state: world, records, commands, stored messages and live interactions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from tests.discord_api.records import EPHEMERAL, LOADING, InteractionHandle, Ledger, Posted
from tests.discord_api.world import DM, JSON, Channel, World, now_iso

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class Dispatcher(Protocol):
    """How REST handlers reach the gateway."""

    async def dispatch(self, event: str, data: JSON, *, intent: int | None = None) -> bool:
        """Send one event to the connected client; False if it is not (entitled to it)."""
        ...


@dataclass(eq=False)
class Stored:
    """A message the bot posted, as it stands now."""

    json: JSON
    channel: Channel
    interaction: InteractionHandle | None
    deleted: bool = False


class State:
    """Everything the REST routes and the gateway share."""

    def __init__(self, world: World, *, interaction_deadline: float) -> None:
        self.world = world
        self.ledger = Ledger()
        self.messages: dict[int, Stored] = {}
        self.commands: dict[int | None, list[JSON]] = {None: []}  # by guild id; None is global
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self.interactions: dict[int, InteractionHandle] = {}
        self.interaction_deadline = interaction_deadline
        self.gateway: Dispatcher | None = None

    def now(self) -> float:
        """The event loop's clock, which every record uses."""
        return asyncio.get_running_loop().time()

    def command_id(self, guild_id: int | None, kind: int, name: str) -> int:
        """A command's id, kept across overwrites as Discord keeps it."""
        key = (guild_id, kind, name)
        if key not in self._command_ids:
            self._command_ids[key] = self.world.ids.next()
        return self._command_ids[key]

    def new_message(
        self, channel: Channel, payload: JSON, interaction: InteractionHandle | None
    ) -> Stored:
        """Store a new message from the bot, built from what it sent."""
        bot = self.world.bot
        message: JSON = {
            "id": str(self.world.ids.next()),
            "channel_id": str(channel.id),
            "author": bot.json(),
            "content": payload.get("content") or "",
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "attachments": payload.get("attachments") or [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(payload.get("tts")),
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "type": 0,
            "flags": int(payload.get("flags") or 0),
        }
        if channel.guild is not None:
            message["guild_id"] = str(channel.guild.id)
        if interaction is not None:
            message["webhook_id"] = str(self.world.application_id)
            message["application_id"] = str(self.world.application_id)
            message["type"] = 20 if interaction.type == 2 else 0
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.json(),
                "authorizing_integration_owners": interaction.payload[
                    "authorizing_integration_owners"
                ],
            }
        stored = Stored(message, channel, interaction)
        self.messages[int(message["id"])] = stored
        if interaction is not None:
            interaction.message_ids.add(int(message["id"]))
        return stored

    @staticmethod
    def edited(message: JSON, payload: JSON) -> JSON:
        """The message after an edit: fields sent replace the old ones, others stay."""
        message = dict(message)
        for key in ("content", "embeds", "components", "attachments"):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else type(message[key])()
        if payload.get("flags") is not None:
            keep = message["flags"] & EPHEMERAL
            message["flags"] = (int(payload["flags"]) & ~EPHEMERAL) | keep
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = now_iso()
        return message

    def post(self, kind: str, stored: Stored, interaction: InteractionHandle | None) -> Posted:
        """Record what the user now sees of the message."""
        message = stored.json
        posted = Posted(
            kind=kind,
            channel_id=stored.channel.id,
            message_id=int(message["id"]),
            content=message["content"],
            embeds=list(message["embeds"]),
            components=list(message["components"]),
            flags=message["flags"],
            interaction=interaction,
            at=self.now(),
            message=dict(message),
        )
        self.ledger.add_posted(posted)
        return posted

    async def echo(self, stored: Stored) -> None:
        """Tell the gateway about the bot's own new message, as Discord does."""
        if self.gateway is None or stored.json["flags"] & EPHEMERAL:
            return
        intent = DIRECT_MESSAGES if stored.channel.type == DM else GUILD_MESSAGES
        await self.gateway.dispatch("MESSAGE_CREATE", dict(stored.json), intent=intent)
