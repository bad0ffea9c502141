"""The user's side of the stand-in: updates made as a Telegram client would, the bot's
messages as they stand, waiting for a change, and injected faults."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable

from tests.telegram_api.parse_mode import utf16_length
from tests.telegram_api.protocol import JSON, BotApiError
from tests.telegram_api.records import Button, StoredMessage, inline_markup
from tests.telegram_api.state import State

_MEMBER_STATUSES = frozenset(
    {"creator", "administrator", "member", "restricted", "left", "kicked"}
)
# Telegram's own bot-command pattern (tdlib match_bot_commands), anchored at the start.
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/<>])")


class UserSide(State):
    """What users do (send, edit, press, query), what tests read back, and faults."""

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
        markup = inline_markup(message.reply_markup)
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
