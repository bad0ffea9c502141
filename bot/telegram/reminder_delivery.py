"""Sends one claimed reminder through the Bot API and says how it went."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.core.knowledge import KnowledgeBase
from bot.core.reminders import Claim
from bot.dispatch import Outcome, SendResult
from bot.telegram.reminder_render import reminder_message

log = logging.getLogger(__name__)
# Bad requests that mean the chat is gone for good, in Telegram's words.
_GONE = ("chat not found", "bot was kicked", "not enough rights", "have no rights", "deactivated")


class TelegramSender:
    """Delivers reminders as Telegram messages with Done / Snooze / Skip buttons."""

    def __init__(self, bot: Bot, kb: KnowledgeBase) -> None:
        self.bot = bot
        self.kb = kb

    async def send(self, claim: Claim) -> SendResult:
        """Send one reminder; map Bot API errors to what the dispatcher should do."""
        text, keyboard = reminder_message(claim.reminder, self.kb)
        try:
            message = await self.bot.send_message(
                claim.reminder.chat_id, text, reply_markup=keyboard
            )
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
            log.error("reminder %d rejected by the Bot API: %s", claim.reminder.id, error)
            return SendResult(Outcome.FAILED)
        except NetworkError as error:
            log.warning("reminder %d not sent yet (%s); will retry", claim.reminder.id, error)
            return SendResult(Outcome.RETRY)
        return SendResult(Outcome.SENT, message_id=message.message_id)
