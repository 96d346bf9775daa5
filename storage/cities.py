"""Cities and the supporters who follow them."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from weakref import WeakKeyDictionary

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


# Every city, as each database last listed them. A campaign has a few dozen cities and every
# picker, deep link and card needs them, so they are read once; every write of a city goes
# through this module, which drops the list after committing.
_EVERY: WeakKeyDictionary[Database, list[City]] = WeakKeyDictionary()


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
    _EVERY.pop(db, None)
    assert city_id is not None
    return City(city_id, slug, name, timezone)


async def all_cities(db: Database) -> list[City]:
    """Every city by name: a copy of the list held in memory."""
    cities = _EVERY.get(db)
    if cities is None:
        rows = await db.fetch_all("SELECT * FROM cities ORDER BY name COLLATE NOCASE, slug")
        cities = _EVERY.setdefault(db, [_city(row) for row in rows])
    return list(cities)


async def by_id(db: Database, city_id: int) -> City | None:
    return next((city for city in await all_cities(db) if city.id == city_id), None)


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
    followed = await followed_ids(db, user_id)
    return [city for city in await all_cities(db) if city.id in followed]


async def followed_ids(db: Database, user_id: int) -> set[int]:
    return await db.read(lambda connection: following(connection, user_id))


async def follow(db: Database, user_id: int, city_id: int) -> bool:
    """True when this is a new follow, False when the supporter already followed the city."""
    return await db.write(lambda connection: follow_in(connection, user_id, city_id))


async def unfollow(db: Database, user_id: int, city_id: int) -> bool:
    return await db.write(lambda connection: _unfollow_in(connection, user_id, city_id))


async def toggle(db: Database, user_id: int, city_id: int) -> set[int]:
    """Flips the follow in one transaction; returns the cities the supporter now follows."""

    def flip(connection: sqlite3.Connection) -> set[int]:
        if not _unfollow_in(connection, user_id, city_id):
            follow_in(connection, user_id, city_id)
        return following(connection, user_id)

    return await db.write(flip)


# The statements behind follow and toggle, for other storage modules to run inside their own
# unit of work (/start follows a deep link's city in the same transaction that signs up).
def following(connection: sqlite3.Connection, user_id: int) -> set[int]:
    rows = connection.execute("SELECT city_id FROM subscriptions WHERE user_id = ?", (user_id,))
    return {row[0] for row in rows}


def follow_in(connection: sqlite3.Connection, user_id: int, city_id: int) -> bool:
    cursor = connection.execute(
        "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id, city_id) DO NOTHING",
        (user_id, city_id, now()),
    )
    return cursor.rowcount > 0


def _unfollow_in(connection: sqlite3.Connection, user_id: int, city_id: int) -> bool:
    cursor = connection.execute(
        "DELETE FROM subscriptions WHERE user_id = ? AND city_id = ?", (user_id, city_id)
    )
    return cursor.rowcount > 0


async def follower_count(db: Database, city_id: int) -> int:
    row = await db.fetch_one(
        "SELECT count(*) FROM subscriptions JOIN supporters USING (user_id) "
        "WHERE city_id = ? AND status = 'active'",
        (city_id,),
    )
    return int(row[0]) if row else 0


async def follower_languages(db: Database, city_id: int | None) -> dict[str, int]:
    """How many active followers of the city (None: active supporters anywhere) read each
    language. A scan of the city's followers, so on a connection of its own."""
    if city_id is None:
        sql = "SELECT language, count(*) FROM supporters WHERE status = 'active' GROUP BY 1"
        parameters: tuple[int, ...] = ()
    else:
        sql = (
            "SELECT language, count(*) FROM subscriptions JOIN supporters USING (user_id) "
            "WHERE city_id = ? AND status = 'active' GROUP BY 1"
        )
        parameters = (city_id,)

    def work(connection: sqlite3.Connection) -> dict[str, int]:
        return {row[0]: row[1] for row in connection.execute(sql, parameters)}

    return await db.read_apart(work)
