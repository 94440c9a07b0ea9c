"""Keeping promises of anonymity in the database files, not only in the rows.

Rows can be cleared and still be readable on disk: SQLite keeps deleted content in free pages
unless ``secure_delete`` is on (settings turn it on), and its write-ahead log (``-wal``) keeps the
page images written before a change until a checkpoint copies them back and empties it. After a
write that anonymises (an anonymous response submitted, an identity erased), call
``scrub_after_commit``: once the transaction commits, the log is checkpointed and truncated, so
the earlier versions of the rows are gone from the ``-wal`` file too.

PostgreSQL needs nothing here: its old row versions are reclaimed by autovacuum and it has no
file a backup would copy them from in the same way (its WAL is the server's business).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)


def day_only(moment: datetime | None) -> datetime | None:
    """Midnight UTC of the moment's day: counts by day survive, matching by time does not."""
    if moment is None:
        return None
    return datetime.combine(moment.astimezone(UTC).date(), time(0), UTC)


def checkpoint_wal() -> bool:
    """Copy SQLite's write-ahead log into the database and truncate it (False: not SQLite,
    inside a transaction, where SQLite refuses, or a reader kept the log busy; the next
    checkpoint then clears it)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
    except DatabaseError:  # the data is safe either way: a failed checkpoint loses nothing
        logger.warning("Could not checkpoint the database's write-ahead log", exc_info=True)
        return False
    return not busy


def scrub_after_commit() -> None:
    """Checkpoint the log once the current transaction (if any) has committed."""
    transaction.on_commit(checkpoint_wal)
