"""A damaged database: refused at start with one line naming the file, and reported by
health when it breaks while the bot runs."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import DamagedError, Store
from tests.storage.test_store import add


async def seeded(path: Path, chats: int = 300) -> None:
    """`chats` reminders, none due for years: a running bot writes none of their pages, so
    a page zeroed under it is not written back whole from its cache."""
    store = Store(path)
    await store.open()
    for chat in range(1, chats + 1):
        await add(store, chat, next_due=datetime(2100, 6, 1, tzinfo=UTC))
    await store.close()


def zero_page(path: Path, page: int) -> None:
    """Overwrite one page of the file with zeros, as a bad disk sector would."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = int(db.execute("PRAGMA page_size").fetchone()[0])
        pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    assert page < pages
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(bytes(size))


def last_page(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA page_count").fetchone()[0]) - 1


async def test_a_zeroed_page_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await seeded(path)
    zero_page(path, last_page(path))
    store = Store(path)
    with pytest.raises(DamagedError) as caught:
        await store.open()
    message = str(caught.value)
    assert str(path) in message
    assert "damaged" in message
    assert "\n" not in message
    assert not store.is_open


async def test_damage_while_running_turns_health_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.store.WATCH_EVERY_SECONDS", 0.01)
    path = tmp_path / "bot.sqlite3"
    await seeded(path)
    store = Store(path)
    await store.open()
    try:
        assert store.healthy
        zero_page(path, last_page(path))
        async with asyncio.timeout(5):
            while store.healthy:  # noqa: ASYNC110 - the store raises no event for this
                await asyncio.sleep(0.01)
        assert store.damage
    finally:
        await store.close()


async def test_an_intact_database_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await seeded(path, chats=3)
    store = Store(path)
    await store.open()
    try:
        assert store.healthy
        assert store.damage is None
    finally:
        await store.close()
