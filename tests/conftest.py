"""Shared fixtures: the shipped knowledge, loaded once."""

from __future__ import annotations

import pytest

from bot.content import load_knowledge
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def kb(knowledge: Knowledge) -> KnowledgeBase:
    return KnowledgeBase(knowledge)
