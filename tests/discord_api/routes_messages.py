"""REST routes that post: channel messages, interaction callbacks, followups and their edits."""

from __future__ import annotations

from tests.discord_api.core import State, Stored
from tests.discord_api.limits import ApiError, check_choices, check_message, invalid
from tests.discord_api.records import (
    CHOICES,
    DEFER,
    DEFER_UPDATE,
    EPHEMERAL,
    LOADING,
    MODAL,
    REPLY,
    UPDATE,
    InteractionHandle,
)
from tests.discord_api.rest import Call, Reply, Route
from tests.discord_api.routes_app import channel_of
from tests.discord_api.world import JSON, SEND_MESSAGES, VIEW_CHANNEL

TOKEN_LIFETIME = 15 * 60.0
# Which callbacks each interaction type accepts: command, component, autocomplete, modal submit.
ALLOWED = {2: {REPLY, DEFER, MODAL}, 3: {REPLY, DEFER, DEFER_UPDATE, UPDATE, MODAL}, 4: {CHOICES}}
ALLOWED[5] = {REPLY, DEFER, DEFER_UPDATE, UPDATE}


def _replace(stored: Stored, message: JSON) -> None:
    check_message(message)
    stored.json.clear()
    stored.json.update(message)


def _message_of(state: State, message_id: str, channel_id: int | None = None) -> Stored:
    stored = state.messages.get(int(message_id)) if message_id.isdigit() else None
    if stored is None or stored.deleted or (channel_id and stored.channel.id != channel_id):
        raise ApiError(404, 10008, "Unknown Message")
    return stored


async def send(call: Call) -> Reply:
    """POST /channels/{id}/messages: post to a channel (403 50007 if the user refuses DMs)."""
    state = call.state
    channel = channel_of(state, call.params["channel_id"])
    if channel.recipient is not None and channel.recipient.dms_forbidden:
        raise ApiError(403, 50007, "Cannot send messages to this user")
    wanted = VIEW_CHANNEL | SEND_MESSAGES
    if state.world.bot_permissions(channel) & wanted != wanted:
        raise ApiError(403, 50013, "Missing Permissions")
    payload = call.body or {}
    check_message(payload)
    if int(payload.get("flags") or 0) & EPHEMERAL:
        raise invalid("flags", "Ephemeral messages are only for interactions")
    stored = state.new_message(channel, payload, None)
    state.post("send", stored, None)
    await state.echo(stored)
    return 200, stored.json


async def get_message(call: Call) -> Reply:
    """GET /channels/{id}/messages/{mid}."""
    channel = channel_of(call.state, call.params["channel_id"])
    return 200, _message_of(call.state, call.params["message_id"], channel.id).json


async def edit_message(call: Call) -> Reply:
    """PATCH /channels/{id}/messages/{mid}: edit one of the bot's messages."""
    state = call.state
    channel = channel_of(state, call.params["channel_id"])
    stored = _message_of(state, call.params["message_id"], channel.id)
    _replace(stored, state.edited(stored.json, call.body or {}))
    state.post("edit", stored, stored.interaction)
    return 200, stored.json


async def delete_message(call: Call) -> Reply:
    """DELETE /channels/{id}/messages/{mid}."""
    channel = channel_of(call.state, call.params["channel_id"])
    _message_of(call.state, call.params["message_id"], channel.id).deleted = True
    return 204, None


async def typing(call: Call) -> Reply:
    """POST /channels/{id}/typing."""
    channel_of(call.state, call.params["channel_id"])
    return 204, None


async def callback(call: Call) -> Reply:
    """POST /interactions/{id}/{token}/callback: the one initial response, within 3 seconds."""
    state = call.state
    raw_id = call.params["interaction_id"]
    handle = state.interactions.get(int(raw_id)) if raw_id.isdigit() else None
    if handle is None or handle.token != call.params["token"]:
        raise ApiError(404, 10062, "Unknown interaction")
    if state.now() - handle.created > state.interaction_deadline:
        raise ApiError(404, 10062, "Unknown interaction")
    if handle.callback_type is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    body = call.body or {}
    kind, data = body.get("type"), body.get("data") or {}
    if kind not in ALLOWED[handle.type]:
        raise invalid(
            "type", f"Callback type {kind} is invalid for interaction type {handle.type}"
        )
    stored: Stored | None = None
    if kind == REPLY:
        check_message(data)
        stored = state.new_message(handle.channel, data, handle)
    elif kind == DEFER:
        flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        stored = state.new_message(handle.channel, {"flags": flags}, handle)
    elif kind in (DEFER_UPDATE, UPDATE):
        stored = state.messages[int(handle.payload["message"]["id"])]
        if kind == UPDATE:
            _replace(stored, state.edited(stored.json, data))
    elif kind == CHOICES:
        check_choices(data.get("choices"))
        handle.choices_ = list(data["choices"])
    handle.callback_type, handle.callback = kind, body
    if stored is not None:
        handle.original_id = int(stored.json["id"])
    if kind in (REPLY, DEFER, UPDATE):
        assert stored is not None
        state.post({REPLY: "reply", DEFER: "defer", UPDATE: "update"}[kind], stored, handle)
    state.ledger.changed()
    if kind == REPLY and stored is not None:
        await state.echo(stored)
    if call.query.get("with_response") not in ("1", "true", "True"):
        return 204, None
    interaction: JSON = {"id": str(handle.id), "type": handle.type}
    reply: JSON = {"interaction": interaction}
    if stored is not None:
        flags = stored.json["flags"]
        interaction["response_message_id"] = stored.json["id"]
        interaction["response_message_loading"] = bool(flags & LOADING)
        interaction["response_message_ephemeral"] = bool(flags & EPHEMERAL)
    if stored is not None and kind != DEFER_UPDATE:
        reply["resource"] = {"type": kind, "message": stored.json}
    return 200, reply


def _interaction_of(call: Call) -> InteractionHandle:
    state = call.state
    if call.params["application_id"] != str(state.world.application_id):
        raise ApiError(404, 10015, "Unknown Webhook")
    token = call.params["token"]
    handle = next((h for h in state.interactions.values() if h.token == token), None)
    if handle is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    if state.now() - handle.created > TOKEN_LIFETIME:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    return handle


def _own_message(call: Call, handle: InteractionHandle) -> Stored:
    raw = call.params["message_id"]
    if raw == "@original":
        if handle.original_id is None:
            raise ApiError(404, 10008, "Unknown Message")
        raw = str(handle.original_id)
    stored = _message_of(call.state, raw)
    if int(raw) != handle.original_id and int(raw) not in handle.message_ids:
        raise ApiError(404, 10008, "Unknown Message")
    return stored


async def followup(call: Call) -> Reply:
    """POST /webhooks/{app}/{token}: a followup; the first after a defer fills the deferral in."""
    state = call.state
    handle = _interaction_of(call)
    if handle.callback_type is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    payload = call.body or {}
    check_message(payload)
    if handle.callback_type == DEFER and not handle.completed and handle.original_id is not None:
        stored = state.messages[handle.original_id]
        _replace(stored, {**state.edited(stored.json, payload), "edited_timestamp": None})
    else:
        stored = state.new_message(handle.channel, payload, handle)
    handle.completed = True
    state.post("followup", stored, handle)
    await state.echo(stored)
    return (200, stored.json) if call.query.get("wait") in ("1", "true", "True") else (204, None)


async def get_webhook_message(call: Call) -> Reply:
    """GET /webhooks/{app}/{token}/messages/{mid or @original}."""
    return 200, _own_message(call, _interaction_of(call)).json


async def edit_webhook_message(call: Call) -> Reply:
    """PATCH /webhooks/{app}/{token}/messages/{mid or @original}: edits fill a deferral in."""
    state = call.state
    handle = _interaction_of(call)
    stored = _own_message(call, handle)
    _replace(stored, state.edited(stored.json, call.body or {}))
    if stored.json["id"] == str(handle.original_id):
        handle.completed = True
    state.post("edit", stored, handle)
    return 200, stored.json


async def delete_webhook_message(call: Call) -> Reply:
    """DELETE /webhooks/{app}/{token}/messages/{mid or @original}."""
    handle = _interaction_of(call)
    stored = _own_message(call, handle)
    stored.deleted = True
    if stored.json["id"] == str(handle.original_id):
        handle.completed = True
    call.state.ledger.changed()
    return 204, None


_WEBHOOK = "/webhooks/{application_id}/{token}"
ROUTES = [
    Route("POST", "/channels/{channel_id}/messages", send),
    Route("GET", "/channels/{channel_id}/messages/{message_id}", get_message),
    Route("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message),
    Route("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message),
    Route("POST", "/channels/{channel_id}/typing", typing),
    Route("POST", "/interactions/{interaction_id}/{token}/callback", callback, bot_auth=False),
    Route("POST", _WEBHOOK, followup, bot_auth=False),
    Route("GET", _WEBHOOK + "/messages/{message_id}", get_webhook_message, bot_auth=False),
    Route("PATCH", _WEBHOOK + "/messages/{message_id}", edit_webhook_message, bot_auth=False),
    Route("DELETE", _WEBHOOK + "/messages/{message_id}", delete_webhook_message, bot_auth=False),
]
