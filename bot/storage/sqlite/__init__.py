"""The SQLite backend, through aiosqlite: the only code that imports either."""

from bot.storage.sqlite.rows import from_seconds, to_seconds
from bot.storage.sqlite.schema import MIGRATIONS
from bot.storage.sqlite.store import Store

__all__ = ["MIGRATIONS", "Store", "from_seconds", "to_seconds"]
