"""Groups at their flood limit do not hold up private chats. Two groups have had their
minute's allowance (20 messages, from an earlier run of the bot, so this one's limiter cannot
know) when 17 more reminders in each (the 20 less the 3 kept for replies) and 100 private
reminders fall due at once: Telegram answers the groups' sends 429 until their minute is
over. Every reminder arrives exactly once, and the private ones are not kept waiting."""

from __future__ import annotations

import contextlib
import math
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from time import time

from bot.flood import GROUP_REPLY_ROOM
from tests.bot_api_server import BotApiServer
from tests.faults.test_kill import seed, start_bot
from tests.telegram.harness import BOT_NAME, REMINDER_MARKS, TOKEN
from tests.telegram_api import FakeBotApi, RateLimits, Sent

GROUPS = (-3001, -3002)
ALLOWANCE = 20  # Telegram's allowance for one group in one minute
# What the bot may deliver to a group in a minute: it keeps a few of the 20 for replies.
PER_GROUP = ALLOWANCE - GROUP_REPLY_ROOM
PRIVATE = 100
# The bot starts before they fall due: lateness is the dispatcher's, not the start-up's.
DUE_AFTER_SECONDS = 4
# The groups' minute (Telegram's window) ends this long after the reminders fall due.
GROUPS_FREE_AFTER_DUE_S = 8
PRIVATE_LATENESS_P50_S = 5.0
# 100 private messages take ~3.5 s at 30/s; the groups' 20 fit as soon as their minute ends.
PRIVATE_WITHIN_S = 20.0
GROUPS_WITHIN_S = GROUPS_FREE_AFTER_DUE_S + 2 * len(GROUPS) + 20.0


def reminder_sends(api: FakeBotApi) -> list[Sent]:
    return [
        s
        for s in api.outbox
        if s.method == "sendMessage" and any(m in (s.plain or "") for m in REMINDER_MARKS)
    ]


def reminder_id(sent: Sent) -> str:
    """Which reminder a message is: its buttons' callback data names the reminder."""
    assert sent.reply_markup is not None
    return str(sent.reply_markup["inline_keyboard"][0][0]["callback_data"])


async def test_groups_at_their_limit_do_not_hold_up_private_chats(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    due = datetime.fromtimestamp(math.ceil(time() + DUE_AFTER_SECONDS), UTC)
    await seed(database, due, GROUPS, per_chat=PER_GROUP)
    await seed(database, due, range(1, PRIVATE + 1))
    # Telegram's own limits; the clock is set back `earlier` s to play an earlier run's sends.
    earlier = 0.0
    api = FakeBotApi(username=BOT_NAME, limits=RateLimits(), clock=lambda: time() - earlier)
    for chat in range(1, PRIVATE + 1):
        api.open_private_chat(chat)
    for group in GROUPS:
        api.send_text("hi all", chat_id=group, chat_type="group")  # left unanswered
    # The earlier run's messages, a minute before the groups are free again (2 s apart for
    # the overall 30/s).
    for n, group in enumerate(GROUPS):
        earlier = time() - (due.timestamp() + GROUPS_FREE_AFTER_DUE_S + 2 * n - 60)
        for _ in range(ALLOWANCE):
            await api.call("sendMessage", {"chat_id": group, "text": "Earlier"})
    earlier = 0.0

    def private() -> Counter[int]:
        return Counter(int(s.chat_id or 0) for s in reminder_sends(api) if (s.chat_id or 0) > 0)

    def in_groups() -> Counter[str]:
        return Counter(reminder_id(s) for s in reminder_sends(api) if (s.chat_id or 0) < 0)

    async with BotApiServer(api, token=TOKEN) as server:
        process = await start_bot(server, database)
        try:
            waits = (
                (lambda: len(private()) == PRIVATE, PRIVATE_WITHIN_S),
                (lambda: len(in_groups()) == len(GROUPS) * PER_GROUP, GROUPS_WITHIN_S),
            )
            for done, within in waits:
                left = due.timestamp() + within - time()
                with contextlib.suppress(TimeoutError):
                    await api.wait_for(done, max(0.0, left))
        finally:
            process.terminate()
            await process.wait()
    firsts: dict[int, float] = {}
    for s in reminder_sends(api):
        firsts.setdefault(int(s.chat_id or 0), s.at)
    lateness = sorted(firsts[c] - due.timestamp() for c in private())
    p50 = statistics.median(lateness) if lateness else math.inf
    p95 = lateness[math.ceil(0.95 * len(lateness)) - 1] if lateness else math.inf
    print(
        f"\nprivate: {len(private())}/{PRIVATE} delivered, lateness p50 {p50:.1f} s, "
        f"p95 {p95:.1f} s; groups: {len(in_groups())}/{len(GROUPS) * PER_GROUP}; "
        f"429s: {api.too_many_requests}"
    )
    assert len(private()) == PRIVATE
    assert len(in_groups()) == len(GROUPS) * PER_GROUP
    assert set(private().values()) == {1}
    assert set(in_groups().values()) == {1}
    assert p50 <= PRIVATE_LATENESS_P50_S
    assert process.returncode == 0
