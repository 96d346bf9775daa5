"""Retention: finished broadcasts' per-recipient rows folded into counts, old audit entries
dropped, each in bounded batches."""

from __future__ import annotations

import sqlite3

from storage.db import Database

# SQLite's largest integer: the bound of a batch that takes every row left.
_LAST_USER = 2**63 - 1


async def foldable(db: Database, finished_before: int) -> list[int]:
    """Broadcasts that ended (done or cancelled) before that time and still have rows per
    recipient. A broadcast still sending never qualifies: its rows are how it resumes."""
    rows = await db.fetch_all(
        "SELECT id FROM broadcasts WHERE status IN ('done', 'cancelled') "
        "AND finished_at < ? "
        "AND EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = broadcasts.id) ORDER BY id",
        (finished_before,),
    )
    return [row[0] for row in rows]


async def fold(db: Database, broadcast_id: int, batch: int) -> int:
    """Folds up to `batch` of the broadcast's rows (the lowest user ids) into its counts and
    deletes them, in one transaction; the number folded, 0 once none is left."""
    return await db.write(lambda connection: _fold(connection, broadcast_id, batch))


def _fold(connection: sqlite3.Connection, broadcast_id: int, batch: int) -> int:
    # The batch ends at its last user id, so counting and deleting cover the same rows.
    row = connection.execute(
        "SELECT user_id FROM deliveries WHERE broadcast_id = ? ORDER BY user_id LIMIT 1 OFFSET ?",
        (broadcast_id, batch - 1),
    ).fetchone()
    last = row[0] if row is not None else _LAST_USER
    connection.execute(
        "INSERT INTO delivery_counts (broadcast_id, status, count) "
        "SELECT broadcast_id, status, count(*) FROM deliveries "
        "WHERE broadcast_id = ? AND user_id <= ? GROUP BY status "
        "ON CONFLICT (broadcast_id, status) DO UPDATE SET count = count + excluded.count",
        (broadcast_id, last),
    )
    return connection.execute(
        "DELETE FROM deliveries WHERE broadcast_id = ? AND user_id <= ?", (broadcast_id, last)
    ).rowcount


async def forget_audit(db: Database, before: int, batch: int) -> int:
    """Deletes up to `batch` audit entries written before that time; the number deleted."""
    return await db.change(
        "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? LIMIT ?)",
        (before, batch),
    )
