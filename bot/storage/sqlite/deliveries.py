"""Deliveries in SQLite: what the dispatcher sends, reminders and broadcast copies,
claimed for the lease holder, recorded when done, and checked again before sending."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

from bot.core.broadcasts import BroadcastSend
from bot.core.platforms import Platform
from bot.core.reminders import Claim
from bot.storage.records import Claimed
from bot.storage.sqlite.connection import Connection
from bot.storage.sqlite.lease import hold_lease
from bot.storage.sqlite.rows import (
    ON_ITS_WAY,
    REMINDER_COLUMNS,
    from_seconds,
    reminder_from,
    to_seconds,
)
from bot.storage.sqlite.translate import translated

# Outcomes written in one statement at most (six values each, well under SQLite's limit).
FINISH_CHUNK = 1000


class _Finishes:
    """Outcomes waiting to be written together, and what their callers wait on."""

    __slots__ = ("rows", "written")

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, int | None, int | None, int, int]] = []
        self.written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Read here as well: a failure whose callers all stopped waiting is not reported by
        # asyncio as never retrieved (each caller still waiting raises it).
        self.written.add_done_callback(lambda done: done.cancelled() or done.exception())


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
        owner: str,
        platforms: Collection[Platform] = (Platform.TELEGRAM,),
    ) -> Claimed:
        """Claim up to `limit` due reminders for the lease holder `owner`: record a pending
        delivery for each due time, in one transaction, so that no due time is ever claimed
        twice and a claimed one is never forgotten. The reminder keeps its due time until
        finish() records how the delivery ended and moves it on. Only chats on `platforms`
        (those with a sender running): the others' wait. Whether more are due is known
        from one row more, so a full batch needs no second claim to find there is no more.
        LeaseLostError if `owner` no longer holds the lease."""
        on = ", ".join("?" for _ in platforms)
        claimed_at = to_seconds(now)
        # Each statement is one trip to the connection's thread (execute_fetchall, not a
        # cursor's execute, fetch and close): a claim pays for four, an empty one too.
        async with self.transaction() as db:
            # The lease is checked within the select: only an empty batch asks again why.
            # A due time on its way (a pending delivery) is passed over; there are a batch
            # or two at most, all the dispatcher holds in memory. `+platform` keeps the
            # platform a filter, so the due-time index gives the order without a sort.
            rows = await db.execute_fetchall(
                f"SELECT {REMINDER_COLUMNS} FROM reminders r WHERE next_due IS NOT NULL "
                f"AND next_due <= ? AND +platform IN ({on}) AND NOT {ON_ITS_WAY} "
                "AND EXISTS (SELECT 1 FROM dispatch_lease WHERE id = 1 AND owner = ?) "
                "ORDER BY next_due, platform, id LIMIT ?",
                (claimed_at, *platforms, owner, limit + 1),
            )
            if not rows:
                await hold_lease(db, owner)
                return Claimed()
            rows = list(rows)
            more = len(rows) > limit
            del rows[limit:]
            # One statement for the whole batch; RETURNING names the new deliveries.
            inserted = await db.execute_fetchall(
                "INSERT INTO deliveries (reminder_id, due_at, claimed_at, claimed_by) "
                f"VALUES {', '.join('(?, ?, ?, ?)' for _ in rows)} "
                "ON CONFLICT DO NOTHING RETURNING reminder_id, id",
                [v for row in rows for v in (row[0], row[9], claimed_at, owner)],
            )
            delivery = {int(reminder): int(delivery) for reminder, delivery in inserted}
            # Reminders due together share due times: one datetime for each.
            dues: dict[int, datetime] = {}
            claims = Claimed(more=more)
            delivered: list[int] = []
            for row in rows:
                at = row[9]  # next_due
                due_at = dues.get(at)
                if due_at is None:
                    due_at = dues[at] = from_seconds(at)
                reminder = reminder_from(row, due_at)
                if (delivery_id := delivery.get(reminder.id)) is not None:
                    claims.append(Claim(delivery_id, reminder, due_at, now))
                else:
                    delivered += (reminder.id, to_seconds(reminder.schedule.next_due(now)))
            if delivered:
                # Due again at a time it was already delivered for (the clock stepped back,
                # then the reminder was edited): never sent twice, it moves on from now.
                await db.execute(
                    "UPDATE reminders SET next_due = v.column2 FROM (VALUES "
                    f"{', '.join('(?, ?)' for _ in range(len(delivered) // 2))}) AS v "
                    "WHERE reminders.id = v.column1",
                    delivered,
                )
        return claims

    @translated
    async def pending_claims(self) -> list[Claim]:
        """Deliveries claimed but not finished: left over from a stop or a crash."""
        async with self.db.execute(
            "SELECT d.id, d.due_at, d.claimed_at, "
            f"{', '.join('r.' + c for c in REMINDER_COLUMNS.split(', '))} "
            "FROM deliveries d JOIN reminders r ON r.id = d.reminder_id "
            "WHERE d.outcome = 'pending' ORDER BY d.due_at",
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Claim(
                int(row[0]),
                reminder_from(row[3:]),
                from_seconds(int(row[1])),
                from_seconds(int(row[2])),
            )
            for row in rows
        ]

    @translated
    async def finish(
        self,
        claim: Claim,
        outcome: str,
        at: datetime,
        message_id: int | None = None,
        *,
        next_due: datetime,
    ) -> None:
        """Record how a claim's delivery ended; `at` is kept as the sent time of a sent one.
        Its reminder moves on to `next_due`, unless it was changed meanwhile (edited,
        paused, skipped), and a sent one moves its tip rotation on: a trigger does both.
        Returns once it is committed. Outcomes that come in while others are being written
        are written next, together, in one statement: in a burst, one trip to the database
        records a sender pool's worth, not one send."""
        batch = self._finishes
        if batch is None:
            batch = self._finishes = _Finishes()
            if self._finishing is None or self._finishing.done():
                self._finishing = asyncio.create_task(self._write_finishes())
        sent_at = to_seconds(at) if outcome == "sent" else None
        batch.rows.append(
            (
                claim.delivery_id,
                outcome,
                sent_at,
                message_id,
                to_seconds(next_due),
                claim.reminder.id,
            )
        )
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
                            "message_id = v.column4, next_due = v.column5 FROM (VALUES "
                            f"{', '.join('(?, ?, ?, ?, ?, ?)' for _ in rows)}) AS v "
                            "WHERE deliveries.id = v.column1 AND deliveries.reminder_id = "
                            "v.column6 AND deliveries.outcome = 'pending'",
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
        # By id and what the row belongs to: a row deleted with its reminder may leave its
        # id to the next row inserted, which is not the item in hand.
        claims = {(c.delivery_id, c.reminder.id): c for c in items if isinstance(c, Claim)}
        sends = {(s.id, s.broadcast_id): s for s in items if isinstance(s, BroadcastSend)}
        kept: set[Claim | BroadcastSend] = set()
        for table, parent, by_key in (
            ("deliveries", "reminder_id", claims),
            ("broadcast_sends", "broadcast_id", sends),
        ):
            if not by_key:
                continue
            async with self.db.execute(
                f"SELECT id, {parent} FROM {table} WHERE outcome = 'pending' "
                f"AND claimed_by = ? AND id IN ({', '.join('?' for _ in by_key)})",
                (owner, *(key[0] for key in by_key)),
            ) as cursor:
                for row in await cursor.fetchall():
                    if (item := by_key.get((int(row[0]), int(row[1])))) is not None:
                        kept.add(item)
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
