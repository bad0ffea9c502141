"""The stand-in's world: snowflakes, users, guilds, channels, members and their Discord JSON."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits, as Discord numbers them.
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1
# What @everyone may do in a new server, and what a bot may do in a DM.
EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
DM_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)

GUILD_TEXT = 0
DM = 1


def now_iso() -> str:
    """The current time as Discord writes timestamps."""
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Discord-style ids: milliseconds since 2015 in the high bits, always increasing."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A fresh id, later than every id before it."""
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(stamp, self._last + 1)
        return self._last


@dataclass(eq=False)
class User:
    """A Discord user (a person, or the bot itself)."""

    id: int
    name: str
    bot: bool = False
    dm_channel: Channel | None = None
    dms_forbidden: bool = False

    def json(self) -> JSON:
        """The user object Discord sends."""
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }

    def me_json(self) -> JSON:
        """The user object of GET /users/@me and READY."""
        return {
            **self.json(),
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "locale": "en-US",
        }


@dataclass(eq=False)
class Role:
    """A role in a guild; @everyone has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    bot_id: int | None = None

    def json(self) -> JSON:
        """The role object Discord sends."""
        role: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.bot_id is not None,
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            role["tags"] = {"bot_id": str(self.bot_id)}
        return role


@dataclass(eq=False)
class Channel:
    """A guild text channel or a DM channel; access says what faults apply to it."""

    id: int
    name: str
    guild: Guild | None = None
    recipient: User | None = None
    access: str = "ok"  # "ok", "revoked" (403 Missing Access) or "deleted" (404)
    position: int = 0

    @property
    def type(self) -> int:
        """Discord's channel type: 0 guild text, 1 DM."""
        return DM if self.guild is None else GUILD_TEXT

    def json(self) -> JSON:
        """The channel object Discord sends."""
        if self.guild is None:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.recipient.json()],
            }
        return {
            "id": str(self.id),
            "type": GUILD_TEXT,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }


@dataclass(eq=False)
class Member:
    """A user's membership of a guild, with its roles."""

    user: User
    guild: Guild
    roles: list[Role] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)

    @property
    def permissions(self) -> int:
        """The member's permissions in any channel (there are no overwrites here)."""
        if self.user.id == self.guild.owner_id:
            return ALL_PERMISSIONS
        total = self.guild.everyone.permissions
        for role in self.roles:
            total |= role.permissions
        return ALL_PERMISSIONS if total & ADMINISTRATOR else total

    def json(self, *, with_permissions: bool = False) -> JSON:
        """The guild member object; interactions add the member's permissions."""
        member: JSON = {
            "user": self.user.json(),
            "roles": [str(role.id) for role in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "nick": None,
            "avatar": None,
            "banner": None,
            "pending": False,
            "flags": 0,
            "deaf": False,
            "mute": False,
            "communication_disabled_until": None,
        }
        if with_permissions:
            member["permissions"] = str(self.permissions)
        return member


@dataclass(eq=False)
class Guild:
    """A guild (server): roles, text channels and members, the bot among them."""

    id: int
    name: str
    owner_id: int
    everyone: Role
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)

    def member(self, user: User) -> Member | None:
        """The user's membership, if they are in the guild."""
        return self.members.get(user.id)

    def json(self, *, members: bool) -> JSON:
        """The guild object; GUILD_CREATE adds channels and (some) members."""
        guild: JSON = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [self.everyone.json(), *(role.json() for role in self.roles)],
        }
        if members:
            live = [c for c in self.channels if c.access != "deleted"]
            guild.update(
                unavailable=False,
                large=False,
                joined_at=now_iso(),
                member_count=len(self.members),
                channels=[c.json() for c in live],
                threads=[],
                voice_states=[],
                presences=[],
                stage_instances=[],
                guild_scheduled_events=[],
            )
        return guild


class World:
    """Everyone and everything the stand-in knows, keyed by id."""

    def __init__(self, bot_name: str) -> None:
        self.ids = Snowflakes()
        self.application_id = self.ids.next()
        self.bot = User(self.application_id, bot_name, bot=True)
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}

    def add_user(self, name: str) -> User:
        """A new person."""
        user = User(self.ids.next(), name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User | None, bot_permissions: int) -> Guild:
        """A new guild with the bot in it (its managed role carries bot_permissions)."""
        guild_id = self.ids.next()
        everyone = Role(guild_id, "@everyone", EVERYONE_PERMISSIONS)
        owner_id = owner.id if owner is not None else self.ids.next()
        guild = Guild(guild_id, name, owner_id, everyone)
        self.guilds[guild.id] = guild
        bot_role = Role(self.ids.next(), self.bot.name, bot_permissions, 1, self.bot.id)
        guild.roles.append(bot_role)
        guild.members[self.bot.id] = Member(self.bot, guild, [bot_role])
        if owner is not None:
            guild.members[owner.id] = Member(owner, guild)
        return guild

    def add_channel(self, guild: Guild, name: str) -> Channel:
        """A new text channel in the guild."""
        channel = Channel(self.ids.next(), name, guild, position=len(guild.channels))
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, user: User, permissions: int) -> Member:
        """Put the user in the guild; nonzero permissions come from a role of their own."""
        roles: list[Role] = []
        if permissions:
            role = Role(self.ids.next(), f"{user.name}'s role", permissions, len(guild.roles) + 1)
            guild.roles.append(role)
            roles.append(role)
        member = Member(user, guild, roles)
        guild.members[user.id] = member
        return member

    def dm_channel(self, user: User) -> Channel:
        """The user's DM channel with the bot, opened on first use."""
        if user.dm_channel is None:
            user.dm_channel = Channel(self.ids.next(), "", recipient=user)
            self.channels[user.dm_channel.id] = user.dm_channel
        return user.dm_channel

    def bot_permissions(self, channel: Channel) -> int:
        """What the bot may do in the channel."""
        if channel.guild is None:
            return DM_PERMISSIONS
        member = channel.guild.member(self.bot)
        return 0 if member is None else member.permissions
