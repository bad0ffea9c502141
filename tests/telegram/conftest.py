"""A running bot per test, over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from tests.telegram.harness import Harness, running_bot


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness
