"""Telegram's side of button targets: the 64-byte callback data, and the check that a
pressed button is on its message."""

from __future__ import annotations

from telegram import CallbackQuery, Message

from bot.core.documents import Press
from bot.core.targets import fitting
from bot.core.views import View

CALLBACK_DATA_MAX_BYTES = 64


def callback_data(target: View | Press) -> str | None:
    """A target as callback data; None if it does not fit in it."""
    return fitting(target, CALLBACK_DATA_MAX_BYTES)


def on_its_message(query: CallbackQuery) -> bool:
    """Whether the pressed data is a button of the message it came with. Clients can send
    any data for any message: this keeps a press from acting on a message it is not on.
    Inline-mode messages come without one, so there is nothing to check."""
    message = query.message
    if not isinstance(message, Message):
        return message is None
    markup = message.reply_markup
    keyboard = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == query.data for row in keyboard for button in row)
