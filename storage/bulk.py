"""Bulk writes for seeding benchmarks: many supporters following one city at once.

The bot itself never needs these: people sign up one at a time. A benchmark of a broadcast
to a million followers does, and one executemany in one transaction is the fast way to write
them (a transaction per row would fsync a million times).
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Database, now


async def add_followers(db: Database, city_id: int, user_ids: Sequence[int], language: str) -> int:
    """Registers each id as an active supporter following the city; returns how many new
    follows were written. Existing supporters and follows are left as they are.

    A range is a Sequence, so a million ids need not be built as a list: both statements
    read it lazily."""
    joined = now()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO supporters (user_id, language, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            ((user_id, language, joined) for user_id in user_ids),
        )
        cursor = await tx.executemany(
            "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, city_id) DO NOTHING",
            ((user_id, city_id, joined) for user_id in user_ids),
        )
        return max(cursor.rowcount, 0)


async def add_signatures(
    db: Database, petition_id: int, signers: Sequence[tuple[int, str | None, int | None]]
) -> None:
    """Signs the petition for each (user id, name or None, city id), one second apart in
    that order; the triggers keep the petition's count."""
    started = now()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO signatures (petition_id, user_id, city_id, signed_at, name) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (petition_id, user_id, city_id, started + number, name)
                for number, (user_id, name, city_id) in enumerate(signers)
            ),
        )
