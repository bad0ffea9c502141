"""FakeBotApi: the whole stand-in, one call at a time, with faults and flood limits."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from tests.telegram_api.methods import Methods
from tests.telegram_api.protocol import JSON, BotApiError, normalize
from tests.telegram_api.updates import Updates
from tests.telegram_api.users import UserSide


class FakeBotApi(UserSide, Updates, Methods):
    """An in-memory Bot API for one bot, with a user side that makes updates."""

    @cached_property
    def _methods(self) -> dict[str, tuple[str, Callable[[JSON], Any]]]:
        """Each method under its name lowered (Telegram's method names are
        case-insensitive), with its proper name and its handler."""
        handlers: dict[str, Callable[[JSON], Any]] = {
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
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Run one Bot API method; return its "result" or raise BotApiError."""
        found = self._methods.get(method.lower())
        if found is None:
            self.calls.append((method, dict(params)))
            raise BotApiError(404, "Not Found")
        name, handler = found
        try:
            normalized = normalize(params)
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
            result = handler(normalized)
            if asyncio.iscoroutine(result):
                result = await result
            return copy.deepcopy(result)
        finally:
            # Failed calls count too: a test may be waiting to see the bot retry.
            self._notify()
