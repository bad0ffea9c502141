"""An in-memory Telegram Bot API: the methods the bot calls, validated the way Telegram does."""

from __future__ import annotations

import asyncio
import copy
import json
import math
import re
import string
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_COMMANDS = 100
MAX_SECRET_TOKEN_LENGTH = 256
# setWebhook's max_connections: Telegram's default, and the range it clamps other values to.
DEFAULT_WEBHOOK_CONNECTIONS = 40
WEBHOOK_CONNECTIONS_RANGE = (1, 100)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_ENDED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"
BUTTON_PREFIX = "Bad Request: can't parse inline keyboard button: "

# Parameters PTB (and any form-encoding client) sends as JSON text; Telegram decodes them.
_JSON_PARAMS = frozenset(
    {
        "allowed_updates",
        "button",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "results",
        "scope",
    }
)
_INT_PARAMS = frozenset(
    {
        "cache_time",
        "limit",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "reply_to_message_id",
        "timeout",
        "user_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "is_personal",
        "protect_content",
        "show_alert",
    }
)
_INTEGER = re.compile(r"-?\d+")

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_MEMBER_STATUSES = frozenset(
    {"creator", "administrator", "member", "restricted", "left", "kicked"}
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]*")
# Telegram's own bot-command pattern (tdlib match_bot_commands), anchored at the start.
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/<>])")
_TRIMMED = " \t\r\n"


class BotApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": code, "description": ...}."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Keep the fields Telegram sends back."""
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> JSON:
        """The reply body Telegram would send."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {
            "retry_after": self.retry_after,
            "migrate_to_chat_id": self.migrate_to_chat_id,
        }
        if any(value is not None for value in parameters.values()):
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        return body


# --- Telegram's HTML parse mode ------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# tdlib's is_space(); the NUL doubles as its end-of-string sentinel.
_HTML_SPACE = frozenset(" \t\r\n\v\f\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """The HTML is not something Telegram would accept; the text is Telegram's reason."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    out_index: int
    expandable: bool


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an HTML entity at text[pos] == '&' stands for and the index after it."""

    def at(i: int) -> str:
        return text[i] if i < len(text) else "\0"

    end = pos + 1
    if at(end) == "#":
        end += 1
        code = 0
        if at(end) == "x":
            end += 1
            while at(end) in string.hexdigits:
                code = code * 16 + int(at(end), 16)
                end += 1
        else:
            while at(end) in string.digits:
                code = code * 10 + int(at(end))
                end += 1
        # tdlib's limits: no NUL, nothing past Unicode, at most 9 characters.
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    return char, end


_MARKUP_START = re.compile(r"[<&]")


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Plain text and entities of Telegram-flavoured HTML, following tdlib's parse_html.

    With strict=True a '&' that starts no entity is an error; Telegram itself keeps it as
    text, but in generated HTML it almost always means a value went in unescaped.
    """

    def at(i: int) -> str:
        return text[i] if i < len(text) else "\0"

    def byte_offset(i: int) -> int:
        return len(text[:i].encode("utf-8", "surrogatepass"))

    def skip_spaces(i: int) -> int:
        while at(i) != "\0" and at(i) in _HTML_SPACE:
            i += 1
        return i

    out: list[str] = []
    entities: list[JSON] = []
    stack: list[_OpenTag] = []
    offset = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                offset += utf16_length(char)
                continue
            if strict:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)} '
                    "(FakeBotApi strict_html; Telegram would show it as text)"
                )
        if char != "<":
            # Copy the whole run of plain text up to the next tag or entity in one step.
            end = _MARKUP_START.search(text, i + 1)
            run = text[i : end.start() if end else len(text)]
            out.append(run)
            offset += utf16_length(run)
            i += len(run)
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _HTML_SPACE and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                i = skip_spaces(i)
                if at(i) == ">":
                    break
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                name_begin = i
                while at(i) not in _HTML_SPACE and at(i) not in "=>":
                    i += 1
                name = text[name_begin:i]
                if not name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                i = skip_spaces(i)
                if at(i) != "=":
                    if tag == "blockquote" and name.lower() == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i = skip_spaces(i + 1)
                if at(i) == "\0":
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _HTML_SPACE and at(i) != ">":
                        where = byte_offset(token_begin)
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {where}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) != quote and i < len(text):
                        if at(i) == "&":
                            decoded = _decode_entity(text, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if at(i) == "\0":
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append(_OpenTag(tag, argument, offset, len(out), expandable))
            i += 1
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while at(i) not in _HTML_SPACE and at(i) != ">":
            i += 1
        end_tag = text[begin + 2 : i].lower()
        i = skip_spaces(i)
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        top = stack.pop()
        if end_tag and end_tag != top.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{top.name}>", found "</{end_tag}>"'
            )
        if offset > top.offset:
            _close_entity(top, offset - top.offset, "".join(out[top.out_index :]), entities)
        i += 1

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


def _close_entity(tag: _OpenTag, length: int, inner: str, entities: list[JSON]) -> None:
    """Append the entity a closed tag makes, merging <pre><code class=...> as Telegram does."""
    entity: JSON = {"type": "", "offset": tag.offset, "length": length}
    last = entities[-1] if entities else None
    same_range = last is not None and (last["offset"], last["length"]) == (tag.offset, length)
    if tag.name in _SIMPLE_ENTITIES:
        entity["type"] = _SIMPLE_ENTITIES[tag.name]
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
    elif tag.name == "a":
        url = tag.argument or inner
        if not url:
            return
        entity.update(type="text_link", url=url)
    elif tag.name == "pre":
        if last is not None and same_range and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return
        entity["type"] = "pre"
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            entity["language"] = tag.argument
    else:
        entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
    entities.append(entity)


def _trim(plain: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing blanks as Telegram does, keeping entities aligned."""
    left = plain.lstrip(_TRIMMED)
    cut = utf16_length(plain) - utf16_length(left)
    text = left.rstrip(_TRIMMED)
    total = utf16_length(text)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - cut, 0)
        end = min(entity["offset"] + entity["length"] - cut, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, kept


# --- What the tests look at ---------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One bot call that changed what a user sees, in the order it happened."""

    method: str
    chat_id: int | None
    message_id: int | None
    text: str | None
    plain: str | None
    reply_markup: JSON | None
    params: JSON
    at: float


@dataclass(frozen=True)
class StoredMessage:
    """A bot message as it stands now, after edits."""

    message_id: int
    text: str
    plain: str
    reply_markup: JSON | None
    reply_to_message_id: int | None
    entities: list[JSON]


@dataclass(frozen=True)
class Button:
    """One inline keyboard button."""

    text: str
    callback_data: str | None
    url: str | None
    switch_inline_query: str | None
    switch_inline_query_current_chat: str | None
    raw: JSON


@dataclass(frozen=True)
class Webhook:
    """Where updates go while a webhook is set, and the secret to send with them."""

    url: str
    secret_token: str | None
    max_connections: int


@dataclass
class _Message:
    message_id: int
    chat_id: int
    sender: JSON
    from_bot: bool
    date: int
    text: str
    plain: str
    entities: list[JSON]
    reply_markup: JSON | None
    reply_to: int | None
    edit_date: int | None = None


@dataclass
class _Chat:
    info: JSON
    next_message_id: int = 1
    messages: dict[int, _Message] = field(default_factory=dict)

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.info["id"])


def _inline_markup(markup: JSON | None) -> JSON | None:
    """The markup if it is an inline keyboard: only those belong to a message."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def _normalize(params: Mapping[str, Any]) -> JSON:
    """Parameters as Telegram reads them, whether they came as form fields or JSON."""
    out: JSON = {}
    for key, raw in params.items():
        value = raw.decode() if isinstance(raw, bytes) else raw
        if value is None:
            continue
        if isinstance(value, str):
            if key in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise BotApiError(400, f"Bad Request: can't parse {key} JSON object") from None
            elif key in _INT_PARAMS or (key == "chat_id" and _INTEGER.fullmatch(value)):
                try:
                    value = int(float(value))
                except ValueError:
                    raise BotApiError(400, f"Bad Request: invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.lower() in ("true", "1")
        out[key] = value
    return out


def _require_int(params: JSON, key: str) -> int:
    """An integer parameter Telegram insists on."""
    value = params.get(key)
    if value is None or value == "":
        raise BotApiError(400, f"Bad Request: {key} is empty")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BotApiError(400, f"Bad Request: invalid {key} specified")
    return value


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits for sending messages (scaled up or down for tests)."""

    per_second: float = 30.0  # all chats together
    per_chat_per_second: float = 1.0  # one private chat
    per_group_per_minute: float = 20.0  # one group or supergroup


class _Window:
    """Timestamps of recent sends in a sliding window of `seconds`."""

    def __init__(self, limit: float, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.seconds - now


class FakeBotApi:
    """An in-memory Bot API for one bot, with a user side that makes updates."""

    def __init__(
        self,
        *,
        bot_id: int = 7000000001,
        username: str = "CrampCoachBot",
        first_name: str = "Cramp Coach",
        clock: Callable[[], float] = time.time,
        strict_html: bool = True,
        limits: RateLimits | None = None,
    ) -> None:
        """Start with no chats, no updates and an empty outbox."""
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._clock = clock
        self._strict_html = strict_html

        self.outbox: list[Sent] = []
        self.calls: list[tuple[str, JSON]] = []
        self.callback_answers: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}

        self._users: dict[int, JSON] = {}
        self._chats: dict[int, _Chat] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._blocked: set[int] = set()
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._next_query_id = 1
        self._open_callbacks: dict[str, tuple[int, int]] = {}
        self._open_inline: set[str] = set()
        self._allowed_updates: list[str] = []
        self._faults: defaultdict[str, deque[BotApiError]] = defaultdict(deque)
        self._limits = limits
        self._windows: dict[object, _Window] = {}
        self.too_many_requests = 0  # 429 answers given
        self._poll_generation = 0
        self._webhook: Webhook | None = None
        self._webhooks_set = 0  # a long poll waiting when this changes ends with 409
        self._webhook_error: tuple[int, str] | None = None  # date and message
        # Replaced on every change, so each waiter wakes once per change without a lock.
        self._changed = asyncio.Event()

        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "close": self._true,
            "logOut": self._true,
        }
        # Telegram's method names are case-insensitive.
        self._method_names = {name.lower(): name for name in self._handlers}

    # --- the bot's side -----------------------------------------------------------------

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Run one Bot API method; return its "result" or raise BotApiError."""
        name = self._method_names.get(method.lower())
        if name is None:
            self.calls.append((method, dict(params)))
            raise BotApiError(404, "Not Found")
        try:
            normalized = _normalize(params)
        except BotApiError:
            self.calls.append((name, dict(params)))
            raise
        self.calls.append((name, normalized))
        try:
            faults = self._faults.get(name.lower())
            if faults:
                raise faults.popleft()
            if name == "sendMessage" and self._limits is not None:
                self._take_send_slot(normalized.get("chat_id"))
            result = self._handlers[name](normalized)
            if asyncio.iscoroutine(result):
                result = await result
            return copy.deepcopy(result)
        finally:
            # Failed calls count too: a test may be waiting to see the bot retry.
            self._notify()

    # --- the user's side ----------------------------------------------------------------

    def send_text(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        user_id: int = 1001,
        chat_type: str = "private",
        chat_title: str | None = None,
        first_name: str = "Ada",
        reply_to: int | None = None,
    ) -> JSON:
        """A user sends text; returns the message as the bot will receive it.

        A private chat's id is the user's id. For groups a positive chat_id (default 1001)
        becomes negative, for supergroups -100… as on Telegram; a negative one is used as is.
        """
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        user = self._user(user_id, first_name)
        chat = self._user_chat(chat_id, chat_type, user, chat_title)
        if reply_to is not None and reply_to not in chat.messages:
            raise LookupError(f"no message {reply_to} in chat {chat.id} to reply to")
        entities: list[JSON] = []
        command = _BOT_COMMAND.match(text)
        if command:
            entities.append(
                {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
            )
        message = self._store(chat, user, False, text, text, entities, None, reply_to)
        data = self._message_json(message)
        self._push_update({"message": data})
        return copy.deepcopy(data)

    def edit_text(self, chat_id: int, message_id: int, text: str) -> JSON:
        """A user edits a message they sent; the bot receives an edited_message update."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None or message.from_bot:
            raise LookupError(f"no user message {message_id} in chat {chat_id}")
        message.text = message.plain = text
        command = _BOT_COMMAND.match(text)
        message.entities = (
            [{"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}]
            if command
            else []
        )
        message.edit_date = int(self._clock())
        data = self._message_json(message)
        self._push_update({"edited_message": data})
        return copy.deepcopy(data)

    def open_private_chat(self, user_id: int) -> None:
        """A user who has started the bot earlier: their chat exists, with no new update."""
        self._user_chat(None, "private", self._user(user_id, "Ada"), None)

    def user_messages(self, chat_id: int) -> list[JSON]:
        """What users sent in a chat, as the bot received it."""
        chat = self._chats.get(chat_id)
        messages = chat.messages.values() if chat else ()
        return [self._message_json(m) for m in messages if not m.from_bot]

    def remove_bot_from(self, chat_id: int, *, user_id: int = 1001) -> None:
        """A user removes the bot from a group: a my_chat_member update, then 403s."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise LookupError(f"no chat {chat_id}")
        self._blocked.add(chat_id)
        self._push_update(
            {
                "my_chat_member": {
                    "chat": chat.info,
                    "from": self._users.get(user_id) or self._user(user_id, "Ada"),
                    "date": int(self._clock()),
                    "old_chat_member": {"status": "member", "user": self.bot_user},
                    "new_chat_member": {
                        "status": "kicked",
                        "user": self.bot_user,
                        "until_date": 0,
                    },
                }
            }
        )

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, user_id: int = 1001
    ) -> str:
        """A user presses an inline button; returns the callback query id."""
        offered = [b.callback_data for row in self.buttons(chat_id, message_id) for b in row]
        if data not in offered:
            raise LookupError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{data!r}; it has {offered}"
            )
        return self.press_forged(chat_id, message_id, data, user_id=user_id)

    def press_forged(
        self, chat_id: int, message_id: int, data: str, *, user_id: int = 1001
    ) -> str:
        """A modified client sends `data` for a bot message whatever buttons it has, as
        Telegram lets any client do; returns the callback query id."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        user = self._users.get(user_id) or self._user(user_id, "Ada")
        query_id = self._new_query_id()
        self._open_callbacks[query_id] = (chat_id, message_id)
        self._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": self._message_json(message),
                    "chat_instance": str(chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    def inline_query(self, query: str, *, user_id: int = 1001, offset: str = "") -> str:
        """A user types '@bot query'; returns the inline query id."""
        user = self._users.get(user_id) or self._user(user_id, "Ada")
        query_id = self._new_query_id()
        self._open_inline.add(query_id)
        self._push_update(
            {"inline_query": {"id": query_id, "from": user, "query": query, "offset": offset}}
        )
        return query_id

    def inject_raw_update(self, payload: JSON) -> int:
        """Queue an update exactly as given (say, one a self-hosted Bot API server got wrong,
        which the bot cannot read), numbered like any other; returns its update_id."""
        update_id = self._next_update_id
        self._push_update(payload)
        return update_id

    def set_buttons(
        self, chat_id: int, message_id: int, rows: list[list[tuple[str, str]]]
    ) -> None:
        """Give a bot message other (label, callback_data) buttons, e.g. an older bot's."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        keyboard = [[{"text": text, "callback_data": data} for text, data in row] for row in rows]
        message.reply_markup = self._markup({"inline_keyboard": keyboard})
        self._notify()

    # --- state for assertions -----------------------------------------------------------

    def messages_in(self, chat_id: int) -> list[StoredMessage]:
        """The bot's messages in a chat as they stand now, oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            StoredMessage(
                message_id=m.message_id,
                text=m.text,
                plain=m.plain,
                reply_markup=copy.deepcopy(m.reply_markup),
                reply_to_message_id=m.reply_to,
                entities=copy.deepcopy(m.entities),
            )
            for m in chat.messages.values()
            if m.from_bot
        ]

    def buttons(self, chat_id: int, message_id: int) -> list[list[Button]]:
        """The inline keyboard of a message, row by row (empty when it has none)."""
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        markup = _inline_markup(message.reply_markup)
        if markup is None:
            return []
        return [
            [
                Button(
                    text=b["text"],
                    callback_data=b.get("callback_data"),
                    url=b.get("url"),
                    switch_inline_query=b.get("switch_inline_query"),
                    switch_inline_query_current_chat=b.get("switch_inline_query_current_chat"),
                    raw=copy.deepcopy(b),
                )
                for b in row
            ]
            for row in markup["inline_keyboard"]
        ]

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return len(self._updates)

    # --- webhook delivery, for a server that owns the transport --------------------------

    @property
    def webhook(self) -> Webhook | None:
        """The webhook set by the bot, or None while it is to poll."""
        return self._webhook

    async def next_webhook_update(self) -> tuple[Webhook, JSON]:
        """Wait until a webhook is set and an update it wants is pending; return both."""
        while True:
            # Filtering only with a webhook set keeps the wake on each call cheap while polling.
            if self._webhook is not None:
                self._drop_unwanted()
                if self._updates:
                    return self._webhook, copy.deepcopy(self._updates[0])
            await self._changed.wait()

    def webhook_delivered(self, update_id: int) -> None:
        """The webhook accepted an update, so it leaves the queue."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._notify()

    def webhook_failed(self, message: str) -> None:
        """A delivery failed; getWebhookInfo reports it as the last error."""
        self._webhook_error = (int(self._clock()), message)
        self._notify()

    # The timeout parameter is the agreed test API; asyncio.timeout inside does the work.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Return once predicate() holds, re-checking whenever the state changes."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout} s\n{self.describe()}"
            ) from None

    def describe(self) -> str:
        """The outbox and pending updates, for failure messages."""
        lines = [f"outbox ({len(self.outbox)}):"]
        for sent in self.outbox:
            where = f"chat={sent.chat_id} message={sent.message_id}"
            shown = sent.plain if sent.plain is None else sent.plain[:120]
            lines.append(f"  {sent.method} {where} {shown!r}")
        lines.append(f"pending updates: {len(self._updates)}")
        if self._webhook is not None:
            lines.append(f"webhook: {self._webhook.url} last error: {self._webhook_error}")
        lines.append(f"last calls: {[name for name, _ in self.calls[-10:]]}")
        return "\n".join(lines)

    # --- fault injection and chat membership ----------------------------------------------

    def fail_next(self, method: str, error: BotApiError, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `error`."""
        self._faults[method.lower()].extend([error] * times)

    def _take_send_slot(self, chat_id: object) -> None:
        """Count a send against the flood limits, or answer 429 as Telegram does."""
        assert self._limits is not None
        limits, now = self._limits, self._clock()
        is_group = isinstance(chat_id, int | str) and str(chat_id).startswith("-")
        windows = [
            self._windows.setdefault("all", _Window(limits.per_second, 1.0)),
            self._windows.setdefault(
                chat_id,
                _Window(limits.per_group_per_minute, 60.0)
                if is_group
                else _Window(limits.per_chat_per_second, 1.0),
            ),
        ]
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            self.too_many_requests += 1
            seconds = max(1, math.ceil(wait))
            raise BotApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        for window in windows:
            window.times.append(now)

    def clear_faults(self) -> None:
        """Forget every failure queued by fail_next."""
        self._faults.clear()

    def block_chat(self, chat_id: int) -> None:
        """From now on the bot gets 403 for anything it does in this chat."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo block_chat."""
        self._blocked.discard(chat_id)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember reports for this user in this chat (default "member")."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._members[(chat_id, user_id)] = status

    # --- internals ----------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _new_query_id(self) -> str:
        query_id = str(4_000_000_000_000_000_000 + self._next_query_id)
        self._next_query_id += 1
        return query_id

    def _push_update(self, payload: JSON) -> None:
        self._updates.append(copy.deepcopy({"update_id": self._next_update_id, **payload}))
        self._next_update_id += 1
        self._notify()

    def _user(self, user_id: int, first_name: str) -> JSON:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name}
        )
        user["first_name"] = first_name
        user.setdefault("language_code", "en")
        return user

    def _user_chat(
        self, chat_id: int | None, chat_type: str, user: JSON, title: str | None
    ) -> _Chat:
        if chat_type == "private":
            if chat_id is not None and chat_id != user["id"]:
                raise ValueError("a private chat's id is the user's id")
            info: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        elif chat_type in ("group", "supergroup"):
            raw = 1001 if chat_id is None else chat_id
            # Telegram's shapes: basic groups are -id, supergroups -100 followed by the id.
            cid = raw if raw < 0 else -raw if chat_type == "group" else -(10**12 + raw)
            old = self._chats.get(cid)
            default_title = old.info.get("title", "Test group") if old else "Test group"
            info = {"id": cid, "type": chat_type, "title": title or default_title}
        else:
            raise ValueError(f"users can't write in a {chat_type!r} chat")
        chat = self._chats.get(info["id"])
        if chat is None:
            chat = self._chats[info["id"]] = _Chat(info)
        else:
            chat.info.update(info)
        return chat

    def _store(
        self,
        chat: _Chat,
        sender: JSON,
        from_bot: bool,
        text: str,
        plain: str,
        entities: list[JSON],
        reply_markup: JSON | None,
        reply_to: int | None,
    ) -> _Message:
        message = _Message(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            sender=sender,
            from_bot=from_bot,
            date=int(self._clock()),
            text=text,
            plain=plain,
            entities=entities,
            reply_markup=reply_markup,
            reply_to=reply_to,
        )
        chat.messages[message.message_id] = message
        chat.next_message_id += 1
        return message

    def _message_json(self, message: _Message, *, with_reply: bool = True) -> JSON:
        chat = self._chats[message.chat_id]
        data: JSON = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": copy.deepcopy(chat.info),
            "from": copy.deepcopy(message.sender),
            "text": message.plain,
        }
        if message.entities:
            data["entities"] = copy.deepcopy(message.entities)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        markup = _inline_markup(message.reply_markup)
        if markup is not None:
            data["reply_markup"] = copy.deepcopy(markup)
        target = chat.messages.get(message.reply_to) if message.reply_to is not None else None
        if with_reply and target is not None:
            data["reply_to_message"] = self._message_json(target, with_reply=False)
        return data

    def _record(
        self,
        method: str,
        params: JSON,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        text: str | None = None,
        plain: str | None = None,
        reply_markup: JSON | None = None,
    ) -> None:
        self.outbox.append(
            Sent(
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                plain=plain,
                reply_markup=copy.deepcopy(reply_markup),
                params=copy.deepcopy(params),
                at=self._clock(),
            )
        )

    def _chat(self, params: JSON) -> _Chat:
        """The chat a call is about; 403 if the user blocked the bot, 400 if unknown."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise BotApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat_id in self._blocked:
            kind = chat.info["type"] if chat else "private"
            if kind == "private":
                raise BotApiError(403, "Forbidden: bot was blocked by the user")
            raise BotApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        return chat

    def _text(self, params: JSON, key: str = "text") -> tuple[str, str, list[JSON]]:
        """The text as sent, as shown, and its entities; 400 where Telegram refuses it."""
        raw = params.get(key)
        if raw is None or raw == "":
            raise BotApiError(400, "Bad Request: message text is empty")
        raw = str(raw)
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                plain, entities = parse_html(raw, strict=self._strict_html)
            except HtmlParseError as exc:
                raise BotApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif mode.lower() in ("markdown", "markdownv2"):
            raise BotApiError(400, f"Bad Request: FakeBotApi does not emulate parse_mode {mode}")
        elif mode:
            raise BotApiError(400, "Bad Request: unsupported parse_mode")
        else:
            plain = raw
            given = params.get("entities") or []
            entities = [dict(e) for e in given] if isinstance(given, list) else []
        plain, entities = _trim(plain, entities)
        if not plain:
            raise BotApiError(400, "Bad Request: message must be non-empty")
        if utf16_length(plain) > MAX_TEXT_LENGTH:
            raise BotApiError(400, "Bad Request: message is too long")
        return raw, plain, entities

    @staticmethod
    def _markup(markup: Any) -> JSON | None:
        """The reply markup, checked button by button like Telegram."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
                return markup
            raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise BotApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                "should be an Array of Arrays",
            )
        for row in rows:
            for button in row:
                FakeBotApi._check_button(button)
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise BotApiError(400, BUTTON_PREFIX + "InlineKeyboardButton must be an Object")
        text = button.get("text")
        if not isinstance(text, str):
            raise BotApiError(400, BUTTON_PREFIX + 'Field "text" must be of type String')
        if not text.strip():
            # Telegram's exact wording for blank button text was not found; this one is ours.
            raise BotApiError(400, BUTTON_PREFIX + "Text must be non-empty")
        actions = [key for key in _BUTTON_ACTIONS if button.get(key) is not None]
        # Telegram reads an empty callback_data as no action at all.
        if button.get("callback_data") == "":
            actions.remove("callback_data")
        if not actions:
            raise BotApiError(
                400, BUTTON_PREFIX + "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            # Telegram silently uses one of them; a stand-in rule, since that is always a bug.
            raise BotApiError(
                400, BUTTON_PREFIX + f"exactly one optional field must be used, got {actions}"
            )
        data = button.get("callback_data")
        if data is not None:
            if not isinstance(data, str):
                raise BotApiError(
                    400, BUTTON_PREFIX + 'Field "callback_data" must be of type String'
                )
            if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _reply_target(self, chat: _Chat, params: JSON) -> int | None:
        """The message replied to, or None; 400 if it is missing and that is not allowed."""
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, chat.id):
                raise BotApiError(
                    400, "Bad Request: FakeBotApi does not emulate replies across chats"
                )
        else:
            target = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
        if target is None:
            return None
        if isinstance(target, int) and target in chat.messages:
            return target
        if allow:
            return None
        raise BotApiError(400, "Bad Request: message to be replied not found")

    def _bot_message(self, chat: _Chat, params: JSON, missing: str) -> _Message:
        message_id = _require_int(params, "message_id")
        message = chat.messages.get(message_id)
        if message is None:
            raise BotApiError(400, f"Bad Request: {missing}")
        return message

    # --- methods ------------------------------------------------------------------------

    def _true(self, params: JSON) -> bool:
        return True

    def _get_me(self, params: JSON) -> JSON:
        return self.bot_user

    def _keep_allowed_updates(self, params: JSON) -> None:
        """Take allowed_updates if given: like Telegram, it sticks until changed again."""
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]

    def _drop_unwanted(self) -> None:
        """Forget pending updates of kinds the bot did not ask for."""
        if self._allowed_updates:
            self._updates = [
                u for u in self._updates if any(kind in u for kind in self._allowed_updates)
            ]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise BotApiError(409, WEBHOOK_ACTIVE)
        offset = params.get("offset") or 0
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        self._keep_allowed_updates(params)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._drop_unwanted()
        self._poll_generation += 1
        generation = self._poll_generation
        webhooks_set = self._webhooks_set
        # A newer poll ends an older one with 409, as on Telegram; wake it so it sees that.
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotApiError(409, POLL_CONFLICT)
            if webhooks_set != self._webhooks_set:
                raise BotApiError(409, POLL_ENDED_BY_WEBHOOK)
            remaining = deadline - loop.time()
            if self._updates or remaining <= 0:
                return self._updates[:limit]
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    def _set_webhook(self, params: JSON) -> bool:
        # Telegram reads a missing url as an empty one: both remove the webhook.
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        if url and not _is_webhook_url(url):
            raise BotApiError(400, "Bad Request: invalid webhook URL specified")
        if len(secret) > MAX_SECRET_TOKEN_LENGTH:
            raise BotApiError(400, "Bad Request: secret token is too long")
        if not _SECRET_TOKEN_CHARS.fullmatch(secret):
            raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url:
            return self._delete_webhook(params)
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._keep_allowed_updates(params)
        low, high = WEBHOOK_CONNECTIONS_RANGE
        connections = params.get("max_connections")
        if not isinstance(connections, int):
            connections = DEFAULT_WEBHOOK_CONNECTIONS
        if self._webhook is None or self._webhook.url != url:
            # Errors belong to an address: a new one starts clean, the same one keeps them.
            self._webhook_error = None
        self._webhook = Webhook(url, secret or None, min(max(connections, low), high))
        self._webhooks_set += 1
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        self._webhook_error = None
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        self._drop_unwanted()
        info: JSON = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    @staticmethod
    def _scope_key(params: JSON) -> str:
        """Where commands are kept: "default", "chat:<id>", … plus "/<lang>" if given."""
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise BotApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            key = kind
        elif kind in ("chat", "chat_administrators"):
            key = f"{kind}:{scope.get('chat_id')}"
        elif kind == "chat_member":
            key = f"{kind}:{scope.get('chat_id')}:{scope.get('user_id')}"
        else:
            raise BotApiError(400, "Bad Request: unsupported bot command scope type")
        language = params.get("language_code")
        return f"{key}/{language}" if language else key

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise BotApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise BotApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        checked: list[dict[str, str]] = []
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = self._scope_key(params)
        if checked:
            self.commands[key] = checked
        else:
            self.commands.pop(key, None)
        return True

    def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _get_my_commands(self, params: JSON) -> list[dict[str, str]]:
        return self.commands.get(self._scope_key(params), [])

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        raw, plain, entities = self._text(params)
        markup = self._markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._store(chat, self.bot_user, True, raw, plain, entities, markup, reply_to)
        return self._record_message("sendMessage", params, chat, message)

    def _record_message(self, method: str, params: JSON, chat: _Chat, message: _Message) -> JSON:
        """Log a call that left `message` as it now stands; return it as the reply."""
        self._record(
            method,
            params,
            chat_id=chat.id,
            message_id=message.message_id,
            text=message.text,
            plain=message.plain,
            reply_markup=message.reply_markup,
        )
        return self._message_json(message)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        inline_id = params.get("inline_message_id")
        chat = None if inline_id else self._chat(params)
        raw, plain, entities = self._text(params)
        markup = self._markup(params.get("reply_markup"))
        if _inline_markup(markup) is not markup:
            raise BotApiError(400, "Bad Request: reply markup must be an inline keyboard")
        if chat is None:
            self._record("editMessageText", params, text=raw, plain=plain, reply_markup=markup)
            return True
        message = self._bot_message(chat, params, "message to edit not found")
        if not message.from_bot:
            raise BotApiError(400, "Bad Request: message can't be edited")
        if (message.plain, message.entities, _inline_markup(message.reply_markup)) == (
            plain,
            entities,
            markup,
        ):
            raise BotApiError(400, NOT_MODIFIED)
        message.text, message.plain, message.entities = raw, plain, entities
        # An edit without reply_markup removes the keyboard, as on Telegram.
        message.reply_markup = markup
        message.edit_date = int(self._clock())
        return self._record_message("editMessageText", params, chat, message)

    def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        inline_id = params.get("inline_message_id")
        chat = None if inline_id else self._chat(params)
        markup = self._markup(params.get("reply_markup"))
        if _inline_markup(markup) is not markup:
            raise BotApiError(400, "Bad Request: reply markup must be an inline keyboard")
        if chat is None:
            self._record("editMessageReplyMarkup", params, reply_markup=markup)
            return True
        message = self._bot_message(chat, params, "message to edit not found")
        if not message.from_bot:
            raise BotApiError(400, "Bad Request: message can't be edited")
        if _inline_markup(message.reply_markup) == markup:
            raise BotApiError(400, NOT_MODIFIED)
        message.reply_markup = markup
        self._record(
            "editMessageReplyMarkup",
            params,
            chat_id=chat.id,
            message_id=message.message_id,
            reply_markup=markup,
        )
        return self._message_json(message)

    def _delete_message(self, params: JSON) -> bool:
        chat = self._chat(params)
        message = self._bot_message(chat, params, "message to delete not found")
        del chat.messages[message.message_id]
        self._record("deleteMessage", params, chat_id=chat.id, message_id=message.message_id)
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise BotApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and utf16_length(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        chat_id, message_id = self._open_callbacks.pop(query_id)
        self.callback_answers[query_id] = copy.deepcopy(params)
        shown = None if text is None else str(text)
        self._record(
            "answerCallbackQuery",
            params,
            chat_id=chat_id,
            message_id=message_id,
            text=shown,
            plain=shown,
        )
        return True

    def _answer_inline_query(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        if query_id not in self._open_inline:
            raise BotApiError(400, QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise BotApiError(400, "Bad Request: can't parse results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BotApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise BotApiError(400, "Bad Request: can't parse InlineQueryResult JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not (
                1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES
            ):
                raise BotApiError(400, "Bad Request: RESULT_ID_INVALID")
            if result_id in seen:
                raise BotApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            seen.add(result_id)
            self._markup(result.get("reply_markup"))
            if result.get("type") == "article":
                if not isinstance(result.get("title"), str) or not result["title"]:
                    raise BotApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
                content = result.get("input_message_content")
                if not isinstance(content, dict):
                    raise BotApiError(
                        400, "Bad Request: can't parse InputMessageContent JSON object"
                    )
                self._text(content, "message_text")
        self._open_inline.discard(query_id)
        self.inline_answers[query_id] = copy.deepcopy(params)
        self._record("answerInlineQuery", params)
        return True

    def _send_chat_action(self, params: JSON) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise BotApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _get_chat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        user_id = _require_int(params, "user_id")
        if user_id == self.bot_user["id"]:
            user = self.bot_user
        elif user_id in self._users:
            user = self._users[user_id]
        elif (chat.id, user_id) in self._members:
            user = self._user(user_id, "Ada")
        else:
            raise BotApiError(400, "Bad Request: user not found")
        status = self._members.get((chat.id, user_id), "member")
        return {"status": status, "user": user, **_member_fields(status)}


def _is_webhook_url(url: str) -> bool:
    """Whether a webhook can be set to this URL; plain http too, as a local Bot API allows."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when what follows the colon is no port number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0


def _member_fields(status: str) -> JSON:
    """The fields Telegram sends with each ChatMember status, all required by PTB."""
    if status == "creator":
        return {"is_anonymous": False}
    if status == "administrator":
        granted = (
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
            "can_pin_messages",
        )
        return {
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
            **dict.fromkeys(granted, True),
        }
    if status == "restricted":
        denied = (
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_send_messages",
            "can_send_polls",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_manage_topics",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_edit_tag",
        )
        return {"is_member": True, "until_date": 0, **dict.fromkeys(denied, False)}
    if status == "kicked":
        return {"until_date": 0}
    return {}
