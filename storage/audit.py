"""The audit log: who promoted, demoted, sent, scheduled or cancelled what, and when."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, now


@dataclass(frozen=True, slots=True)
class Entry:
    at: int
    actor_id: int | None
    action: str
    subject_id: int | None
    detail: str


async def record(
    tx: aiosqlite.Connection,
    actor_id: int | None,
    action: str,
    subject_id: int | None = None,
    detail: str = "",
) -> None:
    """Written inside the caller's transaction, so the entry exists exactly when the change
    does."""
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject_id, detail) VALUES (?, ?, ?, ?, ?)",
        (now(), actor_id, action, subject_id, detail),
    )


async def recent(db: Database, limit: int = 50) -> list[Entry]:
    rows = await db.fetch_all(
        "SELECT at, actor_id, action, subject_id, detail FROM audit_log ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [Entry(*row) for row in rows]
