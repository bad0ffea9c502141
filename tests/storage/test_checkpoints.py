"""Checkpoints of the write-ahead log: never in a claim's commit, in the background on a
schedule of their own, cut back past a bound, and once more on close."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import Store, to_seconds
from tests.storage.stores import OWNER, open_store
from tests.storage.test_store import NOW

PAGE = 4096  # SQLite's default page size
FRAME = 24 + PAGE  # each frame of the log: a header, then the page
DEFAULT_AUTOCHECKPOINT_FRAMES = 1000  # where SQLite would have checkpointed in a commit


def db_bytes(path: Path) -> int:
    return path.stat().st_size


def wal_bytes(path: Path) -> int:
    wal = path.with_name(f"{path.name}-wal")
    return wal.stat().st_size if wal.exists() else 0


async def seed_due(store: Store, count: int) -> None:
    """`count` reminders in as many chats, all due an hour ago."""
    due = to_seconds(NOW - timedelta(hours=1))
    async with store.transaction() as db:
        await db.executemany(
            "INSERT INTO chats (chat_id, chat_type, created_at) VALUES (?, 'private', ?)",
            [(chat, due) for chat in range(1, count + 1)],
        )
        await db.executemany(
            "INSERT INTO reminders (chat_id, created_by, kind, timezone, interval_minutes, "
            "window_start, window_end, next_due, created_at) "
            "VALUES (?, ?, 'water', 'Europe/Berlin', 120, '08:00', '22:00', ?, ?)",
            [(chat, chat, due, due) for chat in range(1, count + 1)],
        )


async def wait_for(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the store raises no event for this
            await asyncio.sleep(0.01)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


async def test_claims_leave_the_checkpoint_to_the_background(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.checkpoints.CHECKPOINT_EVERY_SECONDS", 3600.0)
    store = await open_store(path)
    try:
        await seed_due(store, 20_000)
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        file_bytes = db_bytes(path)
        logged = []
        while await store.claim_due(NOW, 500, OWNER):
            logged.append(wal_bytes(path))
        assert len(logged) == 40
        # Each commit appended to the log; none started it over, as one after a checkpoint…
        assert logged == sorted(set(logged))
        assert logged[-1] > DEFAULT_AUTOCHECKPOINT_FRAMES * FRAME
        # …and not a page reached the database file.
        assert db_bytes(path) == file_bytes
    finally:
        await store.close()


async def test_the_log_is_checkpointed_into_the_file_in_the_background(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.checkpoints.CHECKPOINT_EVERY_SECONDS", 0.02)
    store = await open_store(path)
    try:
        file_bytes = db_bytes(path)
        await seed_due(store, 5_000)
        # Only a checkpoint writes to the file of a database in WAL mode.
        await wait_for(lambda: db_bytes(path) > file_bytes)
        assert wal_bytes(path) > 0  # a PASSIVE one: the log stays, to be written over
    finally:
        await store.close()


async def test_a_log_past_its_bound_is_cut_back_by_the_next_write(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.checkpoints.CHECKPOINT_EVERY_SECONDS", 3600.0)
    monkeypatch.setattr("bot.storage.sqlite.checkpoints.WAL_BOUND_BYTES", 64 * 1024)
    store = await open_store(path)
    try:
        await seed_due(store, 5_000)  # a log of ~0.6 MB
        assert wal_bytes(path) > 64 * 1024
        assert store._checkpoints is not None
        done = await store._checkpoints.checkpoint("PASSIVE")  # the scheduled one, now
        assert done is not None
        assert done.moved_frames == done.wal_frames > 0
        # The log was all moved, so the next write starts it over and cuts it back.
        await store.set_timezone(99, "private", "UTC", NOW, lambda schedule: NOW)
        assert wal_bytes(path) <= 64 * 1024
    finally:
        await store.close()


async def test_close_leaves_the_log_checkpointed_while_others_have_it_open(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.checkpoints.CHECKPOINT_EVERY_SECONDS", 3600.0)
    store = await open_store(path)
    await seed_due(store, 5_000)
    # Another connection keeps the log open, so SQLite's own checkpoint on closing the last
    # connection does not happen: the store's close has to do it.
    with contextlib.closing(sqlite3.connect(path)) as other:
        other.execute("SELECT COUNT(*) FROM reminders").fetchall()
        assert wal_bytes(path) > 0
        await store.close()
        assert wal_bytes(path) == 0
        assert other.execute("SELECT COUNT(*) FROM reminders").fetchall() == [(5_000,)]
