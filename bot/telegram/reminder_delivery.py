"""Sends one claimed reminder or broadcast copy through the Bot API; says how it went."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.core.knowledge import KnowledgeBase
from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.core.screens.reminders import reminder_message
from bot.dispatch import Outbound, Outcome, SendResult, describe
from bot.flood import ChatBusyError, Priority
from bot.telegram.rate_limiter import retry_seconds
from bot.telegram.render import single

log = logging.getLogger(__name__)
# Bad requests that mean the chat is gone for good, in Telegram's words.
_GONE = ("chat not found", "bot was kicked", "not enough rights", "have no rights", "deactivated")


class TelegramSender:
    """Delivers reminders as Telegram messages with Done / Snooze / Skip buttons, and
    broadcast copies as the operator wrote them."""

    platforms = frozenset({Platform.TELEGRAM})

    def __init__(self, bot: ExtBot[Priority], kb: KnowledgeBase, *, paid: bool = False) -> None:
        self.bot = bot
        self.kb = kb
        # Past the free 30 messages a second, Telegram takes these for a fee in Stars.
        self.paid = paid

    async def send(self, item: Outbound) -> SendResult:
        """Send one reminder or broadcast copy; map Bot API errors to what the dispatcher
        should do."""
        if isinstance(item, Claim):
            page = single(reminder_message(item.reminder, self.kb))
            text, keyboard = page.text, page.keyboard
        else:
            text, keyboard = item.text, None
        what = describe(item)
        try:
            # Background: replies to people go first under the same limits.
            message = await self.bot.send_message(
                item.chat_id,
                text,
                reply_markup=keyboard,
                allow_paid_broadcast=self.paid or None,
                rate_limit_args=Priority.BACKGROUND,
            )
        except ChatBusyError as busy:
            return SendResult(Outcome.RETRY, retry_after=busy.delay)
        except RetryAfter as error:
            return SendResult(Outcome.RETRY, retry_after=retry_seconds(error))
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
