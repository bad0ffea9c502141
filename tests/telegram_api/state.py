"""The stand-in's state: users, chats and their messages, pending updates, faults and
limits; and the checks every method shares (chat, text, markup, reply)."""

from __future__ import annotations

import asyncio
import copy
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from tests.telegram_api.parse_mode import HtmlParseError, parse_html, trim, utf16_length
from tests.telegram_api.protocol import (
    BUTTON_PREFIX,
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_TEXT_LENGTH,
    BotApiError,
    require_int,
)
from tests.telegram_api.records import (
    Chat,
    Message,
    RateLimits,
    Sent,
    Webhook,
    Window,
    inline_markup,
)

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


class State:
    """The stand-in's state and the helpers its methods and its user side share."""

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
        self._chats: dict[int, Chat] = {}
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
        self._windows: dict[object, Window] = {}
        self.too_many_requests = 0  # 429 answers given
        self._poll_generation = 0
        self._webhook: Webhook | None = None
        self._webhooks_set = 0  # a long poll waiting when this changes ends with 409
        self._webhook_error: tuple[int, str] | None = None  # date and message
        # Replaced on every change, so each waiter wakes once per change without a lock.
        self._changed = asyncio.Event()

    def _take_send_slot(self, chat_id: object) -> None:
        """Count a send against the flood limits, or answer 429 as Telegram does."""
        assert self._limits is not None
        limits, now = self._limits, self._clock()
        is_group = isinstance(chat_id, int | str) and str(chat_id).startswith("-")
        windows = [
            self._windows.setdefault("all", Window(limits.per_second, 1.0)),
            self._windows.setdefault(
                chat_id,
                Window(limits.per_group_per_minute, 60.0)
                if is_group
                else Window(limits.per_chat_per_second, 1.0),
            ),
        ]
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            self.too_many_requests += 1
            seconds = max(1, math.ceil(wait))
            raise BotApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        for window in windows:
            window.times.append(now)

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
    ) -> Chat:
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
            chat = self._chats[info["id"]] = Chat(info)
        else:
            chat.info.update(info)
        return chat

    def _store(
        self,
        chat: Chat,
        sender: JSON,
        from_bot: bool,
        text: str,
        plain: str,
        entities: list[JSON],
        reply_markup: JSON | None,
        reply_to: int | None,
    ) -> Message:
        message = Message(
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

    def _message_json(self, message: Message, *, with_reply: bool = True) -> JSON:
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
        markup = inline_markup(message.reply_markup)
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

    def _chat(self, params: JSON) -> Chat:
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
        plain, entities = trim(plain, entities)
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
                State._check_button(button)
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

    def _reply_target(self, chat: Chat, params: JSON) -> int | None:
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

    def _bot_message(self, chat: Chat, params: JSON, missing: str) -> Message:
        message_id = require_int(params, "message_id")
        message = chat.messages.get(message_id)
        if message is None:
            raise BotApiError(400, f"Bad Request: {missing}")
        return message
