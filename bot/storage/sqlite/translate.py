"""SQLite's exceptions as the storage's own (bot/storage/errors.py), at the package edge.

Every public coroutine of the SQLite store is `translated`: a caller never sees sqlite3.
The driver's message is kept, and the original is the new error's cause.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from bot.storage.errors import BusyError, DamagedError, StorageError, TransientError

P = ParamSpec("P")
T = TypeVar("T")

# Primary result codes (the low byte of an extended one), from sqlite3.h.
_BUSY_OR_LOCKED = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_DAMAGED = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def translate(error: sqlite3.Error) -> StorageError:
    """The storage error for a sqlite3 one: busy or locked, another operational fault
    (worth retrying), a damaged file, or anything else."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    message = str(error)
    if isinstance(error, sqlite3.OperationalError):
        if primary in _BUSY_OR_LOCKED or "locked" in message:
            return BusyError(message)
        return TransientError(message)
    if primary in _DAMAGED:
        return DamagedError(message)
    return StorageError(message)


def translated(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """`method` raising the storage's errors in place of sqlite3's."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except sqlite3.Error as error:
            raise translate(error) from error

    return wrapper
