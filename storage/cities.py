"""Cities and the supporters who follow them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import aiosqlite

from storage.db import Database, now


@dataclass(frozen=True, slots=True)
class City:
    id: int
    slug: str
    name: str
    timezone: str


class DuplicateCity(Exception):
    """A city with that slug exists already."""


def _city(row: aiosqlite.Row) -> City:
    return City(id=row["id"], slug=row["slug"], name=row["name"], timezone=row["timezone"])


async def add(db: Database, slug: str, timezone: str, name: str) -> City:
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO cities (slug, name, timezone, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (slug) DO NOTHING",
            (slug, name, timezone, now()),
        )
        if cursor.rowcount == 0:
            raise DuplicateCity(slug)
        city_id = cursor.lastrowid
    assert city_id is not None
    return City(city_id, slug, name, timezone)


async def all_cities(db: Database) -> list[City]:
    rows = await db.fetch_all("SELECT * FROM cities ORDER BY name COLLATE NOCASE, slug")
    return [_city(row) for row in rows]


async def by_id(db: Database, city_id: int) -> City | None:
    row = await db.fetch_one("SELECT * FROM cities WHERE id = ?", (city_id,))
    return _city(row) if row else None


async def find(db: Database, slug_or_name: str) -> City | None:
    """A city by slug or display name, in any case, accented letters included. SQLite's
    NOCASE and lower() fold ASCII only ("MÁLAGA" would miss "Málaga"), so the few cities
    are matched here; a slug wins over another city's name."""
    wanted = folded(slug_or_name)
    cities = await all_cities(db)
    by_slug = next((city for city in cities if city.slug == wanted), None)
    return by_slug or next((city for city in cities if folded(city.name) == wanted), None)


def folded(text: str) -> str:
    """Text for caseless comparison: compatibility forms unified (NFKC) around Unicode case
    folding, so "Straße" and "STRASSE", or "Ｍálaga" and "MÁLAGA", compare equal."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()


async def followed_by(db: Database, user_id: int) -> list[City]:
    rows = await db.fetch_all(
        "SELECT cities.* FROM cities JOIN subscriptions ON subscriptions.city_id = cities.id "
        "WHERE subscriptions.user_id = ? ORDER BY cities.name COLLATE NOCASE, cities.slug",
        (user_id,),
    )
    return [_city(row) for row in rows]


async def follow(db: Database, user_id: int, city_id: int) -> bool:
    """True when this is a new follow, False when the supporter already followed the city."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, city_id) DO NOTHING",
            (user_id, city_id, now()),
        )
        return cursor.rowcount > 0


async def unfollow(db: Database, user_id: int, city_id: int) -> bool:
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "DELETE FROM subscriptions WHERE user_id = ? AND city_id = ?", (user_id, city_id)
        )
        return cursor.rowcount > 0


async def toggle(db: Database, user_id: int, city_id: int) -> bool:
    """Flips the follow in one transaction; returns whether the supporter now follows."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "DELETE FROM subscriptions WHERE user_id = ? AND city_id = ?", (user_id, city_id)
        )
        if cursor.rowcount > 0:
            return False
        await tx.execute(
            "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?)",
            (user_id, city_id, now()),
        )
        return True


async def follower_count(db: Database, city_id: int) -> int:
    row = await db.fetch_one(
        "SELECT count(*) FROM subscriptions JOIN supporters USING (user_id) "
        "WHERE city_id = ? AND status = 'active'",
        (city_id,),
    )
    return int(row[0]) if row else 0
