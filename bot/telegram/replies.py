"""Sending a page: as a reply to a message, or in place of the message a button sits on."""

from __future__ import annotations

import warnings

from telegram import CallbackQuery, Chat, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.telegram.render import Page

STALE_BUTTON = "This button is out of date. Send /start for a fresh menu."
# Bot API errors that mean "this message can no longer be edited": send a new one instead.
_UNEDITABLE = ("message to edit not found", "message can't be edited")
# do_api_request warns whenever it is asked for a method PTB has a function for; `reply`
# leaves that function out on purpose, so this one warning says nothing new (pyproject.toml
# tells pytest the same, since it puts its own filters in front of this one).
warnings.filterwarnings("ignore", r"Please use 'Bot\.sendMessage' instead", PTBUserWarning)


async def reply(message: Message, page: Page) -> None:
    """Answer a message (in groups, as a reply to it) as `Message.reply_html` would, but
    without turning Telegram's echo of the answer into a Message nobody reads: for an
    answer with a keyboard that parse is a fifth of a command's cost. do_api_request
    still posts through the bot's rate limiter; it leaves out Defaults, so they are
    applied here, and the keyboard goes as the page serialised it (no arbitrary callback
    data here)."""
    bot = message.get_bot()
    defaults = bot.defaults if isinstance(bot, ExtBot) else None
    params: dict[str, object] = {
        "chat_id": message.chat_id,
        "text": page.text,
        "parse_mode": ParseMode.HTML,
        "reply_markup": page.markup,
        "link_preview_options": defaults.link_preview_options if defaults else None,
        # A reply in a forum topic belongs in that topic, not the group's general one.
        "message_thread_id": message.message_thread_id if message.is_topic_message else None,
    }
    if message.chat.type != Chat.PRIVATE:
        params["reply_parameters"] = ReplyParameters(
            message.message_id,
            allow_sending_without_reply=defaults.allow_sending_without_reply if defaults else None,
        )
    await bot.do_api_request("sendMessage", params)


async def edit_or_send(query: CallbackQuery, page: Page) -> None:
    """Show the page in place of the button's message; if that message can no longer be
    edited, send the page as a new message. Pressing a button twice is not an error."""
    try:
        await query.edit_message_text(page.text, reply_markup=page.keyboard)
    except BadRequest as error:
        reason = str(error).lower()
        if "not modified" in reason:
            return
        message = query.message
        if not any(text in reason for text in _UNEDITABLE) or not isinstance(message, Message):
            raise
        await message.chat.send_message(page.text, reply_markup=page.keyboard)
