"""The storage package's edge: only bot/storage/ sees sqlite3 or aiosqlite, and what leaves
it are the storage's own errors."""

from __future__ import annotations

import ast
import contextlib
import inspect
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot
from bot.storage import BusyError, DamagedError, StorageError, Store, TransientError
from bot.storage.sqlite import store as sqlite_store
from bot.storage.sqlite.translate import translate
from tests.storage.stores import open_store

BOT = Path(bot.__file__).parent
STORAGE = BOT / "storage"
DRIVERS = {"sqlite3", "aiosqlite"}
MAX_LINES = 400


def driver_uses(path: Path) -> list[str]:
    """Where a module imports a database driver or names one (catching its errors, say)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Name):
            names = [node.id]
        else:
            continue
        found += [f"{path}:{node.lineno} {n}" for n in names if n.split(".")[0] in DRIVERS]
    return found


def test_no_module_outside_storage_imports_a_database_driver() -> None:
    outside = [p for p in sorted(BOT.rglob("*.py")) if STORAGE not in p.parents]
    assert len(outside) > 20  # the scan found the bot's modules
    assert [use for path in outside for use in driver_uses(path)] == []


def test_the_scan_finds_what_the_sqlite_store_imports() -> None:
    uses = driver_uses(STORAGE / "sqlite" / "store.py")
    assert any(use.endswith(" sqlite3") for use in uses)
    assert any(use.endswith(" aiosqlite") for use in uses)


def test_no_storage_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(BOT)): lines
        for path in STORAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_public_coroutine_of_the_store_is_translated() -> None:
    methods = {
        name: method
        for name, method in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    assert {"claim_due", "add_reminder", "forget_chat", "take_lease", "stats"} <= set(methods)
    # open translates its own faults into StorageError('cannot open the database at …').
    untranslated = [n for n, m in methods.items() if n != "open" and not hasattr(m, "__wrapped__")]
    assert untranslated == []


@pytest.fixture
async def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 50)
    store = await open_store(tmp_path / "bot.sqlite3")
    yield store
    await store.close()


async def test_a_database_locked_past_the_busy_timeout_is_a_busy_error(store: Store) -> None:
    with contextlib.closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(BusyError, match="locked") as caught:
            await store.forget_chat(1)
        other.execute("ROLLBACK")
    assert isinstance(caught.value, TransientError)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert await store.forget_chat(1) is False  # the lock is gone, the store still works


def test_sqlite_errors_become_the_storages_own(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with contextlib.closing(sqlite3.connect(junk)) as db, pytest.raises(sqlite3.Error) as bad:
        db.execute("SELECT * FROM sqlite_master")
    assert type(translate(bad.value)) is DamagedError

    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.IntegrityError) as duplicate:
            db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as missing:
            db.execute("SELECT * FROM nowhere")
    assert type(translate(duplicate.value)) is StorageError
    assert type(translate(missing.value)) is TransientError
    assert str(translate(missing.value)) == "no such table: nowhere"
    assert type(translate(sqlite3.OperationalError("database is locked"))) is BusyError
