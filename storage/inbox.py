"""Updates received and not yet handled (see migrations/0011_inbox.sql)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from storage.db import Database


async def keep(db: Database, received: Sequence[tuple[int, str]], handled: Sequence[int]) -> None:
    """In one transaction: the batch just received (update id, JSON), and the rows of the
    updates handled since the last call removed."""

    def work(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT INTO inbox (update_id, body) VALUES (?, ?) ON CONFLICT DO NOTHING", received
        )
        connection.executemany(
            "DELETE FROM inbox WHERE update_id = ?", ((update_id,) for update_id in handled)
        )

    if received or handled:
        await db.write(work)


async def waiting(db: Database) -> list[tuple[int, str]]:
    """What a previous process received and did not finish, oldest first."""
    rows = await db.fetch_all("SELECT update_id, body FROM inbox ORDER BY update_id")
    return [(row[0], row[1]) for row in rows]
