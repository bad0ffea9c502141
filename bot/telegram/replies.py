"""Sending a page or a service's reply: as a reply to a message, or in place of the message
a button sits on."""

from __future__ import annotations

import warnings

from telegram import CallbackQuery, Chat, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.core.replies import Annotate, Refuse, Reply, Say, Show
from bot.telegram.html import esc
from bot.telegram.render import Page, Renderer, single

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


def page_of(reply_: Say | Show, renderer: Renderer) -> Page:
    """A service's screen or message as a page."""
    if isinstance(reply_, Show):
        return renderer.render(reply_.view)
    return single(reply_.document)


async def send(message: Message, reply_: Reply, renderer: Renderer) -> None:
    """Answer a message with a service's reply."""
    if isinstance(reply_, Annotate | Refuse):
        # Only presses get these; a message gets the text.
        text = reply_.note if isinstance(reply_, Annotate) else reply_.text
        await reply(message, Page(esc(text), None))
        return
    await reply(message, page_of(reply_, renderer))


async def answer_press(query: CallbackQuery, reply_: Reply, renderer: Renderer) -> None:
    """Answer a button press with a service's reply: a refusal on the press alone, a note
    added under the pressed message, or the page in its place."""
    if isinstance(reply_, Refuse):
        await query.answer(reply_.text, show_alert=reply_.alert)
        return
    await query.answer()
    if isinstance(reply_, Annotate):
        message = query.message
        if isinstance(message, Message):
            await edit_or_send(query, Page(f"{message.text_html}\n\n{esc(reply_.note)}", None))
        return
    await edit_or_send(query, page_of(reply_, renderer))
