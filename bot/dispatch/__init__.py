"""The reminder dispatcher: claims due reminders from the database and delivers each once.

Its own loop ticks every second (sooner when kicked), waiting on the monotonic clock, so a
step of the wall clock neither stalls nor repeats it; due times are compared on the wall
clock. Each tick claims due reminders in batches (a pending delivery for each due time; the
reminder moves on to its next due time when that delivery ends), into per-chat backlogs
(backlogs.py) worked by a fixed pool of senders: a chat at its flood limit waits in its
backlog without holding a sender, so other chats are not held up. Memory does not grow
with the number of stored reminders; a large backlog waits in the database.

One instance per database dispatches: the one holding the lease row, renewed while it
runs. Others wait as standbys and take over when the lease is released (a graceful stop)
or expires (a crash), adopting the deliveries it left pending; a delivery is sent only by
the lease holder that claimed or adopted it. A claimed delivery is recorded before it is
sent and marked when it has been (outcomes.py); anything overdue by more than the grace
period is skipped and logged, never sent late in a flood.
"""

from bot.dispatch.dispatcher import BATCH, GRACE, HEARTBEAT_SECONDS, Dispatcher
from bot.dispatch.ports import Outbound, Outcome, Sender, SendResult, describe

__all__ = [
    "BATCH",
    "GRACE",
    "HEARTBEAT_SECONDS",
    "Dispatcher",
    "Outbound",
    "Outcome",
    "SendResult",
    "Sender",
    "describe",
]
