"""What admins take away (/export) and look back on (/audit): daily counts per city, sign-ups
per link, and the audit log. Aggregates only, never who; every export is written to the audit
log before its data leave the bot."""

from __future__ import annotations

from bot.clock import Clock
from storage import Database
from storage import audit as audit_store
from storage import cities as city_store
from storage import exports as store
from storage import links as link_store
from storage.audit import Entry
from storage.cities import City
from storage.exports import DAY, Daily, DailyRow, DayCounts, LinkKind, LinkRow, SourceCounts

AUDIT_SHOWN = 20


# Links that are many to a kind (one per action, petition or person) count together.
_GROUPED = {
    LinkKind.ACTION: "action:",
    LinkKind.PETITION: "petition:",
    LinkKind.CHECKIN: "checkin:",
}


class Exports:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def daily(self, actor_id: int) -> list[DailyRow]:
        """Every day of every city, from the day it was added (or its first count) to today,
        cities by name; then the broadcasts to all cities at once. Audited."""
        found = await store.daily(self.db)
        await store.exported(self.db, actor_id, "daily")
        today = int(self.clock.now()) // DAY
        added = await store.first_days(self.db)
        rows = []
        for city in await city_store.all_cities(self.db):
            first = min(added.get(city.id, today), found.first_day.get(city.id, today))
            rows += self._days(found, city, first, today)
        if None in found.first_day:
            rows += self._days(found, None, found.first_day[None], today)
        return rows

    @staticmethod
    def _days(found: Daily, city: City | None, first: int, today: int) -> list[DailyRow]:
        city_id = city.id if city else None
        return [
            DailyRow(day, city, found.counts.get((day, city_id)) or DayCounts())
            for day in range(first, today + 1)
        ]

    async def links(self, actor_id: int) -> list[LinkRow]:
        """Sign-ups by link: each city's link, each campaign link, then every personal invite
        link together, and action, petition and check-in links by kind. Audited."""
        counts = await store.sign_ups_by_source(self.db, int(self.clock.now()))
        await store.exported(self.db, actor_id, "links")
        cities = await city_store.all_cities(self.db)
        by_id = {city.id: city for city in cities}
        rows = [
            LinkRow(LinkKind.CITY, city.name, city, _sum(counts, {f"city:{city.slug}"}))
            for city in cities
        ]
        for link in reversed(await link_store.campaigns(self.db, None)):  # oldest first
            city = by_id.get(link.city_id) if link.city_id is not None else None
            source = link_store.source_of(link.code)
            rows.append(LinkRow(LinkKind.CAMPAIGN, link.name, city, _sum(counts, {source})))
        personal = await store.personal_sources(self.db) | {link_store.ERASED}
        rows.append(LinkRow(LinkKind.PERSONAL, "", None, _sum(counts, personal)))
        for kind, prefix in _GROUPED.items():
            sources = {source for source in counts if source.startswith(prefix)}
            rows.append(LinkRow(kind, "", None, _sum(counts, sources)))
        return rows

    async def audit_log(self) -> list[Entry]:
        """The last entries of the audit log, newest first."""
        return await audit_store.recent(self.db, AUDIT_SHOWN)


def _sum(counts: dict[str, SourceCounts], sources: set[str]) -> SourceCounts:
    picked = [counts[source] for source in sources if source in counts]
    return SourceCounts(
        sum(c.total for c in picked),
        sum(c.last_7_days for c in picked),
        sum(c.last_30_days for c in picked),
    )
