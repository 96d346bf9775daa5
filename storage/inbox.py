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
    rows = await db.fetch_all(
        "SELECT update_id, body FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
    )
    return [(row[0], row[1]) for row in rows]


async def record(db: Database, update_id: int, body: str) -> bool:
    """Keeps one update a webhook delivered; False when it was here already (in hand, or
    handled and marked): Telegram delivered it again."""
    return (
        await db.change(
            "INSERT INTO inbox (update_id, body) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (update_id, body),
        )
        > 0
    )


async def mark_handled(db: Database, handled: Sequence[int], at: int, forget_before: int) -> None:
    """Empties the handled updates' rows, keeping their ids to know a repeated delivery,
    and removes the marks older than `forget_before` (Telegram keeps updates a day)."""

    def work(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "UPDATE inbox SET body = '', handled_at = ? WHERE update_id = ?",
            ((at, update_id) for update_id in handled),
        )
        connection.execute("DELETE FROM inbox WHERE handled_at < ?", (forget_before,))

    await db.write(work)


async def forget_marks(db: Database) -> None:
    """Drops the marks webhook mode keeps (long polling's offset does their work)."""
    await db.change("DELETE FROM inbox WHERE handled_at IS NOT NULL")
