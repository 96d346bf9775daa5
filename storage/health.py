"""The database's side of /healthz: a read, then a real write (migrations/0017_health.sql)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.db import Database, StorageError


@dataclass(frozen=True, slots=True)
class DatabaseCheck:
    reachable: bool
    writable: bool
    problem: str | None = None  # what failed, in SQLite's words


async def check(db: Database, at: int) -> DatabaseCheck:
    """Reads the health row, then rewrites it and commits: synced to disk like every change
    (and grouped with the changes waiting beside it). A lock alone (BEGIN IMMEDIATE; ROLLBACK)
    writes nothing, so it would pass on a full disk or a file system remounted read-only."""
    try:
        await db.fetch_one("SELECT checked_at FROM health WHERE id = 1")
    except (sqlite3.Error, StorageError) as error:
        return DatabaseCheck(reachable=False, writable=False, problem=f"not reachable: {error}")
    try:
        await db.change(
            "INSERT INTO health (id, checked_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            (at,),
        )
    except (sqlite3.Error, StorageError) as error:
        return DatabaseCheck(reachable=True, writable=False, problem=f"not writable: {error}")
    return DatabaseCheck(reachable=True, writable=True)


async def refuse_writes(db: Database, refuse: bool) -> None:
    """For tests and fire drills: SQLite refuses every change on the bot's connection with
    the error a read-only database file gives ("attempt to write a readonly database"),
    whoever runs the process (file permissions stop neither root nor a file already open)."""
    async with db.reading() as connection:
        await connection.execute(f"PRAGMA query_only = {'ON' if refuse else 'OFF'}")
