"""The Bot API methods that act on chats: commands, sending and editing messages, answering
button presses and inline queries, chats and their members."""

from __future__ import annotations

import copy
import re

from tests.telegram_api.parse_mode import utf16_length
from tests.telegram_api.protocol import (
    JSON,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_COMMANDS,
    MAX_INLINE_RESULT_ID_BYTES,
    MAX_INLINE_RESULTS,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    BotApiError,
    require_int,
)
from tests.telegram_api.records import Chat, Message, inline_markup
from tests.telegram_api.state import State

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
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class Methods(State):
    """getMe, command menus, messages, button and inline answers, chats and members."""

    def _true(self, params: JSON) -> bool:
        return True

    def _get_me(self, params: JSON) -> JSON:
        return self.bot_user

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

    def _record_message(self, method: str, params: JSON, chat: Chat, message: Message) -> JSON:
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
        if inline_markup(markup) is not markup:
            raise BotApiError(400, "Bad Request: reply markup must be an inline keyboard")
        if chat is None:
            self._record("editMessageText", params, text=raw, plain=plain, reply_markup=markup)
            return True
        message = self._bot_message(chat, params, "message to edit not found")
        if not message.from_bot:
            raise BotApiError(400, "Bad Request: message can't be edited")
        if (message.plain, message.entities, inline_markup(message.reply_markup)) == (
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
        if inline_markup(markup) is not markup:
            raise BotApiError(400, "Bad Request: reply markup must be an inline keyboard")
        if chat is None:
            self._record("editMessageReplyMarkup", params, reply_markup=markup)
            return True
        message = self._bot_message(chat, params, "message to edit not found")
        if not message.from_bot:
            raise BotApiError(400, "Bad Request: message can't be edited")
        if inline_markup(message.reply_markup) == markup:
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
        user_id = require_int(params, "user_id")
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
