"""The SQLite schema, as numbered migrations: `PRAGMA user_version` says which ran."""

from __future__ import annotations

# A delivery that ends moves its reminder on to the next due time kept with it, and a sent
# one moves its tip rotation on. A reminder edited, paused or skipped meanwhile keeps what
# the person chose. (Created by migration 5; migration 6 rebuilds its table.)
DELIVERIES_FINISHED = """CREATE TRIGGER deliveries_finished AFTER UPDATE OF outcome ON deliveries
            WHEN OLD.outcome = 'pending' AND NEW.outcome != 'pending'
            BEGIN
                UPDATE reminders SET
                    sent_count = sent_count + (NEW.outcome = 'sent'),
                    next_due = iif(
                        next_due = NEW.due_at AND NEW.next_due IS NOT NULL, NEW.next_due, next_due
                    )
                WHERE id = NEW.reminder_id;
            END"""
_DELIVERY_COLUMNS = (
    "id, reminder_id, due_at, claimed_at, sent_at, outcome, message_id, claimed_by, next_due"
)

# Append-only: each entry moves the schema up one version, in one transaction.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            chat_type TEXT NOT NULL,
            timezone TEXT,
            created_at INTEGER NOT NULL
        )""",
        """CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
            created_by INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('water', 'stretch')),
            timezone TEXT NOT NULL,
            interval_minutes INTEGER,
            window_start TEXT,
            window_end TEXT,
            times TEXT NOT NULL DEFAULT '',
            next_due INTEGER,
            sent_count INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL
        )""",
        "CREATE INDEX reminders_by_chat ON reminders (chat_id)",
        "CREATE INDEX reminders_due ON reminders (next_due) WHERE next_due IS NOT NULL",
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            reminder_id INTEGER NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
            due_at INTEGER NOT NULL,
            claimed_at INTEGER NOT NULL,
            sent_at INTEGER,
            outcome TEXT NOT NULL DEFAULT 'pending',
            message_id INTEGER,
            UNIQUE (reminder_id, due_at)
        )""",
        "CREATE INDEX deliveries_pending ON deliveries (outcome) WHERE outcome = 'pending'",
        # A sent reminder moves its tip rotation on, in the same statement that records it.
        """CREATE TRIGGER deliveries_sent AFTER UPDATE OF outcome ON deliveries
            WHEN NEW.outcome = 'sent' AND OLD.outcome != 'sent'
            BEGIN
                UPDATE reminders SET sent_count = sent_count + 1 WHERE id = NEW.reminder_id;
            END""",
    ),
    (
        """CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            created_by INTEGER NOT NULL,
            text TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER
        )""",
        # One row per chat a started broadcast goes to: queued, then pending once claimed,
        # then how it ended. /forget in a chat takes its copies with it.
        """CREATE TABLE broadcast_sends (
            id INTEGER PRIMARY KEY,
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
            claimed_at INTEGER,
            finished_at INTEGER,
            outcome TEXT NOT NULL DEFAULT 'queued',
            UNIQUE (broadcast_id, chat_id)
        )""",
        "CREATE INDEX broadcast_sends_by_outcome ON broadcast_sends (outcome, id)",
        "CREATE INDEX deliveries_by_claim_time ON deliveries (claimed_at)",
    ),
    (
        # One row at most: the instance whose dispatcher may claim and send. It counts its
        # renewals; a standby takes over when the count stops moving for the lease's length
        # on its own monotonic clock (wall times are only for people: a clock step must not
        # move the lease).
        """CREATE TABLE dispatch_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            owner TEXT NOT NULL,
            renewals INTEGER NOT NULL,
            renewed_at INTEGER NOT NULL
        )""",
        # The lease holder that claimed a delivery; a new holder adopts what is left pending.
        "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
        "ALTER TABLE broadcast_sends ADD COLUMN claimed_by TEXT",
    ),
    (
        # Which platform delivers to the chat (bot/core/platforms.py). Reminders carry their
        # chat's, so a claim needs no join to know its sender.
        "ALTER TABLE chats ADD COLUMN platform TEXT NOT NULL DEFAULT 'telegram'",
        "ALTER TABLE reminders ADD COLUMN platform TEXT NOT NULL DEFAULT 'telegram'",
    ),
    (
        # A claim only records its deliveries: the reminder keeps the due time claimed, and
        # moves on when the delivery ends, in the one write to its row that counts the
        # send. So a claim rewrites no reminder rows (at a million stored, 500 random rows
        # were ~500 pages of the log), and a due time with a delivery is not claimed again.
        # The next due time is worked out when the delivery ends, and kept with it.
        "ALTER TABLE deliveries ADD COLUMN next_due INTEGER",
        # With the platform in the index, a claim passes over the due times on their way
        # (and other platforms') without reading their rows: 0.5 ms, not 3, for a batch's
        # worth at a million stored.
        "DROP INDEX reminders_due",
        "CREATE INDEX reminders_due ON reminders (next_due, platform) WHERE next_due IS NOT NULL",
        "DROP TRIGGER deliveries_sent",
        DELIVERIES_FINISHED,
    ),
    (
        # A claim reads no reminder row and probes none. The due-time index holds every
        # column a claim reads, in due order: a batch comes from a few neighbouring index
        # pages, not a random table page for each reminder (at a million stored, past
        # SQLite's cache). And deliveries lose the foreign key to reminders, whose check
        # read each reminder's table page again on insert: a trigger deletes a reminder's
        # deliveries instead, as the cascade did (for a chat forgotten, too). At 1 M, the
        # claim of 500 went from 2.0 to 1.5 times bench.gauge; the file grows by a third.
        "DROP INDEX reminders_due",
        "CREATE INDEX reminders_due ON reminders (next_due, platform, id, chat_id, created_by, "
        "kind, timezone, interval_minutes, window_start, window_end, times, sent_count) "
        "WHERE next_due IS NOT NULL",
        """CREATE TABLE deliveries_rebuilt (
            id INTEGER PRIMARY KEY,
            reminder_id INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            claimed_at INTEGER NOT NULL,
            sent_at INTEGER,
            outcome TEXT NOT NULL DEFAULT 'pending',
            message_id INTEGER,
            claimed_by TEXT,
            next_due INTEGER,
            UNIQUE (reminder_id, due_at)
        )""",
        f"INSERT INTO deliveries_rebuilt ({_DELIVERY_COLUMNS}) "
        f"SELECT {_DELIVERY_COLUMNS} FROM deliveries",
        "DROP TABLE deliveries",
        "ALTER TABLE deliveries_rebuilt RENAME TO deliveries",
        "CREATE INDEX deliveries_pending ON deliveries (outcome) WHERE outcome = 'pending'",
        "CREATE INDEX deliveries_by_claim_time ON deliveries (claimed_at)",
        DELIVERIES_FINISHED,
        # It fires on DELETE only: a row replaced (INSERT OR REPLACE) would keep its
        # deliveries, so reminders are never written with REPLACE.
        """CREATE TRIGGER reminders_deleted AFTER DELETE ON reminders
            BEGIN
                DELETE FROM deliveries WHERE reminder_id = OLD.id;
            END""",
    ),
)
