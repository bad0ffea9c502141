"""DiscordStandIn: the world, the injectors, the records and the faults, over loopback HTTP."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.discord_api import routes_app, routes_messages
from tests.discord_api.core import DIRECT_MESSAGES, GUILD_MESSAGES, MESSAGE_CONTENT, State
from tests.discord_api.gateway import Gateway
from tests.discord_api.interactions import (
    check_visible,
    command_data,
    component_data,
    find_command,
    interaction_payload,
)
from tests.discord_api.records import InteractionHandle, Posted, Request, UserMessage
from tests.discord_api.rest import Api, Limits, RateLimitRule, path_pattern
from tests.discord_api.world import (
    DM_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    JSON,
    Channel,
    Guild,
    Member,
    User,
    World,
    now_iso,
)


class DiscordStandIn:
    """A Discord on 127.0.0.1: REST under base_url, the gateway at gateway_url."""

    def __init__(
        self,
        *,
        bot_name: str = "cramp-coach",
        privileged_intents: int = 0,
        bucket_limit: int = 50,
        bucket_window: float = 1.0,
        global_limit: int | None = 50,
        interaction_deadline: float = 3.0,
    ) -> None:
        self._world = World(bot_name)
        self._state = State(self._world, interaction_deadline=interaction_deadline)
        self._gateway = Gateway(self._state, lambda: self.gateway_url, privileged_intents)
        self._state.gateway = self._gateway
        self._limits = Limits(bucket_limit, bucket_window, global_limit)
        gateway_routes = routes_app.gateway_routes(lambda: self.gateway_url)
        routes = routes_app.ROUTES + gateway_routes + routes_messages.ROUTES
        self._api = Api(self._state, routes, self._limits)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.token = "stand-in." + secrets.token_urlsafe(24)  # any token works; this one is handy

    # --- lifecycle ---

    async def start(self) -> Self:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/gateway/", self._gateway.handler)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._api.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", 0))
            self._port = sock.getsockname()[1]
            await web.SockSite(self._runner, sock).start()
        except BaseException:
            sock.close()
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        """Close the gateway connections and the server."""
        await self._gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What discord.http.Route.BASE should be: http://127.0.0.1:PORT/api/v10."""
        return f"http://127.0.0.1:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway websocket, as GET /gateway/bot and READY's resume_gateway_url give it."""
        return f"ws://127.0.0.1:{self._port}/gateway/"

    @property
    def application_id(self) -> int:
        """The application's id (also the bot user's id)."""
        return self._world.application_id

    @property
    def interaction_deadline(self) -> float:
        """Seconds a client has for an interaction's callback (Discord: 3)."""
        return self._state.interaction_deadline

    @interaction_deadline.setter
    def interaction_deadline(self, seconds: float) -> None:
        self._state.interaction_deadline = seconds

    @property
    def bot(self) -> User:
        """The bot user."""
        return self._world.bot

    # --- the world (build it before the client connects: READY carries it) ---

    def add_user(self, name: str) -> User:
        """A person who can use the bot."""
        return self._world.add_user(name)

    def add_guild(
        self, name: str, *, owner: User | None = None, bot_permissions: int = EVERYONE_PERMISSIONS
    ) -> Guild:
        """A guild with the bot in it; the bot's role grants bot_permissions."""
        return self._world.add_guild(name, owner=owner, bot_permissions=bot_permissions)

    def add_channel(self, guild: Guild, name: str) -> Channel:
        """A text channel in the guild."""
        return self._world.add_channel(guild, name)

    def add_member(self, guild: Guild, user: User, permissions: int = 0) -> Member:
        """Put the user in the guild with extra permission bits (e.g. MANAGE_GUILD)."""
        return self._world.add_member(guild, user, permissions)

    def dm_channel(self, user: User) -> Channel:
        """The user's DM channel with the bot (opened if need be)."""
        return self._world.dm_channel(user)

    # --- the client's connection ---

    async def ready(self, patience: float = 5.0) -> None:
        """Wait until the client has identified and has read READY and every GUILD_CREATE."""
        await self._gateway.wait_ready(patience)
        await self._gateway.barrier(patience)

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the client's gateway connection; discord.py then resumes."""
        await self._gateway.drop(code)

    @property
    def identify(self) -> JSON | None:
        """The last IDENTIFY's data (intents, properties, token)."""
        frames = [f for f in self._gateway.frames if f.get("op") == 2]
        return frames[-1]["d"] if frames else None

    @property
    def gateway_queries(self) -> list[dict[str, str]]:
        """Each gateway connection's query string (v, encoding, compress)."""
        return list(self._gateway.queries)

    @property
    def gateway_frames(self) -> list[JSON]:
        """Every frame the client sent on the gateway."""
        return list(self._gateway.frames)

    # --- what users do ---

    async def _inject(
        self, kind: int, user: User, channel: Channel, data: JSON, message: JSON | None = None
    ) -> InteractionHandle:
        state = self._state
        ids = (self._world.ids.next(), secrets.token_urlsafe(48))
        payload = interaction_payload(state, ids, kind, user, channel, data)
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(
            ids[0], ids[1], kind, user, channel, channel.guild, payload, state.ledger, state.now()
        )
        state.interactions[handle.id] = handle
        state.ledger.interactions.append(handle)
        if not await self._gateway.dispatch("INTERACTION_CREATE", payload):
            raise RuntimeError("no client has identified on the gateway")
        return handle

    def _command(self, user: User, name: str, channel: Channel | None) -> tuple[JSON, Channel]:
        where = channel if channel is not None else self._world.dm_channel(user)
        command = find_command(self._state, name.split()[0], where.guild)
        member = where.guild.member(user) if where.guild else None
        check_visible(command, where.guild, member.permissions if member else DM_PERMISSIONS)
        return command, where

    async def slash(
        self,
        user: User,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel: Channel | None = None,
    ) -> InteractionHandle:
        """The user runs /name ("group sub" for subcommands) in channel, or in DMs if None."""
        command, where = self._command(user, name, channel)
        data = command_data(command, name.split()[1:], options or {}, where.guild)
        return await self._inject(2, user, where, data)

    async def autocomplete(
        self,
        user: User,
        name: str,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        *,
        channel: Channel | None = None,
    ) -> InteractionHandle:
        """The user types `value` into option `focused` of /name; await .choices() after."""
        command, where = self._command(user, name, channel)
        given = {**(options or {}), focused: value}
        data = command_data(command, name.split()[1:], given, where.guild, focused)
        return await self._inject(4, user, where, data)

    async def press(
        self, user: User, message: Posted | int, custom_id: str, values: list[str] | None = None
    ) -> InteractionHandle:
        """The user clicks a button (or picks `values` in a select) on a message the bot sent."""
        message_id = message.message_id if isinstance(message, Posted) else message
        stored = self._state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise ValueError(f"the bot has no message {message_id}")
        data = component_data(stored.json, custom_id, values)
        return await self._inject(3, user, stored.channel, data, dict(stored.json))

    async def _user_message(self, user: User, channel: Channel, text: str) -> UserMessage:
        message: JSON = {
            "id": str(self._world.ids.next()),
            "channel_id": str(channel.id),
            "author": user.json(),
            "content": text,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        intent = DIRECT_MESSAGES
        if channel.guild is not None:
            intent = GUILD_MESSAGES
            message["guild_id"] = str(channel.guild.id)
            member = channel.guild.member(user)
            if member is None:
                raise ValueError(f"{user.name} is not a member of {channel.guild.name}")
            message["member"] = {k: v for k, v in member.json().items() if k != "user"}
            session = self._gateway.current
            mentioned = f"<@{self.bot.id}>" in text
            if not mentioned and not (session and session.intents & MESSAGE_CONTENT):
                message["content"] = ""  # no message-content intent: Discord blanks it
        delivered = await self._gateway.dispatch("MESSAGE_CREATE", message, intent=intent)
        return UserMessage(int(message["id"]), channel, text, delivered)

    async def dm(self, user: User, text: str) -> UserMessage:
        """The user writes to the bot in DMs (content arrives without the privileged intent)."""
        return await self._user_message(user, self._world.dm_channel(user), text)

    async def say(self, user: User, channel: Channel, text: str) -> UserMessage:
        """The user writes in a guild channel (content blank unless intent or mention)."""
        return await self._user_message(user, channel, text)

    # --- what the bot did ---

    @property
    def messages(self) -> list[Posted]:
        """Every message the bot posted or changed, in order."""
        return list(self._state.ledger.posted)

    @property
    def requests(self) -> list[Request]:
        """Every REST request, in order of answer."""
        return list(self._state.ledger.requests)

    @property
    def unknown_routes(self) -> list[Request]:
        """Requests to routes the stand-in does not know (answered 404)."""
        return list(self._api.unknown)

    @property
    def interactions(self) -> list[InteractionHandle]:
        """Every injected interaction."""
        return list(self._state.ledger.interactions)

    def commands(self, guild: Guild | None = None) -> list[JSON]:
        """The commands as last synced, globally or for the guild."""
        return list(self._state.commands.get(guild.id if guild else None, []))

    def message(self, message_id: int) -> JSON:
        """A bot message as it stands now."""
        return dict(self._state.messages[message_id].json)

    def deleted(self, message_id: int) -> bool:
        """Whether the bot deleted the message."""
        return self._state.messages[message_id].deleted

    def in_channel(self, channel: Channel) -> list[Posted]:
        """What the bot posted or changed in the channel."""
        return [p for p in self._state.ledger.posted if p.channel_id == channel.id]

    async def next_message(self, patience: float = 5.0) -> Posted:
        """The next message change not yet returned by next_message."""
        return await self._state.ledger.next_message(patience)

    async def wait_for(self, predicate: Callable[[Posted], bool], patience: float = 5.0) -> Posted:
        """The first message change, past or future, that matches the predicate."""
        return await self._state.ledger.wait_for(predicate, patience)

    async def wait_posted(self, count: int, patience: float = 5.0) -> None:
        """Wait until the bot has posted or changed `count` messages in all (a check that
        costs the same however many are waited for, for benchmarks of thousands)."""
        ledger = self._state.ledger
        await ledger.until(lambda: len(ledger.posted) >= count, patience, f"{count} messages")

    async def wait_request(
        self, predicate: Callable[[Request], bool], patience: float = 5.0
    ) -> Request:
        """The first answered REST request, past or future, that matches the predicate."""
        ledger = self._state.ledger
        await ledger.until(lambda: any(map(predicate, ledger.requests)), patience, "request")
        return next(r for r in ledger.requests if predicate(r))

    async def settled(self, patience: float = 5.0) -> None:
        """Wait until the client read every event, answered every interaction, and went quiet.

        Quiet: no request in flight, every 429 retried, every interaction called back and every
        deferral filled in. Work the bot starts on its own (e.g. after a DM) is not visible.
        """
        await self._gateway.barrier(patience)
        ledger = self._state.ledger
        await ledger.until(ledger.quiet, patience, "quiet client")

    # --- faults ---

    def rate_limit(
        self, pattern: str, retry_after: float, count: int = 1, *, global_: bool = False
    ) -> None:
        """The next `count` requests matching e.g. 'POST /channels/*/messages' get a 429."""
        self._limits.rules.append(
            RateLimitRule(path_pattern(pattern), retry_after, count, global_)
        )

    def forbid_dms(self, user: User) -> None:
        """The user blocks DMs: sends to their DM channel get 403 50007."""
        user.dms_forbidden = True

    def revoke_access(self, channel: Channel) -> None:
        """The bot loses access: the channel's routes get 403 50001 Missing Access."""
        channel.access = "revoked"

    async def delete_channel(self, channel: Channel) -> None:
        """The channel is deleted: its routes get 404 10003; CHANNEL_DELETE is dispatched."""
        channel.access = "deleted"
        if channel.guild is not None:
            await self._gateway.dispatch("CHANNEL_DELETE", channel.json(), intent=1)
