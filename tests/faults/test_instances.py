"""Two `python -m bot` on one database (a rolling deploy, a second replica by mistake): only
the one holding the dispatcher lease sends reminders, the other stands by; it takes over at
once when the holder stops gracefully, and once the lease expires when the holder is killed.
Every reminder arrives once, whichever instance sends it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic

from tests.bot_api_server import BotApiServer
from tests.faults.test_kill import KILL_AFTER, MOST_DUPLICATES, delivered, seed, start_bot
from tests.telegram.harness import BOT_NAME, TOKEN
from tests.telegram_api import FakeBotApi, RateLimits

# How long a lease lasts without being renewed: a killed holder's is free after this.
LEASE_SECONDS = 15.0
# Telegram's 30 msg/s in all: a few seconds of sending for a few hundred reminders.
SLACK_SECONDS = 5.0
START_SECONDS = 30.0
# Due a little after the instances have started.
DUE_AFTER_SECONDS = 4
# The second instance of a rolling deploy starts once this many reminders are out.
OVERLAP_AFTER = 20


def standin(chats: int) -> FakeBotApi:
    """Telegram's own limits, and users 1..chats who have started the bot."""
    api = FakeBotApi(username=BOT_NAME, limits=RateLimits())
    for chat in range(1, chats + 1):
        api.open_private_chat(chat)
    return api


async def settle(api: FakeBotApi, done: Callable[[], bool], within: float) -> bool:
    """Wait until `done()` holds (True) or `within` seconds pass (False)."""
    with contextlib.suppress(TimeoutError):
        await api.wait_for(done, max(0.0, within))
    return done()


def serving(api: FakeBotApi) -> int:
    """How many instances have started taking updates: each bootstraps polling once."""
    return sum(1 for name, _ in api.calls if name == "deleteWebhook")


async def start_two(
    api: FakeBotApi, server: BotApiServer, database: Path, *, first_stderr: int | None = None
) -> tuple[asyncio.subprocess.Process, asyncio.subprocess.Process]:
    """The first instance, once it is serving (its dispatcher started), then the second."""
    first = await start_bot(server, database, stderr=first_stderr)
    await api.wait_for(lambda: serving(api) >= 1, START_SECONDS)
    second = await start_bot(server, database)
    await api.wait_for(lambda: serving(api) >= 2, START_SECONDS)
    return first, second


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM and wait; SIGKILL if it has not stopped in 30 s."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()


async def due_soon(tmp_path: Path, chats: int) -> tuple[Path, FakeBotApi]:
    """A database with one reminder in each of `chats` chats, due a little after the
    instances start, and a stand-in where those users have started the bot."""
    database = tmp_path / "bot.sqlite3"
    due = datetime.now(UTC) + timedelta(seconds=DUE_AFTER_SECONDS)
    await seed(database, due, range(1, chats + 1))
    return database, standin(chats)


def duplicates(api: FakeBotApi) -> int:
    return sum(n - 1 for n in delivered(api).values())


async def test_a_second_instance_started_mid_fan_out_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    """A rolling deploy: the new instance starts while the old one is sending."""
    due_count = 200
    database, api = await due_soon(tmp_path, due_count)
    async with BotApiServer(api, token=TOKEN) as server:
        first = await start_bot(server, database)
        second: asyncio.subprocess.Process | None = None
        try:
            await api.wait_for(lambda: sum(delivered(api).values()) >= OVERLAP_AFTER, 30)
            second = await start_bot(server, database)
            await api.wait_for(lambda: serving(api) >= 2, START_SECONDS)
            all_in = await settle(
                api, lambda: len(delivered(api)) == due_count, DUE_AFTER_SECONDS + 30
            )
        finally:
            await stop(first)
            if second is not None:
                await stop(second)
    print(
        f"\nsecond instance started after {OVERLAP_AFTER} of {due_count}: "
        f"{len(delivered(api))} delivered, {duplicates(api)} duplicates"
    )
    assert all_in
    assert duplicates(api) == 0
    assert first.returncode == 0
    assert second.returncode == 0


async def test_sigterm_of_the_holder_hands_over_at_once_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    due_count = 300
    database, api = await due_soon(tmp_path, due_count)
    async with BotApiServer(api, token=TOKEN) as server:
        first, second = await start_two(
            api, server, database, first_stderr=asyncio.subprocess.PIPE
        )
        try:
            await api.wait_for(lambda: sum(delivered(api).values()) >= KILL_AFTER, 30)
            at_stop = sum(delivered(api).values())
            signalled = monotonic()
            first.terminate()  # SIGTERM: a graceful stop releases the lease
            _, stderr = await asyncio.wait_for(first.communicate(), 30)
            all_in = await settle(
                api,
                lambda: len(delivered(api)) == due_count,
                signalled + LEASE_SECONDS + SLACK_SECONDS - monotonic(),
            )
            taken = monotonic() - signalled
        finally:
            await stop(first)
            await stop(second)
    print(
        f"\nSIGTERM to the first after {at_stop} of {due_count}: {len(delivered(api))} "
        f"delivered {taken:.1f} s after it, {duplicates(api)} duplicates"
    )
    assert first.returncode == 0, stderr.decode()
    assert all_in
    assert duplicates(api) == 0
    assert second.returncode == 0


async def test_sigkill_of_the_holder_hands_over_when_the_lease_expires(tmp_path: Path) -> None:
    due_count = 300
    database, api = await due_soon(tmp_path, due_count)
    async with BotApiServer(api, token=TOKEN) as server:
        first, second = await start_two(api, server, database)
        try:
            await api.wait_for(lambda: sum(delivered(api).values()) >= KILL_AFTER, 30)
            at_kill = sum(delivered(api).values())
            killed = monotonic()
            first.kill()  # SIGKILL: the lease is left to expire
            await first.wait()
            all_in = await settle(
                api,
                lambda: len(delivered(api)) == due_count,
                killed + LEASE_SECONDS + SLACK_SECONDS + due_count / 30 - monotonic(),
            )
            taken = monotonic() - killed
        finally:
            await stop(first)
            await stop(second)
    print(
        f"\nSIGKILL to the first after {at_kill} of {due_count}: {len(delivered(api))} "
        f"delivered {taken:.1f} s after it, {duplicates(api)} duplicates"
    )
    assert all_in
    # Only what was in flight at the kill may arrive twice, as after a restart.
    assert duplicates(api) <= MOST_DUPLICATES
    assert second.returncode == 0
