"""The storage's own errors: what callers catch, whatever the database behind it.

A backend turns its driver's exceptions into these at its boundary (the SQLite one in
bot/storage/sqlite/translate.py), keeping the driver's message, so nothing outside the
package needs to know which database it talks to.
"""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be used as it is; the message says why."""


class DamagedError(StorageError):
    """The database file is damaged: SQLite's integrity check, or a query, met a fault."""


class TransientError(StorageError):
    """The database could not do it just now (busy, locked, an I/O fault, a full disk):
    what was asked was not committed, and trying again later may work."""


class BusyError(TransientError):
    """Another writer held the database locked past the busy timeout: nothing was written."""


class LeaseLostError(Exception):
    """Another instance holds the dispatch lease now: this one must not claim or send."""


class ReminderLimitError(Exception):
    """A chat already has the most reminders allowed."""
