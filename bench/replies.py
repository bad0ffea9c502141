"""Replies wait behind reminders: how long a user waits for an answer while a backlog of
due reminders drains, and how late private reminders are while groups sit at their limit.

The real Application runs here (as in bench.burst), with its own rate limiter, against the
stand-in Bot API in its own process with Telegram's limits: 30 msg/s in all, 1/s per chat,
20/min per group, 429 retry_after above them.

- replies: 2 000 private reminders due at once. First, with nothing due, 200 users each send
  /foods magnesium over 10 s (20/s, inside the 30/s: the answers alone fit), the idle
  latency; then, once the backlog is draining, 200 other users do the same. Latency is from
  the stand-in taking the update to it accepting the bot's answer in that chat.
- groups: 2 groups at their limit (an earlier run of the bot sent 20 messages to each just
  before this one started, so its limiter cannot know) when 20 reminders in each fall due
  together with 100 private ones; Telegram answers the groups 429 until their minute is
  over. How late the private ones are (accepted minus due) meanwhile.

Run: .venv/bin/python -m bench.replies [--scenario replies|groups|both]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import verdict
from bench.burst import wait_for_all
from bench.standin import TOKEN, bot_call, control, stand_in, stats
from bot.app import Core, running
from bot.config import load_settings
from bot.core.knowledge import KnowledgeBase
from bot.loader import load_knowledge
from bot.telegram.lifecycle import TelegramFrontEnd
from tests.faults.test_kill import seed

TELEGRAM_RATE = 30.0  # the stand-in's overall limit; per chat and per group are Telegram's
COMMAND = "/foods magnesium"
USERS = 200
IDLE_FIRST_USER = 10_001
BUSY_FIRST_USER = 20_001
INJECT_SECONDS = 10.0
INJECT_BATCHES = 50
REMINDERS = 2_000
# Seeding 2 000 reminders (~3 s), starting the bot and the idle round happen before they are due.
REPLIES_DUE_AFTER_SECONDS = 18
# The backlog round starts once this many reminders are out: the backlog is draining.
BACKLOG_STARTED_AT = 30
REPLY_TIMEOUT_SECONDS = 60.0
TARGET_BACKLOG_P95_S = 1.0

GROUPS = (-1001, -1002)
PER_GROUP = 20  # Telegram's per-group allowance for one minute
PRIVATE = 100
# Seeding, the earlier run's messages and start-up happen before the reminders are due.
GROUPS_DUE_AFTER_SECONDS = 6
# The groups' reminders fit a minute after their answers; past this the run is cut short.
GROUPS_TIMEOUT_SECONDS = 120.0
TARGET_PRIVATE_LATE_P50_S = 5.0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (nan if there are no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def due_in(seconds: float) -> datetime:
    """A whole second at least `seconds` from now (due times are stored to the second)."""
    return datetime.fromtimestamp(math.ceil(time.time() + seconds), UTC)


async def until(root: str, done: Callable[[dict[str, int]], bool], within: float) -> bool:
    """Poll the stand-in's counts until `done` holds (True) or `within` seconds pass (False)."""
    deadline = time.monotonic() + within
    while not done(await stats(root, counts_only=True)):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def inject(root: str, first: int) -> None:
    """USERS users from `first` on each send COMMAND (in private), over INJECT_SECONDS."""
    size = USERS // INJECT_BATCHES
    for batch in range(INJECT_BATCHES):
        await control(root, "messages", first=first + batch * size, count=size, text=COMMAND)
        await asyncio.sleep(INJECT_SECONDS / INJECT_BATCHES)


def sends_by_chat(data: dict[str, Any]) -> dict[int, list[float]]:
    """When the stand-in accepted each sendMessage, per chat."""
    by_chat: dict[int, list[float]] = {}
    for chat, at, _ in data["sends"]:
        by_chat.setdefault(int(chat), []).append(float(at))
    return by_chat


def reply_latencies(data: dict[str, Any], first: int) -> list[float]:
    """Seconds from each user's command to the first answer in their chat (answered ones)."""
    by_chat = sends_by_chat(data)
    injected = data["injected"]
    return [
        by_chat[user][0] - float(injected[str(user)])
        for user in range(first, first + USERS)
        if user in by_chat
    ]


def deliveries(data: dict[str, Any], chats: Iterable[int]) -> Counter[int]:
    """Messages per chat, for `chats`."""
    by_chat = sends_by_chat(data)
    return Counter({chat: len(by_chat.get(chat, ())) for chat in chats})


@asynccontextmanager
async def bot(root: str, database: Path, kb: KnowledgeBase) -> AsyncIterator[None]:
    """The bot as shipped (its own rate limiter), polling the stand-in."""
    settings = load_settings(
        {"BOT_TOKEN": TOKEN, "BOT_API_URL": root, "DATABASE_PATH": str(database)}
    )
    core = Core(settings, kb)
    TelegramFrontEnd(core, poll=True)
    async with running(core):
        yield


@dataclass(frozen=True)
class RepliesResult:
    """The replies run: answer latencies in both rounds and what arrived."""

    idle: list[float]
    busy: list[float]
    delivered: int
    duplicates: int


async def run_replies(kb: KnowledgeBase, folder: Path) -> RepliesResult:
    """The idle round, then the same commands from other users behind 2 000 due reminders."""
    database = folder / "replies.sqlite3"
    due = due_in(REPLIES_DUE_AFTER_SECONDS)
    await seed(database, due, range(1, REMINDERS + 1))
    async with stand_in(TELEGRAM_RATE, open_chats=REMINDERS) as root, bot(root, database, kb):
        await inject(root, IDLE_FIRST_USER)
        if not await until(root, lambda c: c["chats"] >= USERS, REPLY_TIMEOUT_SECONDS):
            raise RuntimeError("the idle round was not answered in time")
        if time.time() >= due.timestamp():
            raise RuntimeError("the idle round overran the reminders' due time")
        draining = USERS + BACKLOG_STARTED_AT
        wait = REPLIES_DUE_AFTER_SECONDS + REPLY_TIMEOUT_SECONDS
        if not await until(root, lambda c: c["sent"] >= draining, wait):
            raise RuntimeError("the reminders did not start going out")
        await inject(root, BUSY_FIRST_USER)
        await wait_for_all(root, REMINDERS + 2 * USERS)
        data = await stats(root)
    counts = deliveries(data, range(1, REMINDERS + 1))
    return RepliesResult(
        idle=reply_latencies(data, IDLE_FIRST_USER),
        busy=reply_latencies(data, BUSY_FIRST_USER),
        delivered=sum(1 for n in counts.values() if n),
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
    )


@dataclass(frozen=True)
class GroupsResult:
    """The groups run: private chats' lateness and what arrived."""

    private_lateness: list[float]
    private_delivered: int
    group_delivered: int
    duplicates: int
    too_many: int


async def run_groups(kb: KnowledgeBase, folder: Path) -> GroupsResult:
    """Two groups at their limit, then 20 reminders in each and 100 private, due at once."""
    database = folder / "groups.sqlite3"
    due = due_in(GROUPS_DUE_AFTER_SECONDS)
    await seed(database, due, GROUPS, per_chat=PER_GROUP)
    await seed(database, due, range(1, PRIVATE + 1))
    earlier = len(GROUPS) * PER_GROUP
    expected = earlier + len(GROUPS) * PER_GROUP + PRIVATE
    async with stand_in(TELEGRAM_RATE, open_chats=PRIVATE) as root:
        for group in GROUPS:
            # A user's plain message makes the group exist; the bot leaves it unanswered.
            await control(
                root, "messages", first=1, count=1, text="hi", chat_type="group", chat_id=group
            )
            for _ in range(PER_GROUP):
                await bot_call(root, "sendMessage", chat_id=group, text="Earlier")
            await asyncio.sleep(1)  # the overall 30/s
        async with bot(root, database, kb):
            if time.time() >= due.timestamp():
                raise RuntimeError("setting up overran the reminders' due time")
            timeout = GROUPS_DUE_AFTER_SECONDS + GROUPS_TIMEOUT_SECONDS
            if await until(root, lambda c: c["sent"] >= expected, timeout):
                await asyncio.sleep(3)  # room for duplicates to show
            data = await stats(root)
    private = deliveries(data, range(1, PRIVATE + 1))
    firsts = sends_by_chat(data)
    # A reminder's buttons name it: count each group reminder by its id.
    in_groups = Counter(key for chat, _, key in data["sends"] if int(chat) in GROUPS and key)
    return GroupsResult(
        private_lateness=[firsts[c][0] - due.timestamp() for c in private if private[c]],
        private_delivered=sum(1 for n in private.values() if n),
        group_delivered=len(in_groups),
        duplicates=sum(n - 1 for n in private.values() if n > 1)
        + sum(n - 1 for n in in_groups.values()),
        too_many=int(data["too_many_requests"]),
    )


def print_replies(result: RepliesResult) -> dict[str, bool]:
    print(
        f"{REMINDERS:,} private reminders due at once; {USERS} users send {COMMAND!r} over "
        f"{INJECT_SECONDS:g} s, idle first, then behind the backlog\n"
    )
    print(f"{'':<32}{'answered':>10}{'p50 s':>9}{'p95 s':>9}")
    for label, latencies in (("reply, idle", result.idle), ("reply, behind backlog", result.busy)):
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        print(f"{label:<32}{f'{len(latencies)}/{USERS}':>10}{p50:>9.3f}{p95:>9.3f}")
    print(f"{'reminders delivered / due':<32}{f'{result.delivered} / {REMINDERS}':>28}")
    print(f"{'duplicates':<32}{result.duplicates:>28}\n")
    busy_p95 = percentile(result.busy, 0.95)
    return {
        f"reply p95 behind the backlog <= {TARGET_BACKLOG_P95_S:g} s": (
            busy_p95 <= TARGET_BACKLOG_P95_S
        ),
        "every command answered": len(result.idle) == len(result.busy) == USERS,
        "every reminder delivered": result.delivered == REMINDERS,
        "no duplicate reminders": result.duplicates == 0,
    }


def print_groups(result: GroupsResult) -> dict[str, bool]:
    groups_due = len(GROUPS) * PER_GROUP
    print(
        f"{len(GROUPS)} groups at their limit ({PER_GROUP} messages each just before, from an "
        f"earlier run) x {PER_GROUP} reminders + {PRIVATE} private reminders, all due at once\n"
    )
    late = result.private_lateness
    p50, p95 = percentile(late, 0.5), percentile(late, 0.95)
    print(f"{'private lateness p50 / p95 s':<32}{f'{p50:.1f} / {p95:.1f}':>28}")
    print(f"{'private delivered / due':<32}{f'{result.private_delivered} / {PRIVATE}':>28}")
    print(f"{'group delivered / due':<32}{f'{result.group_delivered} / {groups_due}':>28}")
    print(f"{'duplicates':<32}{result.duplicates:>28}")
    print(f"{'429s received':<32}{result.too_many:>28}\n")
    all_private = result.private_delivered == PRIVATE
    return {
        f"private lateness p50 <= {TARGET_PRIVATE_LATE_P50_S:g} s, groups at their limit": (
            all_private and p50 <= TARGET_PRIVATE_LATE_P50_S
        ),
        "every group and private reminder delivered": (
            all_private and result.group_delivered == groups_due
        ),
        "no duplicates (groups and private)": result.duplicates == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("replies", "groups", "both"), default="both")
    args = parser.parse_args()
    kb = KnowledgeBase(load_knowledge())
    checks: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="cramp-replies-") as folder:
        if args.scenario in ("replies", "both"):
            checks |= print_replies(asyncio.run(run_replies(kb, Path(folder))))
        if args.scenario in ("groups", "both"):
            checks |= print_groups(asyncio.run(run_groups(kb, Path(folder))))
    print(
        f"limits: {TELEGRAM_RATE:g} msg/s in all, 1/s per chat, 20/min per group (stand-in); "
        "the bot's own limiter"
    )
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
