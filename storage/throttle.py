"""Telegram's "retry after" for the whole bot, kept across restarts."""

from __future__ import annotations

from storage.db import Database


async def pause_until(db: Database, until: float) -> None:
    """Records a pause; a shorter one never shortens a longer one already recorded."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO send_pause (id, until) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET until = max(until, excluded.until)",
            (until,),
        )


async def paused_until(db: Database) -> float | None:
    """When the last recorded pause ends, as Unix seconds; None if none was ever recorded."""
    row = await db.fetch_one("SELECT until FROM send_pause WHERE id = 1")
    return float(row["until"]) if row is not None else None
