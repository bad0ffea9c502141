"""Sends a claimed reminder or broadcast copy to a Discord channel (a DM or a server's) and
says how it went: under 50 requests a second overall, a channel that is gone or closed to
the bot paused; discord.py itself keeps to each route's bucket and waits out a 429."""

from __future__ import annotations

import html
import logging
import re

import aiohttp
import discord

from bot.core.knowledge import KnowledgeBase
from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.core.screens.reminders import reminder_message
from bot.discord.render import Card, DiscordRenderer, single
from bot.dispatch import Outbound, Outcome, SendResult, describe
from bot.flood import ChatBusyError, FloodControl, Limits, Priority

log = logging.getLogger(__name__)
# Discord's global limit is 50 requests a second; a channel takes about 5 messages in 5 s.
LIMITS = Limits(per_second=50.0, per_chat_per_second=1.0, per_group_per_minute=60.0)
# "Cannot send messages to this user", "Missing Access", "Unknown Channel", "Missing
# Permissions": this chat's reminders pause until someone sets them again.
_GONE = frozenset({50007, 50001, 10003, 50013})
_TAG = re.compile(r"<[^>]+>")


def broadcast_text(text: str) -> str:
    """A broadcast as the operator formatted it for Telegram (HTML), as plain text."""
    return discord.utils.escape_markdown(html.unescape(_TAG.sub("", text)))


class DiscordSender:
    """Delivers reminders with Done / Snooze / Skip buttons, and broadcast copies."""

    platforms = frozenset({Platform.DISCORD})

    def __init__(
        self,
        client: discord.Client,
        kb: KnowledgeBase,
        renderer: DiscordRenderer,
        flood: FloodControl | None = None,
    ) -> None:
        self.client = client
        self.kb = kb
        self.renderer = renderer
        self.flood = flood or FloodControl(LIMITS)

    async def send(self, item: Outbound) -> SendResult:
        """Send one message; map Discord's errors to what the dispatcher should do."""
        if isinstance(item, Claim):
            card = single(reminder_message(item.reminder, self.kb))
        else:
            card = Card(broadcast_text(item.text), ())
        try:
            await self.flood.acquire(item.chat_id, group=False, priority=Priority.BACKGROUND)
        except ChatBusyError as busy:
            return SendResult(Outcome.RETRY, retry_after=busy.delay)
        channel = self.client.get_partial_messageable(item.chat_id)
        try:
            message = await channel.send(embed=card.embed(), view=self.renderer.view(card))  # type: ignore[arg-type]
        except discord.HTTPException as error:
            return self._failed(item, error)
        except (aiohttp.ClientError, OSError) as error:
            log.warning("%s not sent yet (%s); will retry", describe(item), type(error).__name__)
            return SendResult(Outcome.RETRY)
        return SendResult(Outcome.SENT, message_id=message.id)

    def _failed(self, item: Outbound, error: discord.HTTPException) -> SendResult:
        what = describe(item)
        if error.code in _GONE or isinstance(error, discord.NotFound):
            return SendResult(Outcome.UNREACHABLE)
        if error.status == 429 or error.status >= 500:
            log.warning("%s not sent yet (HTTP %d); will retry", what, error.status)
            return SendResult(Outcome.RETRY)
        log.error("%s rejected by Discord: %s", what, error.code)
        return SendResult(Outcome.FAILED)
