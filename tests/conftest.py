"""Shared fixtures: the shipped knowledge, loaded once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Knowledge
from bot.loader import load_knowledge
from tests.telegram.harness import Harness, running_bot


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def kb(knowledge: Knowledge) -> KnowledgeBase:
    return KnowledgeBase(knowledge)


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running over loopback HTTP against the stand-in Bot API."""
    async with running_bot(kb, tmp_path / "bot.sqlite3") as harness:
        yield harness
