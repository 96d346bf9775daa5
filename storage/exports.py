"""What /export reads: counts per city and UTC day, and sign-ups per source. Aggregates only,
never a user id; read on a connection of its own, beside the bot's, since they go over whole
tables."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum

from storage import audit
from storage.cities import City
from storage.db import Database

DAY = 86_400


@dataclass(slots=True)
class DayCounts:
    """One city's (or, with city_id None, the all-cities broadcasts') figures for one day."""

    new_followers: int = 0
    paused: int = 0
    unreachable: int = 0
    broadcasts: int = 0
    sends: int = 0
    rsvp_yes: int = 0
    rsvp_no: int = 0
    check_ins: int = 0


@dataclass(slots=True)
class Daily:
    """Counts by (UTC day number since 1970, city id or None), and each city's first day."""

    counts: dict[tuple[int, int | None], DayCounts] = field(default_factory=dict)
    first_day: dict[int | None, int] = field(default_factory=dict)

    def at(self, day: int, city_id: int | None) -> DayCounts:
        found = self.counts.get((day, city_id))
        if found is None:
            found = self.counts[day, city_id] = DayCounts()
            first = self.first_day.get(city_id)
            self.first_day[city_id] = day if first is None else min(first, day)
        return found


# Each statement gives (day, city id, values...). Days are UTC: `at / 86400`.
_NEW_FOLLOWERS = "SELECT created_at / 86400, city_id, count(*) FROM subscriptions GROUP BY 1, 2"
# Followers who paused or became unreachable that day and are so still: the status is kept,
# not its history (a supporter who comes back counts as active again).
_STATUS = (
    "SELECT status_since.since / 86400, subscriptions.city_id, "
    "count(*) FILTER (WHERE supporters.status = 'paused'), "
    "count(*) FILTER (WHERE supporters.status = 'unreachable') "
    "FROM status_since JOIN supporters USING (user_id) JOIN subscriptions USING (user_id) "
    "WHERE supporters.status != 'active' GROUP BY 1, 2"
)
# A broadcast counts on the day its delivery began, for its city (a share of an all-cities
# broadcast held for quiet hours, for that city; NULL: every city).
_BROADCASTS = (
    "SELECT started_at / 86400, coalesce(part_city_id, city_id), count(*) FROM broadcasts "
    "WHERE started_at IS NOT NULL GROUP BY 1, 2"
)
# Sends: the rows per recipient still kept, and what retention folded into counts.
_SENDS = (
    "SELECT broadcasts.started_at / 86400, coalesce(part_city_id, city_id), sum(sent.n) "
    "FROM broadcasts JOIN ("
    "SELECT broadcast_id, count(*) AS n FROM deliveries WHERE status = 'sent' "
    "GROUP BY broadcast_id "
    "UNION ALL SELECT broadcast_id, count AS n FROM delivery_counts WHERE status = 'sent'"
    ") AS sent ON sent.broadcast_id = broadcasts.id "
    "WHERE broadcasts.started_at IS NOT NULL GROUP BY 1, 2"
)
_RSVPS = (
    "SELECT rsvps.answered_at / 86400, actions.city_id, "
    "count(*) FILTER (WHERE rsvps.answer = 'yes'), count(*) FILTER (WHERE rsvps.answer = 'no') "
    "FROM rsvps JOIN actions ON actions.id = rsvps.action_id GROUP BY 1, 2"
)
_CHECK_INS = (
    "SELECT attendance.checked_in_at / 86400, actions.city_id, count(*) "
    "FROM attendance JOIN actions ON actions.id = attendance.action_id "
    "WHERE attendance.checked_in_at IS NOT NULL GROUP BY 1, 2"
)


async def daily(db: Database) -> Daily:
    """Every day's counts for every city that had any, from what the database keeps: follows
    as they stand, statuses as they stand, broadcasts and their sends, answers, check-ins."""

    def work(connection: sqlite3.Connection) -> Daily:
        found = Daily()
        for day, city_id, count in connection.execute(_NEW_FOLLOWERS):
            found.at(day, city_id).new_followers += count
        for day, city_id, paused, unreachable in connection.execute(_STATUS):
            counts = found.at(day, city_id)
            counts.paused += paused
            counts.unreachable += unreachable
        for day, city_id, count in connection.execute(_BROADCASTS):
            found.at(day, city_id).broadcasts += count
        for day, city_id, count in connection.execute(_SENDS):
            found.at(day, city_id).sends += count
        for day, city_id, yes, no in connection.execute(_RSVPS):
            counts = found.at(day, city_id)
            counts.rsvp_yes += yes
            counts.rsvp_no += no
        for day, city_id, count in connection.execute(_CHECK_INS):
            found.at(day, city_id).check_ins += count
        return found

    return await db.read_apart(work)


@dataclass(frozen=True, slots=True)
class SourceCounts:
    total: int
    last_7_days: int
    last_30_days: int


async def sign_ups_by_source(db: Database, now: int) -> dict[str, SourceCounts]:
    """Supporters by the source of their first contact (NULL left out), in all and in the last
    7 and 30 days. One pass over the index on (source, joined_at)."""
    week, month = now - 7 * DAY, now - 30 * DAY

    def work(connection: sqlite3.Connection) -> dict[str, SourceCounts]:
        rows = connection.execute(
            "SELECT source, count(*), count(*) FILTER (WHERE joined_at >= ?), "
            "count(*) FILTER (WHERE joined_at >= ?) FROM supporters "
            "WHERE source IS NOT NULL GROUP BY source",
            (week, month),
        )
        return {row[0]: SourceCounts(row[1], row[2], row[3]) for row in rows}

    return await db.read_apart(work)


async def personal_sources(db: Database) -> set[str]:
    """The sources of the personal invite links, "ref:<code>", for counting them together."""
    rows = await db.fetch_all("SELECT 'ref:' || code FROM invite_links WHERE owner_id IS NOT NULL")
    return {row[0] for row in rows}


async def first_days(db: Database) -> dict[int, int]:
    """Each city's first UTC day: the day it was added."""
    rows = await db.fetch_all("SELECT id, created_at / 86400 FROM cities")
    return {row[0]: row[1] for row in rows}


class LinkKind(StrEnum):
    CITY = "city"
    CAMPAIGN = "campaign"
    PERSONAL = "personal"  # every supporter's own link, together
    ACTION = "action"
    PETITION = "petition"
    CHECKIN = "checkin"


@dataclass(frozen=True, slots=True)
class DailyRow:
    day: int  # UTC days since 1970
    city: City | None  # None: broadcasts to every city at once
    counts: DayCounts


@dataclass(frozen=True, slots=True)
class LinkRow:
    kind: LinkKind
    name: str  # a city's or a campaign link's name; "" for the rows that group many links
    city: City | None
    counts: SourceCounts


async def exported(db: Database, actor_id: int, what: str) -> None:
    """Who took which export, and when: in the audit log."""
    async with db.transaction() as tx:
        await audit.record(tx, actor_id, f"export.{what}", None, "")
