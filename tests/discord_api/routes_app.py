"""REST routes for who's who: users, the application, the gateway, commands, guilds, channels."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_api.core import State
from tests.discord_api.limits import ApiError, check_commands, invalid
from tests.discord_api.rest import Call, Reply, Route
from tests.discord_api.world import JSON, Channel, Guild, User


def user_of(state: State, user_id: str) -> User:
    """The user with the id, or Discord's 10013."""
    user = state.world.users.get(int(user_id)) if user_id.isdigit() else None
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return user


def guild_of(state: State, guild_id: str) -> Guild:
    """The guild with the id, or Discord's 10004."""
    guild = state.world.guilds.get(int(guild_id)) if guild_id.isdigit() else None
    if guild is None:
        raise ApiError(404, 10004, "Unknown Guild")
    return guild


def channel_of(state: State, channel_id: str) -> Channel:
    """The channel with the id, or 404 10003 if gone and 403 50001 if access was revoked."""
    channel = state.world.channels.get(int(channel_id)) if channel_id.isdigit() else None
    if channel is None or channel.access == "deleted":
        raise ApiError(404, 10003, "Unknown Channel")
    if channel.access == "revoked":
        raise ApiError(403, 50001, "Missing Access")
    return channel


def own_application(call: Call) -> None:
    """Only the bot's own application may be changed."""
    if call.params["application_id"] != str(call.state.world.application_id):
        raise ApiError(
            403, 20012, "You are not authorized to perform this action on this application"
        )


async def get_me(call: Call) -> Reply:
    """GET /users/@me: the bot user."""
    return 200, call.state.world.bot.me_json()


async def get_user(call: Call) -> Reply:
    """GET /users/{id}."""
    return 200, user_of(call.state, call.params["user_id"]).json()


async def open_dm(call: Call) -> Reply:
    """POST /users/@me/channels: the DM channel with a user (sending may still be refused)."""
    recipient = str((call.body or {}).get("recipient_id", ""))
    if not recipient:
        raise invalid("recipient_id", "This field is required")
    user = user_of(call.state, recipient)
    return 200, call.state.world.dm_channel(user).json()


async def application(call: Call) -> Reply:
    """GET /oauth2/applications/@me: the application, owned by a made-up person."""
    world = call.state.world
    owner = User(world.application_id + 1, "owner")
    return 200, {
        "id": str(world.application_id),
        "name": world.bot.name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 1 << 19,
        "owner": owner.json(),
        "team": None,
        "bot": world.bot.json(),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": len(world.guilds),
        "integration_types_config": {"0": {}},
    }


def gateway_routes(url: Callable[[], str]) -> list[Route]:
    """GET /gateway and /gateway/bot, answering with the stand-in's own websocket URL."""

    async def gateway(call: Call) -> Reply:
        return 200, {"url": url()}

    async def gateway_bot(call: Call) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return 200, {"url": url(), "shards": 1, "session_start_limit": limit}

    return [
        Route("GET", "/gateway", gateway, bot_auth=False),
        Route("GET", "/gateway/bot", gateway_bot),
    ]


def _stored_commands(call: Call, guild_id: int | None, commands: list[JSON]) -> list[JSON]:
    state = call.state
    stored = []
    for command in commands:
        kind = command.get("type", 1)
        item: JSON = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **command,
            "id": str(state.command_id(guild_id, kind, command["name"])),
            "application_id": str(state.world.application_id),
            "version": str(state.world.ids.next()),
            "type": kind,
        }
        if guild_id is not None:
            item["guild_id"] = str(guild_id)
        else:
            item.setdefault("contexts", [0, 1, 2])
            item.setdefault("integration_types", [0])
        stored.append(item)
    return stored


async def put_commands(call: Call) -> Reply:
    """PUT /applications/{app}/commands: replace the global commands (recorded)."""
    own_application(call)
    check_commands(call.body)
    call.state.commands[None] = _stored_commands(call, None, call.body)
    return 200, call.state.commands[None]


async def get_commands(call: Call) -> Reply:
    """GET /applications/{app}/commands."""
    own_application(call)
    return 200, call.state.commands[None]


async def put_guild_commands(call: Call) -> Reply:
    """PUT /applications/{app}/guilds/{guild}/commands: replace one guild's commands."""
    own_application(call)
    guild = guild_of(call.state, call.params["guild_id"])
    check_commands(call.body)
    call.state.commands[guild.id] = _stored_commands(call, guild.id, call.body)
    return 200, call.state.commands[guild.id]


async def get_guild_commands(call: Call) -> Reply:
    """GET /applications/{app}/guilds/{guild}/commands."""
    own_application(call)
    guild = guild_of(call.state, call.params["guild_id"])
    return 200, call.state.commands.get(guild.id, [])


async def get_guild(call: Call) -> Reply:
    """GET /guilds/{id}."""
    return 200, guild_of(call.state, call.params["guild_id"]).json(members=False)


async def get_guild_channels(call: Call) -> Reply:
    """GET /guilds/{id}/channels."""
    guild = guild_of(call.state, call.params["guild_id"])
    return 200, [c.json() for c in guild.channels if c.access != "deleted"]


async def get_member(call: Call) -> Reply:
    """GET /guilds/{id}/members/{user}."""
    guild = guild_of(call.state, call.params["guild_id"])
    user = user_of(call.state, call.params["user_id"])
    member = guild.member(user)
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    return 200, member.json()


async def get_channel(call: Call) -> Reply:
    """GET /channels/{id}."""
    return 200, channel_of(call.state, call.params["channel_id"]).json()


ROUTES = [
    Route("GET", "/users/@me", get_me),
    Route("POST", "/users/@me/channels", open_dm),
    Route("GET", "/users/{user_id}", get_user),
    Route("GET", "/oauth2/applications/@me", application),
    Route("GET", "/applications/@me", application),
    Route("PUT", "/applications/{application_id}/commands", put_commands),
    Route("GET", "/applications/{application_id}/commands", get_commands),
    Route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_guild_commands),
    Route("GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_guild_commands),
    Route("GET", "/guilds/{guild_id}", get_guild),
    Route("GET", "/guilds/{guild_id}/channels", get_guild_channels),
    Route("GET", "/guilds/{guild_id}/members/{user_id}", get_member),
    Route("GET", "/channels/{channel_id}", get_channel),
]
