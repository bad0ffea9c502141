"""Sends one claimed reminder or broadcast copy through the Bot API; says how it went."""

from __future__ import annotations

import logging
import warnings
from collections import OrderedDict

from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.core.knowledge import KnowledgeBase
from bot.core.platforms import Platform
from bot.core.reminder_input import Kind
from bot.core.reminders import Claim, Reminder
from bot.core.screens.reminders import reminder_message
from bot.dispatch import Outbound, Outcome, SendResult, describe
from bot.flood import ChatBusyError, Priority
from bot.telegram.rate_limiter import retry_seconds
from bot.telegram.render import single

log = logging.getLogger(__name__)
# Bad requests that mean the chat is gone for good, in Telegram's words.
_GONE = ("chat not found", "bot was kicked", "not enough rights", "have no rights", "deactivated")
# A reminder's message is rendered once per kind and tip with this id in its buttons, which
# each send replaces with its own: as long as any real id, so a button that fits with it
# fits with every id.
_ID_MARK = 987_654_321_987
# Distinct (kind, sent count) messages kept: a burst's reminders share a few.
_MESSAGES_KEPT = 256
# do_api_request warns for a method PTB has a function for; send() leaves that function out
# on purpose (as bot/telegram/replies.py does, whose filter this is too).
warnings.filterwarnings("ignore", r"Please use 'Bot\.sendMessage' instead", PTBUserWarning)


class TelegramSender:
    """Delivers reminders as Telegram messages with Done / Snooze / Skip buttons, and
    broadcast copies as the operator wrote them."""

    platforms = frozenset({Platform.TELEGRAM})

    def __init__(self, bot: ExtBot[Priority], kb: KnowledgeBase, *, paid: bool = False) -> None:
        self.bot = bot
        self.kb = kb
        # Past the free 30 messages a second, Telegram takes these for a fee in Stars.
        self.paid = paid
        # The bot's Defaults, serialised once: do_api_request leaves them out.
        previews = bot.defaults.link_preview_options if bot.defaults else None
        self._previews = previews.to_json() if previews is not None else None
        self._messages: OrderedDict[tuple[Kind, int], tuple[str, str | None]] = OrderedDict()

    async def send(self, item: Outbound) -> SendResult:
        """Send one reminder or broadcast copy; map Bot API errors to what the dispatcher
        should do. Sent as send_message would, but without turning Telegram's echo of the
        message into a Message nobody reads (a tenth of a send's cost in a burst)."""
        if isinstance(item, Claim):
            text, markup = self._message(item.reminder)
        else:
            text, markup = item.text, None
        params: dict[str, object] = {
            "chat_id": item.chat_id,
            "text": text,
            "parse_mode": ParseMode.HTML,
            "reply_markup": markup,
            "link_preview_options": self._previews,
            "allow_paid_broadcast": self.paid or None,
        }
        try:
            # Background: replies to people go first under the same limits.
            message = await self.bot.do_api_request(
                "sendMessage", params, rate_limit_args=Priority.BACKGROUND
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
            log.error("%s rejected by the Bot API: %s", describe(item), error)
            return SendResult(Outcome.FAILED)
        except NetworkError as error:
            log.warning("%s not sent yet (%s); will retry", describe(item), error)
            return SendResult(Outcome.RETRY)
        return SendResult(Outcome.SENT, message_id=int(message["message_id"]))

    def _message(self, reminder: Reminder) -> tuple[str, str | None]:
        """The reminder's text and keyboard JSON. Only its buttons name the reminder; the
        text follows its kind and how often it was sent (the tip rotation)."""
        key = (reminder.kind, reminder.sent_count)
        kept = self._messages.get(key)
        if kept is None:
            page = single(reminder_message(reminder._replace(id=_ID_MARK), self.kb))
            if str(_ID_MARK) in page.text:  # a text that names it is rendered for each
                page = single(reminder_message(reminder, self.kb))
                return page.text, page.markup
            kept = self._messages[key] = (page.text, page.markup)
            if len(self._messages) > _MESSAGES_KEPT:
                self._messages.popitem(last=False)
        text, markup = kept
        return text, markup.replace(str(_ID_MARK), str(reminder.id)) if markup else None
