"""All storage: repository interfaces, the storage's own errors and records, and the SQLite
store that implements them (nothing outside this package sees sqlite3 or aiosqlite).

Callers import from here: `from bot.storage import Store, StorageError, ...`.
"""

from typing import TYPE_CHECKING

from bot.storage.errors import (
    BusyError,
    DamagedError,
    LeaseLostError,
    ReminderLimitError,
    StorageError,
    TransientError,
)
from bot.storage.interfaces import (
    Broadcasts,
    Chats,
    Deliveries,
    DispatchStore,
    Leases,
    Lifecycle,
    OperatorStore,
    Reminders,
    ReminderStore,
    Statistics,
    Storage,
)
from bot.storage.records import ChatRecord, Claimed, Delivery, Lease, Stats
from bot.storage.sqlite import MIGRATIONS, Store, from_seconds, to_seconds

if TYPE_CHECKING:

    def _implements(store: Store) -> Storage:  # mypy: the SQLite store is all of Storage
        return store


__all__ = [
    "MIGRATIONS",
    "Broadcasts",
    "BusyError",
    "ChatRecord",
    "Chats",
    "Claimed",
    "DamagedError",
    "Deliveries",
    "Delivery",
    "DispatchStore",
    "Lease",
    "LeaseLostError",
    "Leases",
    "Lifecycle",
    "OperatorStore",
    "ReminderLimitError",
    "ReminderStore",
    "Reminders",
    "Statistics",
    "Stats",
    "Storage",
    "StorageError",
    "Store",
    "TransientError",
    "from_seconds",
    "to_seconds",
]
