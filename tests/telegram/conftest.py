"""A running bot per test, over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.knowledge import KnowledgeBase
from tests.telegram.harness import Harness, running_bot


@pytest.fixture
async def bot(kb: KnowledgeBase) -> AsyncIterator[Harness]:
    async with running_bot(kb) as harness:
        yield harness
