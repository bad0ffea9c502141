"""Deliveries in SQLite: what the dispatcher sends, reminders and broadcast copies,
claimed for the lease holder, recorded when done, and checked again before sending."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.broadcasts import BroadcastSend
from bot.core.platforms import Platform
from bot.core.reminders import Claim, Reminder
from bot.core.schedule import Schedule
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.lease import hold_lease
from bot.storage.sqlite.rows import (
    REMINDER_COLUMNS,
    from_seconds,
    reminder_from,
    to_seconds,
)
from bot.storage.sqlite.translate import translated

# Outcomes written in one statement at most (four values each, well under SQLite's limit).
FINISH_CHUNK = 1000


class _Finishes:
    """Outcomes waiting to be written together, and what their callers wait on."""

    __slots__ = ("rows", "written")

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, int | None, int | None]] = []
        self.written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Read here as well: a failure whose callers all stopped waiting is not reported by
        # asyncio as never retrieved (each caller still waiting raises it).
        self.written.add_done_callback(lambda done: done.cancelled() or done.exception())


def _batch(
    rows: Iterable[Sequence[Any]],
    now: datetime,
    advance: Callable[[Reminder, datetime], datetime],
) -> tuple[list[tuple[Reminder, datetime]], list[int]]:
    """A claim's rows of REMINDER_COLUMNS as reminders with their due times, and the values
    of their moves (id and next due time, two each), in one pass."""
    # Reminders due together share due times, and often schedules (the presets): each due
    # time is one datetime, and each (schedule, due time) is advanced once.
    dues: dict[int, datetime] = {}
    moved_to: dict[tuple[Schedule, int], int] = {}
    due: list[tuple[Reminder, datetime]] = []
    moves: list[int] = []
    for row in rows:
        at = row[9]  # next_due
        due_at = dues.get(at)
        if due_at is None:
            due_at = dues[at] = from_seconds(at)
        reminder = reminder_from(row, due_at)
        next_due = moved_to.get((reminder.schedule, at))
        if next_due is None:
            next_due = moved_to[reminder.schedule, at] = to_seconds(advance(reminder, now))
        due.append((reminder, due_at))
        moves += (reminder.id, next_due)
    return due, moves


class DeliveriesRepository(Connection):
    """The Deliveries repository (bot/storage/interfaces.py)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self._finishes: _Finishes | None = None  # not yet being written
        self._finishing: asyncio.Task[None] | None = None  # writes them, batch after batch

    @translated
    async def adopt_pending(self, owner: str) -> tuple[list[Claim], list[BroadcastSend]]:
        """Make every delivery and broadcast copy left pending by an earlier lease holder
        (stopped, crashed or expired) `owner`'s, and return them: they are sent now."""
        async with self.transaction() as db:
            await hold_lease(db, owner)
            for table in ("deliveries", "broadcast_sends"):
                await db.execute(
                    f"UPDATE {table} SET claimed_by = ? "
                    "WHERE outcome = 'pending' AND claimed_by IS NOT ?",
                    (owner, owner),
                )
        return await self.pending_claims(), await self.pending_broadcast_sends()

    @translated
    async def claim_due(
        self,
        now: datetime,
        limit: int,
        advance: Callable[[Reminder, datetime], datetime],
        owner: str,
        platforms: Collection[Platform] = (Platform.TELEGRAM,),
    ) -> list[Claim]:
        """Claim up to `limit` due reminders for the lease holder `owner`: record a pending
        delivery for each due time and move the reminder to its next due time, all in one
        transaction, so that no due time is ever claimed twice and a claimed one is never
        forgotten. Only chats on `platforms` (those with a sender running): the others' wait.
        `advance` is asked once for each schedule and due time of the batch. LeaseLostError
        if `owner` no longer holds the lease."""
        on = ", ".join("?" for _ in platforms)
        claimed_at = to_seconds(now)
        # Each statement is one trip to the connection's thread (execute_fetchall, not a
        # cursor's execute, fetch and close): a claim pays for five, an empty one for four.
        async with self.transaction() as db:
            # The lease is checked within the select: only an empty batch asks again why.
            rows = await db.execute_fetchall(
                f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE next_due IS NOT NULL "
                f"AND next_due <= ? AND platform IN ({on}) AND EXISTS (SELECT 1 FROM "
                "dispatch_lease WHERE id = 1 AND owner = ?) ORDER BY next_due, id LIMIT ?",
                (claimed_at, *platforms, owner, limit),
            )
            if not rows:
                await hold_lease(db, owner)
                return []
            due, moves = _batch(rows, now, advance)
            # One statement for the whole batch: a due time already claimed is skipped, and
            # RETURNING names the new deliveries.
            inserted = {
                int(reminder_id): int(delivery_id)
                for reminder_id, delivery_id in await db.execute_fetchall(
                    "INSERT OR IGNORE INTO deliveries (reminder_id, due_at, claimed_at, "
                    f"claimed_by) VALUES {', '.join('(?, ?, ?, ?)' for _ in due)} "
                    "RETURNING reminder_id, id",
                    [v for row in rows for v in (row[0], row[9], claimed_at, owner)],
                )
            }
            # One statement too, not executemany: its values are bound in one go, not one
            # statement's worth at a time (0.3 ms less for 500).
            await db.execute(
                "UPDATE reminders SET next_due = v.column2 FROM (VALUES "
                f"{', '.join('(?, ?)' for _ in due)}) AS v WHERE reminders.id = v.column1",
                moves,
            )
        return [Claim(d, r, at) for r, at in due if (d := inserted.get(r.id)) is not None]

    @translated
    async def pending_claims(self) -> list[Claim]:
        """Deliveries claimed but not finished: left over from a stop or a crash."""
        async with self.db.execute(
            f"SELECT d.id, d.due_at, {', '.join('r.' + c for c in REMINDER_COLUMNS.split(', '))} "
            "FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE d.outcome = 'pending' ORDER BY d.due_at",
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Claim(int(row[0]), reminder_from(row[2:]), from_seconds(int(row[1]))) for row in rows
        ]

    @translated
    async def finish(
        self,
        delivery_id: int,
        outcome: str,
        at: datetime,
        message_id: int | None = None,
    ) -> None:
        """Record how a claimed delivery ended; `at` is kept as the sent time of a sent one.
        Returns once it is committed. Outcomes that come in while others are being written
        are written next, together, in one statement (a trigger moves the tip rotation on
        for sent ones): in a burst, one trip to the database records a sender pool's worth,
        not one send."""
        batch = self._finishes
        if batch is None:
            batch = self._finishes = _Finishes()
            if self._finishing is None or self._finishing.done():
                self._finishing = asyncio.create_task(self._write_finishes())
        sent_at = to_seconds(at) if outcome == "sent" else None
        batch.rows.append((delivery_id, outcome, sent_at, message_id))
        # Shielded: a caller that stops waiting does not stop the others' records.
        await asyncio.shield(batch.written)

    async def _write_finishes(self) -> None:
        while (batch := self._finishes) is not None:
            self._finishes = None  # what comes in from now on waits for the next statement
            try:
                async with self._write_lock:
                    for start in range(0, len(batch.rows), FINISH_CHUNK):
                        rows = batch.rows[start : start + FINISH_CHUNK]
                        await self.db.execute(
                            "UPDATE deliveries SET outcome = v.column2, sent_at = v.column3, "
                            "message_id = v.column4 FROM (VALUES "
                            f"{', '.join('(?, ?, ?, ?)' for _ in rows)}) AS v "
                            "WHERE deliveries.id = v.column1 AND deliveries.outcome = 'pending'",
                            [value for row in rows for value in row],
                        )
            except asyncio.CancelledError:
                batch.written.cancel()
                raise
            except Exception as error:  # each caller raises it, translated
                batch.written.set_exception(error)
            else:
                batch.written.set_result(None)

    async def _finished(self) -> None:
        """Wait until every outcome handed to finish() is written (before closing)."""
        if self._finishing is not None:
            await asyncio.gather(self._finishing, return_exceptions=True)

    @translated
    async def still_pending(
        self, items: Sequence[Claim | BroadcastSend], owner: str
    ) -> set[Claim | BroadcastSend]:
        """Which of these claimed reminders and broadcast copies are still `owner`'s to
        send, in one query: /forget, a deleted reminder, a chat migration that met the new
        chat's own copy, or another instance that took the lease over removes them."""
        claims = {item.delivery_id: item for item in items if isinstance(item, Claim)}
        sends = {item.id: item for item in items if isinstance(item, BroadcastSend)}
        kept: set[Claim | BroadcastSend] = set()
        for table, by_id in (("deliveries", claims), ("broadcast_sends", sends)):
            if not by_id:
                continue
            async with self.db.execute(
                f"SELECT id FROM {table} WHERE outcome = 'pending' AND claimed_by = ? "
                f"AND id IN ({', '.join('?' for _ in by_id)})",
                (owner, *by_id),
            ) as cursor:
                kept.update(by_id[int(row[0])] for row in await cursor.fetchall())
        return kept

    @translated
    async def claim_broadcast_sends(
        self, now: datetime, limit: int, owner: str
    ) -> list[BroadcastSend]:
        """Claim up to `limit` queued broadcast copies, oldest first, for the lease holder
        `owner` (none when it holds the lease no more)."""
        # One statement is its own transaction: when nothing is queued (nearly always), the
        # heartbeat pays for a single indexed look-up, not a BEGIN/COMMIT.
        async with (
            self._write_lock,
            self.db.execute(
                "UPDATE broadcast_sends SET outcome = 'pending', claimed_at = ?, claimed_by = ? "
                "WHERE id IN (SELECT id FROM broadcast_sends WHERE outcome = 'queued' "
                "ORDER BY id LIMIT ?) "
                "AND EXISTS (SELECT 1 FROM dispatch_lease WHERE id = 1 AND owner = ?) "
                "RETURNING id",
                (to_seconds(now), owner, limit, owner),
            ) as cursor,
        ):
            claimed = [int(row[0]) for row in await cursor.fetchall()]
        if not claimed:
            return []
        return await self._broadcast_sends(f"s.id IN ({', '.join('?' for _ in claimed)})", claimed)

    @translated
    async def pending_broadcast_sends(self) -> list[BroadcastSend]:
        """Copies claimed but not finished: left over from a stop or a crash."""
        return await self._broadcast_sends("s.outcome = 'pending'", [])

    async def _broadcast_sends(self, where: str, values: list[int]) -> list[BroadcastSend]:
        async with self.db.execute(
            "SELECT s.id, s.broadcast_id, s.chat_id, b.text, c.platform FROM broadcast_sends s "
            "JOIN broadcasts b ON b.id = s.broadcast_id JOIN chats c ON c.chat_id = s.chat_id "
            f"WHERE {where} ORDER BY s.id",
            values,
        ) as cursor:
            rows = await cursor.fetchall()
        texts: dict[int, str] = {}  # one string per broadcast, however many copies
        return [
            BroadcastSend(
                int(r[0]), int(r[1]), int(r[2]), texts.setdefault(int(r[1]), r[3]), Platform(r[4])
            )
            for r in rows
        ]

    @translated
    async def finish_broadcast_send(self, send_id: int, outcome: str, at: datetime) -> None:
        """Record how one broadcast copy ended."""
        async with self._write_lock:
            await self.db.execute(
                "UPDATE broadcast_sends SET outcome = ?, finished_at = ? "
                "WHERE id = ? AND outcome = 'pending'",
                (outcome, to_seconds(at), send_id),
            )
