"""Sends one claimed reminder or broadcast copy through the Bot API; says how it went."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.core.knowledge import KnowledgeBase
from bot.core.reminders import Claim
from bot.dispatch import Outbound, Outcome, SendResult, describe
from bot.telegram.reminder_render import reminder_message

log = logging.getLogger(__name__)
# Bad requests that mean the chat is gone for good, in Telegram's words.
_GONE = ("chat not found", "bot was kicked", "not enough rights", "have no rights", "deactivated")


class TelegramSender:
    """Delivers reminders as Telegram messages with Done / Snooze / Skip buttons, and
    broadcast copies as the operator wrote them."""

    def __init__(self, bot: Bot, kb: KnowledgeBase) -> None:
        self.bot = bot
        self.kb = kb

    async def send(self, item: Outbound) -> SendResult:
        """Send one reminder or broadcast copy; map Bot API errors to what the dispatcher
        should do."""
        if isinstance(item, Claim):
            text, keyboard = reminder_message(item.reminder, self.kb)
        else:
            text, keyboard = item.text, None
        what = describe(item)
        try:
            message = await self.bot.send_message(item.chat_id, text, reply_markup=keyboard)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return SendResult(Outcome.RETRY, retry_after=seconds)
        except ChatMigrated as error:
            return SendResult(Outcome.MOVED, new_chat_id=error.new_chat_id)
        except Forbidden:
            return SendResult(Outcome.UNREACHABLE)
        except BadRequest as error:
            if any(reason in str(error).lower() for reason in _GONE):
                return SendResult(Outcome.UNREACHABLE)
            log.error("%s rejected by the Bot API: %s", what, error)
            return SendResult(Outcome.FAILED)
        except NetworkError as error:
            log.warning("%s not sent yet (%s); will retry", what, error)
            return SendResult(Outcome.RETRY)
        return SendResult(Outcome.SENT, message_id=message.message_id)
