"""INTERACTION_CREATE payloads as Discord builds them: options typed from the synced commands."""

from __future__ import annotations

from typing import Any

from tests.discord_api.core import State
from tests.discord_api.limits import all_components
from tests.discord_api.world import JSON, Channel, Guild, User

SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, NUMBER = 1, 2, 3, 4, 5, 6, 7, 10
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


def find_command(state: State, name: str, guild: Guild | None) -> JSON:
    """The synced chat-input command a user could pick here (guild commands first)."""
    pools = ([state.commands.get(guild.id, [])] if guild else []) + [state.commands[None]]
    for pool in pools:
        for command in pool:
            if command["name"] == name and command.get("type", 1) == 1:
                return command
    raise ValueError(f"no synced command /{name} here: did the client sync its commands?")


def check_visible(command: JSON, guild: Guild | None, permissions: int) -> None:
    """Discord only offers a command where its contexts and default permissions allow."""
    contexts = command.get("contexts")
    if guild is None and (
        command.get("dm_permission") is False
        or (contexts is not None and BOT_DM_CONTEXT not in contexts)
    ):
        raise ValueError(f"/{command['name']} is not offered in DMs")
    if guild is not None and contexts is not None and GUILD_CONTEXT not in contexts:
        raise ValueError(f"/{command['name']} is not offered in servers")
    needed = command.get("default_member_permissions")
    if guild is not None and needed is not None and int(needed) & permissions != int(needed):
        raise ValueError(f"/{command['name']} needs permissions {needed}; the user lacks them")


def _typed(option: JSON, value: Any, resolved: JSON, guild: Guild | None) -> Any:
    kind, name = option["type"], option["name"]
    if kind == STRING:
        if not isinstance(value, str):
            raise ValueError(f"option {name} takes a string, not {value!r}")
        if not option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000):
            raise ValueError(f"option {name}: {value!r} is outside its length limits")
    elif kind in (INTEGER, NUMBER):
        ok = int if kind == INTEGER else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok):
            raise ValueError(f"option {name} takes a number ({kind}), not {value!r}")
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"option {name}: {value} is outside [{low}, {high}]")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(f"option {name} takes a boolean, not {value!r}")
    elif kind == USER and isinstance(value, User):
        resolved.setdefault("users", {})[str(value.id)] = value.json()
        member = guild.member(value) if guild else None
        if member is not None:
            entry = member.json(with_permissions=True)
            del entry["user"]
            resolved.setdefault("members", {})[str(value.id)] = entry
        return str(value.id)
    elif kind == CHANNEL and isinstance(value, Channel):
        entry = {"id": str(value.id), "name": value.name, "type": value.type, "permissions": "0"}
        resolved.setdefault("channels", {})[str(value.id)] = entry
        return str(value.id)
    else:
        raise ValueError(f"option {name} of type {kind} is not supported by the stand-in")
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"option {name}: {value!r} is not one of its choices")
    return value


def typed_options(
    defs: list[JSON],
    given: dict[str, Any],
    resolved: JSON,
    guild: Guild | None,
    focused: str | None = None,
) -> list[JSON]:
    """The options as Discord sends them: each typed by its definition; one focused if asked."""
    by_name = {d["name"]: d for d in defs}
    for name in given:
        if name not in by_name:
            raise ValueError(f"no option {name!r}; the command has {sorted(by_name)}")
    out: list[JSON] = []
    for option in defs:
        name = option["name"]
        if name == focused:
            if not option.get("autocomplete"):
                raise ValueError(f"option {name} has no autocomplete")
            out.append({"name": name, "type": option["type"], "value": str(given.get(name, ""))})
            out[-1]["focused"] = True
        elif name in given:
            value = _typed(option, given[name], resolved, guild)
            out.append({"name": name, "type": option["type"], "value": value})
        elif option.get("required") and focused is None:
            raise ValueError(f"option {name} is required")
    return out


def command_data(
    command: JSON,
    path: list[str],
    options: dict[str, Any],
    guild: Guild | None,
    focused: str | None = None,
) -> JSON:
    """The data of a command interaction: `path` walks groups and subcommands."""
    resolved: JSON = {}
    defs = command.get("options") or []
    chain: list[JSON] = []
    for part in path:
        sub = next(
            (d for d in defs if d["name"] == part and d["type"] in (SUBCOMMAND, GROUP)), None
        )
        if sub is None:
            raise ValueError(f"/{command['name']} has no subcommand {part!r}")
        chain.append({"name": part, "type": sub["type"], "options": []})
        defs = sub.get("options") or []
    if any(d["type"] in (SUBCOMMAND, GROUP) for d in defs):
        raise ValueError(f"/{command['name']} needs a subcommand")
    leaf = typed_options(defs, options, resolved, guild, focused)
    for link in reversed(chain):
        link["options"] = leaf
        leaf = [link]
    data: JSON = {"id": command["id"], "name": command["name"], "type": 1, "options": leaf}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def component_data(message: JSON, custom_id: str, values: list[str] | None) -> JSON:
    """The data of a press on the message's component with this custom id."""
    found = [c for c in all_components(message["components"]) if c.get("custom_id") == custom_id]
    if not found:
        ids = [c.get("custom_id") for c in all_components(message["components"])]
        raise ValueError(f"no component {custom_id!r} on message {message['id']}; it has {ids}")
    component = found[0]
    if component.get("disabled"):
        raise ValueError(f"component {custom_id!r} is disabled")
    data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] != 2:
        data["values"] = list(values or [])
    elif values:
        raise ValueError("buttons take no values")
    return data


def interaction_payload(
    state: State, ids: tuple[int, str], kind: int, user: User, channel: Channel, data: JSON
) -> JSON:
    """INTERACTION_CREATE: `member` with permissions in guilds, `user` in DMs."""
    world = state.world
    guild = channel.guild
    payload: JSON = {
        "id": str(ids[0]),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "token": ids[1],
        "version": 1,
        "channel_id": str(channel.id),
        "channel": channel.json(),
        "locale": "en-US",
        "app_permissions": str(world.bot_permissions(channel)),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
        "context": GUILD_CONTEXT if guild else BOT_DM_CONTEXT,
    }
    if guild is None:
        payload["user"] = user.json()
        return payload
    member = guild.member(user)
    if member is None:
        raise ValueError(f"{user.name} is not a member of {guild.name}")
    payload["channel"]["permissions"] = str(member.permissions)
    payload.update(
        guild_id=str(guild.id),
        guild={"id": str(guild.id), "locale": "en-US", "features": []},
        guild_locale="en-US",
        member=member.json(with_permissions=True),
    )
    return payload
