"""SQLite's quick integrity check, on a connection of its own and within a time budget."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import aiosqlite


def read_only_uri(path: Path | str) -> str | None:
    """The URI that opens the database file read-only; None for an in-memory one."""
    if str(path) == ":memory:":
        return None
    return f"{Path(path).resolve().as_uri()}?mode=ro"


async def quick_check(uri: str | None, budget_seconds: float) -> str | None:
    """The first fault `PRAGMA quick_check` finds in the file at `uri` (read_only_uri),
    or None when it finds none or runs past the budget (a large database is checked as far
    as the budget reaches).

    A read-only connection of its own can be interrupted without touching the bot's queries,
    and runs on its own thread beside them.
    """
    if uri is None:
        return None
    try:
        db = await aiosqlite.connect(uri, uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        timer = asyncio.create_task(_interrupt(db, budget_seconds))
        try:
            async with db.execute("PRAGMA quick_check(1)") as cursor:
                row = await cursor.fetchone()
        finally:
            timer.cancel()
    except sqlite3.OperationalError as error:
        return None if "interrupted" in str(error) else str(error)
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        with contextlib.suppress(sqlite3.Error):
            await db.close()
    verdict = str(row[0]) if row else "no answer"
    if verdict == "ok":
        return None
    # One line: SQLite heads its report with '*** in database main ***' on a line of its own.
    return " ".join(line for line in verdict.splitlines() if not line.startswith("***"))


async def _interrupt(db: aiosqlite.Connection, after_seconds: float) -> None:
    await asyncio.sleep(after_seconds)
    await db.interrupt()
