"""Campaign figures for /stats: counts over supporters, follows, broadcasts and actions, never a
row about a person. Read on read-only connections of their own, in threads, beside the bot's
(a quarter of a million supporters take a few hundred milliseconds to count): mostly ranges
of indexes (migration 0022), and where a count must read every follow, in the order of an
index, so that SQLite sorts as little as it can."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from storage.db import Database
from storage.supporters import Status


class SourceKind(StrEnum):
    """Where a supporter came from, as /start recorded it (handlers/signup.py): the deep link
    of their first contact."""

    CITY = "city"  # city:<slug>
    REFERRAL = "ref"  # ref:<code>, a personal invite or a campaign link
    ACTION = "action"  # action:<id>
    PETITION = "petition"  # petition:<id>
    CHECKIN = "checkin"  # checkin:<action id>
    OTHER = "other"  # no link, or one Muster did not know


LINKED = tuple(kind for kind in SourceKind if kind is not SourceKind.OTHER)
# The sources of one kind are the strings from "<kind>:" up to "<kind>;" (";" follows ":"),
# a range an index can answer, unlike LIKE.
_OF_KIND = {
    kind: f"{{column}} >= '{kind.value}:' AND {{column}} < '{kind.value};'" for kind in LINKED
}


def kind_of(source: str | None) -> SourceKind:
    prefix, colon, _ = (source or "").partition(":")
    return next((kind for kind in LINKED if colon and prefix == kind.value), SourceKind.OTHER)


@dataclass(frozen=True, slots=True)
class Window:
    """What to count and over which periods; every moment is UTC Unix seconds.

    days: the ends of the days of the follower line, oldest first (a city's line is how many
    of today's followers followed before each); weeks: the bounds of the weeks of new
    supporters, oldest first (one more than the weeks)."""

    city_ids: tuple[int, ...]
    everyone: bool  # the totals over every supporter, and broadcasts to every city
    week_ago: int
    month_ago: int
    days: tuple[int, ...]
    weeks: tuple[int, ...]
    actions_per_city: int
    actions_in_all: int


@dataclass(slots=True)
class Outcomes:
    broadcasts: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0

    def add(self, other: Outcomes) -> None:
        self.broadcasts += other.broadcasts
        self.sent += other.sent
        self.blocked += other.blocked
        self.failed += other.failed


@dataclass(slots=True)
class People:
    """A group of supporters (a city's followers, or everyone): how many at each status and
    from each source, and how many are new."""

    by_status: dict[Status, int] = field(default_factory=dict)
    by_kind: dict[SourceKind, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)  # each ref:<code> apart
    new_in_week: int = 0
    new_in_month: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class Turnout:
    """One action's funnel: the announcement's recipients reached, the answers, who came."""

    action_id: int
    city_id: int
    title: str
    starts_at: int
    alerted: int
    yes: int
    came: int  # checked in, or said "Yes, I was there"
    no: int


@dataclass(slots=True)
class Trends:
    """What the charts draw."""

    growth: dict[int, list[int]]  # per city, its followers at each end of day
    weekly: list[dict[SourceKind, int]]  # per week, new supporters by source
    latest: list[Turnout]  # the latest actions of the cities, newest first


@dataclass(slots=True)
class Counts:
    """What the text says."""

    cities: dict[int, People]
    outcomes: dict[int | None, Outcomes]  # per city; None: broadcasts to every city
    latest: dict[int, list[Turnout]]  # per city, its latest actions, newest first
    everyone: People | None


async def trends(db: Database, window: Window) -> Trends:
    """The charts' figures: ranges of indexes, a few tens of milliseconds."""
    return await db.read_apart(lambda connection: _trends(connection, window))


async def counts(db: Database, window: Window) -> Counts:
    """The text's figures, in two parts read side by side, each on a read-only connection
    of its own in a thread: SQLite leaves Python's lock while it counts, so on two cores the
    parts take the time of the longer."""
    cities, (outcomes, latest, everyone) = await asyncio.gather(
        db.read_apart(lambda connection: _followers(connection, window)),
        db.read_apart(lambda connection: _sent_and_done(connection, window)),
    )
    return Counts(cities, outcomes, latest, everyone)


def _trends(connection: sqlite3.Connection, window: Window) -> Trends:
    growth = {city_id: _growth(connection, city_id, window.days) for city_id in window.city_ids}
    by_city = _latest_actions(connection, window.city_ids, window.actions_in_all)
    # The latest of all are among each city's latest.
    newest = sorted(
        (row for rows in by_city.values() for row in rows),
        key=lambda row: (row["starts_at"], row["id"]),
        reverse=True,
    )[: window.actions_in_all]
    alerted = _outcomes_of(connection, [row["announcement_id"] for row in newest])
    latest = [_turnout(connection, row, alerted[row["announcement_id"]].sent) for row in newest]
    return Trends(growth, _weekly(connection, window), latest)


def _sent_and_done(
    connection: sqlite3.Connection, window: Window
) -> tuple[dict[int | None, Outcomes], dict[int, list[Turnout]], People | None]:
    """Broadcasts of the last month, each city's latest actions, and the totals."""
    by_city = _latest_actions(connection, window.city_ids, window.actions_per_city)
    recent = _recent_broadcasts(connection, window)
    announcements = [row["announcement_id"] for rows in by_city.values() for row in rows]
    outcomes = _outcomes_of(connection, [*recent, *announcements])
    sent: dict[int | None, Outcomes] = {city_id: Outcomes() for city_id in window.city_ids}
    if window.everyone:
        sent[None] = Outcomes()
    for broadcast_id, key in recent.items():
        sent[key].add(outcomes[broadcast_id])
        sent[key].broadcasts += 1
    latest = {
        city_id: [_turnout(connection, row, outcomes[row["announcement_id"]].sent) for row in rows]
        for city_id, rows in by_city.items()
    }
    everyone = _everyone(connection, window) if window.everyone else None
    return sent, latest, everyone


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _status_columns(prefix: str) -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE {prefix}status = '{status.value}')" for status in Status
    )


def _followers(connection: sqlite3.Connection, window: Window) -> dict[int, People]:
    """Each city's followers by status and source: its follows in the order of the index by
    city, one look-up of each follower, and a sort by source (city by city: a few smaller
    sorts take less than one of them all)."""
    city_ids = window.city_ids
    people = {city_id: People() for city_id in city_ids}
    if not city_ids:
        return people
    statuses = _status_columns("s.")
    sql = (
        f"SELECT s.source, {statuses} FROM subscriptions AS sub "  # noqa: S608
        "JOIN supporters AS s USING (user_id) WHERE sub.city_id = ? GROUP BY s.source"
    )
    rows = ((city_id, *row) for city_id in city_ids for row in connection.execute(sql, (city_id,)))
    for city_id, source, *counts in rows:
        group = people[city_id]
        kind = kind_of(source)
        group.by_kind[kind] = group.by_kind.get(kind, 0) + sum(counts)
        if kind is SourceKind.REFERRAL:
            group.by_code[source.partition(":")[2]] = sum(counts)
        for status, count in zip(Status, counts, strict=True):
            group.by_status[status] = group.by_status.get(status, 0) + count
    # Only the last month's follows: a range of the index by city and time.
    recent = connection.execute(
        "SELECT city_id, count(*) FILTER (WHERE created_at >= ?), count(*) "  # noqa: S608
        f"FROM subscriptions WHERE city_id IN ({_marks(city_ids)}) AND created_at >= ? "
        "GROUP BY city_id",
        (window.week_ago, *city_ids, window.month_ago),
    )
    for city_id, week, month in recent:
        people[city_id].new_in_week, people[city_id].new_in_month = week, month
    return people


def _growth(connection: sqlite3.Connection, city_id: int, ends: tuple[int, ...]) -> list[int]:
    """The city's followers (today's, by when they followed) at each of these moments: a
    count of one range of the index by city and time per day, no sorting."""
    if not ends:
        return []
    count = "SELECT count(*) FROM subscriptions WHERE city_id = ? AND created_at < ?"
    line = [connection.execute(count, (city_id, ends[0])).fetchone()[0]]
    between = (
        "SELECT count(*) FROM subscriptions WHERE city_id = ? AND created_at >= ? "
        "AND created_at < ?"
    )
    for start, end in itertools.pairwise(ends):
        line.append(line[-1] + connection.execute(between, (city_id, start, end)).fetchone()[0])
    return line


def _kind_columns(column: str) -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE {_OF_KIND[kind].format(column=column)})" for kind in LINKED
    )


def _weekly(connection: sqlite3.Connection, window: Window) -> list[dict[SourceKind, int]]:
    """New supporters of each week by the kind of link they came through; with a list of
    cities, those who follow one of them. One range of the index by join time per week."""
    kinds = _kind_columns("source")
    sql = f"SELECT count(*), {kinds} FROM supporters WHERE joined_at >= ? AND joined_at < ?"  # noqa: S608
    scope: tuple[int, ...] = ()
    if not window.everyone:
        scope = window.city_ids
        sql += (
            " AND EXISTS (SELECT 1 FROM subscriptions AS sub WHERE sub.user_id = "  # noqa: S608
            f"supporters.user_id AND sub.city_id IN ({_marks(scope)}))"
        )
    weeks = []
    for start, end in itertools.pairwise(window.weeks):
        total, *counts = connection.execute(sql, (start, end, *scope)).fetchone()
        week = dict(zip(LINKED, counts, strict=True))
        week[SourceKind.OTHER] = total - sum(counts)
        weeks.append(week)
    return weeks


_ANNOUNCED = "status = 'published' AND announcement_id IS NOT NULL"


def _latest_actions(
    connection: sqlite3.Connection, city_ids: tuple[int, ...], limit: int
) -> dict[int, list[sqlite3.Row]]:
    """Each city's latest announced actions, newest first (by start: an upcoming one too)."""
    connection.row_factory = sqlite3.Row
    try:
        return {
            city_id: connection.execute(
                f"SELECT * FROM actions WHERE city_id = ? AND {_ANNOUNCED} "  # noqa: S608
                "ORDER BY starts_at DESC, id DESC LIMIT ?",
                (city_id, limit),
            ).fetchall()
            for city_id in city_ids
        }
    finally:
        connection.row_factory = None


def _turnout(connection: sqlite3.Connection, action: sqlite3.Row, alerted: int) -> Turnout:
    yes, no = connection.execute(
        "SELECT count(*) FILTER (WHERE answer = 'yes'), count(*) FILTER (WHERE answer = 'no') "
        "FROM rsvps WHERE action_id = ?",
        (action["id"],),
    ).fetchone()
    came = connection.execute(
        "SELECT count(*) FROM attendance WHERE action_id = ? "
        "AND (checked_in_at IS NOT NULL OR reported = 'yes')",
        (action["id"],),
    ).fetchone()[0]
    return Turnout(
        action["id"],
        action["city_id"],
        action["title"],
        action["starts_at"],
        alerted,
        yes,
        came,
        no,
    )


def _recent_broadcasts(connection: sqlite3.Connection, window: Window) -> dict[int, int | None]:
    """The broadcasts that went out since a month ago to the cities counted (and, for the
    totals, to every city), each with its city (None: every city)."""
    rows = connection.execute(
        "SELECT id, city_id, all_cities FROM broadcasts "
        "WHERE started_at >= ? AND status IN ('sending', 'done', 'cancelled')",
        (window.month_ago,),
    )
    wanted = set(window.city_ids)
    recent: dict[int, int | None] = {}
    for broadcast_id, city_id, all_cities in rows:
        if all_cities and window.everyone:
            recent[broadcast_id] = None
        elif not all_cities and city_id in wanted:
            recent[broadcast_id] = city_id
    return recent


def _outcomes_of(connection: sqlite3.Connection, broadcast_ids: list[int]) -> dict[int, Outcomes]:
    """Each broadcast's recipients by outcome: the rows kept one per recipient, in one pass
    in the order of the table's key, plus the counts retention folded older rows into."""
    counted = sorted(set(broadcast_ids))
    outcomes = {broadcast_id: Outcomes() for broadcast_id in counted}
    if not counted:
        return outcomes
    marks = _marks(counted)
    kept = connection.execute(
        "SELECT broadcast_id, count(*) FILTER (WHERE status = 'sent'), "  # noqa: S608
        "count(*) FILTER (WHERE status = 'blocked'), count(*) FILTER (WHERE status = 'failed') "
        f"FROM deliveries WHERE broadcast_id IN ({marks}) GROUP BY broadcast_id",
        counted,
    )
    for broadcast_id, sent, blocked, failed in kept:
        outcomes[broadcast_id].add(Outcomes(0, sent, blocked, failed))
    folded = connection.execute(
        "SELECT broadcast_id, "  # noqa: S608
        "sum(count) FILTER (WHERE status = 'sent'), sum(count) FILTER (WHERE status = 'blocked'), "
        "sum(count) FILTER (WHERE status = 'failed') "
        f"FROM delivery_counts WHERE broadcast_id IN ({marks}) GROUP BY broadcast_id",
        counted,
    )
    for broadcast_id, sent, blocked, failed in folded:
        outcomes[broadcast_id].add(Outcomes(0, sent or 0, blocked or 0, failed or 0))
    return outcomes


def _everyone(connection: sqlite3.Connection, window: Window) -> People:
    """Every supporter, following a city or not: one pass over the table, and one over those
    who came through a code."""
    statuses = _status_columns("")
    kinds = _kind_columns("source")
    row = connection.execute(
        f"SELECT {statuses}, count(*) FILTER (WHERE joined_at >= ?), "  # noqa: S608
        f"count(*) FILTER (WHERE joined_at >= ?), {kinds} FROM supporters",
        (window.week_ago, window.month_ago),
    ).fetchone()
    people = People(by_status=dict(zip(Status, row[: len(Status)], strict=True)))
    people.new_in_week, people.new_in_month, *by_kind = row[len(Status) :]
    people.by_kind = dict(zip(LINKED, by_kind, strict=True))
    people.by_kind[SourceKind.OTHER] = people.total - sum(by_kind)
    codes = connection.execute(
        "SELECT source, count(*) FROM supporters WHERE "  # noqa: S608
        f"{_OF_KIND[SourceKind.REFERRAL].format(column='source')} GROUP BY source"
    )
    people.by_code = {source.partition(":")[2]: count for source, count in codes}
    return people
