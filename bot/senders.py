"""One sender port over every platform's: each claimed message goes to its chat's platform."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.dispatch import Outbound, Outcome, Sender, SendResult, describe

log = logging.getLogger(__name__)
# A reminder adopted from a crash whose platform is not running now waits this long.
UNSERVED_RETRY_SECONDS = 60.0


class PlatformSenders:
    """Routes each reminder or broadcast copy to the sender of its chat's platform."""

    def __init__(self, senders: Mapping[Platform, Sender]) -> None:
        self._senders = senders  # the caller's: front ends attached later are served too

    @property
    def platforms(self) -> frozenset[Platform]:
        """Every platform with a sender."""
        return frozenset(self._senders)

    async def send(self, item: Outbound) -> SendResult:
        """Send through the platform's sender. No sender for it: a reminder waits (they are
        claimed only for running platforms, so this is one left pending by a crash), and a
        broadcast copy is dropped with a log line (broadcasts go to every chat)."""
        sender = self._senders.get(item.platform)
        if sender is not None:
            return await sender.send(item)
        log.warning("%s is for %s, which is not running here", describe(item), item.platform)
        if isinstance(item, Claim):
            return SendResult(Outcome.RETRY, retry_after=UNSERVED_RETRY_SECONDS)
        return SendResult(Outcome.FAILED)
