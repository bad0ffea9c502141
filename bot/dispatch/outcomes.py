"""Recording how a send ended: sent, unreachable, failed, or moved to a new chat id."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.reminders import Claim
from bot.dispatch.ports import Outbound, Outcome, SendResult, describe
from bot.storage import DispatchStore, StorageError, TransientError

log = logging.getLogger(__name__)


async def record(
    store: DispatchStore,
    clock: Clock,
    item: Outbound,
    result: SendResult,
    now: datetime,
    grace: timedelta,
) -> bool:
    """Store the outcome of one attempt made at `now`; whether the delivery is over. A
    reminder moves on to its next due time that is less than `grace` late."""
    if result.outcome is Outcome.SENT:
        # Telegram has it: whatever happens to the record, it is never sent again from
        # here. A locked database is waited for; a damaged one leaves it pending.
        while True:
            try:
                await finish(store, item, "sent", clock.now(), grace, result.message_id)
                break
            except TransientError as error:
                log.warning("could not record a sent message (%s); retrying", error)
                await asyncio.sleep(1)
            except StorageError as error:
                log.error("could not record %s as sent (%s)", describe(item), error)
                break
    elif result.outcome is Outcome.UNREACHABLE:
        await finish(store, item, "unreachable", now, grace)
        paused = await store.deactivate_chat(item.chat_id)
        log.info("chat unreachable: paused its %d reminders", paused)
    elif result.outcome is Outcome.FAILED:
        await finish(store, item, "failed", now, grace)
    elif result.outcome is Outcome.MOVED and result.new_chat_id is not None:
        await store.move_chat(item.chat_id, result.new_chat_id)
        return False
    else:
        return False
    return True


async def finish(
    store: DispatchStore,
    item: Outbound,
    outcome: str,
    at: datetime,
    grace: timedelta,
    message_id: int | None = None,
) -> None:
    """Record how a reminder's delivery or a broadcast's copy ended at `at`; a reminder
    moves on to its next due time that is less than `grace` late."""
    if isinstance(item, Claim):
        await store.finish(item, outcome, at, message_id, next_due=item.following(at, grace))
    else:
        await store.finish_broadcast_send(item.id, outcome, at)
