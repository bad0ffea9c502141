"""What the stand-in saw: requests, messages the bot posted, interactions, and waits on them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.discord_api.world import JSON, Channel, Guild, User

EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Interaction callback types.
REPLY = 4
DEFER = 5
DEFER_UPDATE = 6
UPDATE = 7
CHOICES = 8
MODAL = 9


@dataclass(frozen=True)
class Request:
    """One HTTP request to the REST API and how it was answered."""

    method: str
    path: str  # after /api/v10, e.g. /channels/123/messages
    route: str  # the matched route, e.g. "POST /channels/{channel_id}/messages"; "" if unknown
    query: dict[str, str]
    status: int
    started: float  # the event loop's clock when it arrived
    finished: float  # ... and when the reply was ready
    authorization: str | None
    body: Any
    reply: Any  # the JSON body sent back (None for 204)

    @property
    def key(self) -> str:
        """'METHOD /path', what rate_limit patterns match."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Posted:
    """One message the bot posted or changed, as the user then saw it."""

    kind: str  # "send", "reply", "defer", "update", "edit" or "followup"
    channel_id: int
    message_id: int
    content: str
    embeds: list[JSON]
    components: list[JSON]
    flags: int
    interaction: InteractionHandle | None  # the interaction it answered, if any
    at: float
    message: JSON  # the whole message object after this change

    @property
    def ephemeral(self) -> bool:
        """Whether only the interacting user sees it."""
        return bool(self.flags & EPHEMERAL)


@dataclass(frozen=True)
class UserMessage:
    """A message a user wrote, and whether the client was entitled to receive it."""

    id: int
    channel: Channel
    content: str
    delivered: bool


@dataclass(eq=False)
class InteractionHandle:
    """An injected interaction: what was sent, and how the bot answered it."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    user: User
    channel: Channel
    guild: Guild | None
    payload: JSON  # the INTERACTION_CREATE data
    ledger: Ledger
    created: float
    callback_type: int | None = None
    callback: JSON | None = None  # the callback's body
    original_id: int | None = None  # the message @original refers to
    completed: bool = False  # a deferred reply (type 5) has been edited or followed up
    choices_: list[JSON] | None = None
    message_ids: set[int] = field(default_factory=set)  # its reply and followups

    @property
    def open(self) -> bool:
        """Whether the user is still waiting: no callback, or a deferral not yet filled in."""
        return self.callback_type is None or (self.callback_type == DEFER and not self.completed)

    async def response(self, patience: float = 5.0) -> JSON:
        """Wait for the callback and return its body ({"type": ..., "data": ...})."""
        await self.ledger.until(lambda: self.callback is not None, patience, f"callback to {self}")
        assert self.callback is not None
        return self.callback

    async def choices(self, patience: float = 5.0) -> list[JSON]:
        """Wait for an autocomplete's type-8 callback and return its choices."""
        await self.response(patience)
        if self.choices_ is None:
            raise AssertionError(f"{self} was answered with type {self.callback_type}, not 8")
        return self.choices_

    async def reply(self, patience: float = 5.0) -> Posted:
        """Wait for the first message posted for this interaction (reply, update or edit)."""
        return await self.ledger.wait_for(lambda p: p.interaction is self, patience)

    @property
    def posted(self) -> list[Posted]:
        """Every message change made for this interaction so far."""
        return [p for p in self.ledger.posted if p.interaction is self]

    def __repr__(self) -> str:
        name = self.payload.get("data", {}).get("name") or self.payload.get("data", {}).get(
            "custom_id"
        )
        return f"<interaction {self.id} type={self.type} {name!r} by {self.user.name}>"


class Ledger:
    """Every record, and futures woken on each change: waits are driven by events, not sleeps."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.posted: list[Posted] = []
        self.interactions: list[InteractionHandle] = []
        self.in_flight = 0
        self.owed: Counter[str] = Counter()  # 429'd requests whose retry has not come yet
        self._cursor = 0
        self._waiters: list[tuple[asyncio.Future[None], Callable[[], bool]]] = []

    def changed(self) -> None:
        """Wake every wait whose condition now holds."""
        for future, condition in list(self._waiters):
            if not future.done() and condition():
                future.set_result(None)

    async def until(self, condition: Callable[[], bool], patience: float, what: str) -> None:
        """Return once condition() holds; TimeoutError naming `what` after `patience` seconds."""
        if condition():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (future, condition)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(patience):
                await future
        except TimeoutError:
            raise TimeoutError(f"no {what} within {patience}s; {self.summary()}") from None
        finally:
            self._waiters.remove(entry)

    def summary(self) -> str:
        """A line on the state, for timeout messages."""
        opened = [repr(i) for i in self.interactions if i.open]
        return (
            f"{len(self.posted)} posted, {self.in_flight} requests in flight, "
            f"owed retries {dict(self.owed)}, open interactions {opened}"
        )

    def add_request(self, request: Request) -> None:
        """Record one answered request."""
        self.requests.append(request)
        if self.owed[request.key]:
            self.owed[request.key] -= 1
            if not self.owed[request.key]:
                del self.owed[request.key]
        if request.status == 429:
            self.owed[request.key] += 1
        self.changed()

    def add_posted(self, posted: Posted) -> None:
        """Record one message change."""
        self.posted.append(posted)
        self.changed()

    async def next_message(self, patience: float) -> Posted:
        """The next message change not yet returned by next_message."""
        await self.until(lambda: len(self.posted) > self._cursor, patience, "next message")
        self._cursor += 1
        return self.posted[self._cursor - 1]

    async def wait_for(self, predicate: Callable[[Posted], bool], patience: float) -> Posted:
        """The first message change, past or future, that matches."""
        found: list[Posted] = []

        def matched() -> bool:
            found[:] = [p for p in self.posted if predicate(p)][:1]
            return bool(found)

        await self.until(matched, patience, "matching message")
        return found[0]

    def quiet(self) -> bool:
        """No request in flight or owed, and no interaction left waiting."""
        return not self.in_flight and not self.owed and not any(i.open for i in self.interactions)
