"""The dispatch lease: one holder at a time, taken over when released or as a standby last
saw it, claims fenced by it, and what a holder left pending adopted by the next."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Lease, LeaseLostError, Store
from tests.storage.test_store import add

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two instances' stores on one database file."""
    first, second = Store(tmp_path / "bot.sqlite3"), Store(tmp_path / "bot.sqlite3")
    await first.open()
    await second.open()
    yield first, second
    await first.close()
    await second.close()


async def test_one_holder_at_a_time_taken_over_only_as_seen(stores: tuple[Store, Store]) -> None:
    a, b = stores
    assert await a.lease() is None
    assert await a.take_lease("a", None, NOW)
    assert not await b.take_lease("b", None, NOW)  # someone holds it now
    seen = await b.lease()
    assert seen == Lease("a", 0)
    assert await a.renew_lease("a", NOW)  # a is alive: what b saw is out of date
    assert not await b.take_lease("b", seen, NOW)
    seen = await b.lease()
    assert seen == Lease("a", 1)
    # a's renewals stop (it crashed); b, having seen that long enough, takes over.
    assert await b.take_lease("b", seen, NOW)
    assert not await a.renew_lease("a", NOW)
    assert await a.lease() == Lease("b", 0)


async def test_a_released_lease_is_free_at_once(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await a.take_lease("a", None, NOW)
    await b.release_lease("a-impostor")  # only the holder can release it
    assert await b.lease() == Lease("a", 0)
    await a.release_lease("a")
    assert await b.take_lease("b", None, NOW)


async def test_claims_are_fenced_by_the_lease(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await add(a, 1, next_due=NOW)
    with pytest.raises(LeaseLostError):
        await a.claim_due(NOW, 10, "a")  # no lease yet
    await a.take_lease("a", None, NOW)
    with pytest.raises(LeaseLostError):
        await b.claim_due(NOW, 10, "b")
    assert await b.claim_broadcast_sends(NOW, 10, "b") == []
    [claim] = await a.claim_due(NOW, 10, "a")
    assert await a.still_pending([claim], "a") == {claim}
    assert await a.still_pending([claim], "b") == set()


async def test_the_next_holder_adopts_what_the_last_left_pending(
    stores: tuple[Store, Store],
) -> None:
    a, b = stores
    for chat in (1, 2, 3):
        await add(a, chat, next_due=NOW)
    await a.take_lease("a", None, NOW)
    claims = await a.claim_due(NOW, 10, "a")
    await a.finish(claims[0], "sent", NOW, 5, next_due=NOW + timedelta(hours=2))
    # a stops gracefully with two claims unsent; b takes over and adopts exactly those.
    await a.release_lease("a")
    assert await b.take_lease("b", None, NOW)
    adopted, sends = await b.adopt_pending("b")
    assert sorted(c.delivery_id for c in adopted) == sorted(c.delivery_id for c in claims[1:])
    assert sends == []
    # They are b's now: a, still sending from memory, finds them gone.
    assert await a.still_pending(claims[1:], "a") == set()
    assert await b.still_pending(claims, "b") == set(claims[1:])
