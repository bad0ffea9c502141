"""A store opened for a test, holding the dispatch lease that claims need."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import Store

OWNER = "test-instance"


async def open_store(path: Path) -> Store:
    """The store at `path`, open, with OWNER holding the lease."""
    store = Store(path)
    await store.open()
    assert await store.take_lease(OWNER, None, datetime.now(UTC))
    return store
