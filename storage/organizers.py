"""Organizers and the cities each may reach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage import audit
from storage.db import Database, now


@dataclass(frozen=True, slots=True)
class Organizer:
    user_id: int
    all_cities: bool
    city_ids: frozenset[int]

    def may_reach(self, city_id: int | None) -> bool:
        """city_id None means every city at once, which needs the all-cities grant."""
        if self.all_cities:
            return True
        return city_id is not None and city_id in self.city_ids


async def get(db: Database, user_id: int) -> Organizer | None:
    async with db.reading() as connection:
        async with connection.execute(
            "SELECT all_cities FROM organizers WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        async with connection.execute(
            "SELECT city_id FROM organizer_cities WHERE user_id = ?", (user_id,)
        ) as cursor:
            cities = frozenset(city_row[0] for city_row in await cursor.fetchall())
    return Organizer(user_id, bool(row[0]), cities)


async def promote(
    db: Database, actor_id: int, user_id: int, city_ids: Sequence[int], all_cities: bool
) -> Organizer | None:
    """Grants cities (or all of them) on top of what the organizer may reach already; None
    for a banned person (asked in the same transaction, so a ban at the same moment cannot
    slip between the check and the grant)."""
    async with db.transaction() as tx:
        async with tx.execute("SELECT 1 FROM bans WHERE user_id = ?", (user_id,)) as cursor:
            if await cursor.fetchone() is not None:
                return None
        await tx.execute(
            "INSERT INTO organizers (user_id, all_cities, promoted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET all_cities = max(all_cities, excluded.all_cities)",
            (user_id, int(all_cities), now()),
        )
        await tx.executemany(
            "INSERT INTO organizer_cities (user_id, city_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(user_id, city_id) for city_id in city_ids],
        )
        detail = "all" if all_cities else ",".join(str(city_id) for city_id in city_ids)
        await audit.record(tx, actor_id, "promote", user_id, f"cities={detail}")
    return await get(db, user_id)


async def demote(db: Database, actor_id: int, user_id: int) -> bool:
    async with db.transaction() as tx:
        cursor = await tx.execute("DELETE FROM organizers WHERE user_id = ?", (user_id,))
        if cursor.rowcount == 0:
            return False
        await audit.record(tx, actor_id, "demote", user_id)
        return True


async def everyone(db: Database) -> list[Organizer]:
    rows = await db.fetch_all(
        "SELECT organizers.user_id, all_cities, group_concat(city_id) FROM organizers "
        "LEFT JOIN organizer_cities USING (user_id) GROUP BY organizers.user_id "
        "ORDER BY organizers.user_id"
    )
    return [
        Organizer(
            row[0],
            bool(row[1]),
            frozenset(int(part) for part in row[2].split(",")) if row[2] else frozenset(),
        )
        for row in rows
    ]
