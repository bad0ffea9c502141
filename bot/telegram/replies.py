"""Sending a page: as a reply to a message, or in place of the message a button sits on."""

from __future__ import annotations

from telegram import CallbackQuery, Message
from telegram.error import BadRequest

from bot.telegram.render import Page

STALE_BUTTON = "This button is out of date. Send /start for a fresh menu."
# Bot API errors that mean "this message can no longer be edited": send a new one instead.
_UNEDITABLE = ("message to edit not found", "message can't be edited")


async def reply(message: Message, page: Page) -> None:
    """Answer a message (in groups, as a reply to it)."""
    await message.reply_html(page.text, reply_markup=page.keyboard)


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
