"""Cities: what a valid one is, where each keeps its clock, and who follows it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage import Database
from storage import cities as store
from storage.cities import City

SLUG = re.compile(r"[a-z0-9-]{2,32}")
NAME_LIMIT = 64  # a city's name stands on buttons and in every alert


class CityRejected(ValueError):
    """An /addcity that cannot be done; `key` names the reply that says why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Picker:
    """What a city picker shows: every city, and which the reader follows."""

    cities: list[City]
    followed: set[int]


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # names are looked up as files
        return False
    return True


class Cities:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, slug: str, timezone: str, name: str) -> City:
        """A new city; CityRejected says what is wrong with the request."""
        if not SLUG.fullmatch(slug):
            raise CityRejected("bad_slug", slug=slug)
        if len(name) > NAME_LIMIT:
            raise CityRejected("too_long_for", limit=NAME_LIMIT)
        if not valid_timezone(timezone):
            raise CityRejected("bad_timezone", timezone=timezone)
        try:
            return await store.add(self.db, slug, timezone, name)
        except store.DuplicateCity:
            raise CityRejected("duplicate_city", slug=slug) from None

    async def zone_of(self, city_id: int | None) -> ZoneInfo:
        """The city's time zone (UTC for every city at once, or one gone)."""
        city = await store.by_id(self.db, city_id) if city_id is not None else None
        return ZoneInfo(city.timezone if city else "UTC")

    async def get(self, city_id: int) -> City | None:
        return await store.by_id(self.db, city_id)

    async def find(self, slug_or_name: str) -> City | None:
        return await store.find(self.db, slug_or_name)

    async def every(self) -> list[City]:
        return await store.all_cities(self.db)

    async def names(self) -> dict[int, str]:
        return {city.id: city.name for city in await store.all_cities(self.db)}

    async def followed_by(self, user_id: int) -> list[City]:
        return await store.followed_by(self.db, user_id)

    async def picker(self, user_id: int, followed: set[int] | None = None) -> Picker | None:
        """Every city and the reader's follows (read unless the caller knows them); None when
        no city exists yet."""
        cities = await store.all_cities(self.db)
        if not cities:
            return None
        if followed is None:
            followed = await store.followed_ids(self.db, user_id)
        return Picker(cities, followed)

    async def follow(self, user_id: int, city_id: int) -> bool:
        return await store.follow(self.db, user_id, city_id)

    async def unfollow(self, user_id: int, city_id: int) -> bool:
        return await store.unfollow(self.db, user_id, city_id)

    async def toggle(self, user_id: int, city_id: int) -> set[int]:
        """Follows or unfollows; the cities the supporter follows after it."""
        return await store.toggle(self.db, user_id, city_id)
