"""Campaign insight: what /stats tells an organizer about their cities, and an admin about every
city and all supporters together. Aggregates only; no count of fewer than 5 people leaves this
module exactly, so nobody can be singled out through a small city or a single-person link.

The privacy rule, in full:
- a count of 1 to 4 people is shown as "fewer than 5" (0 stays 0: nobody to single out);
- in a breakdown shown beside its total (a city's followers by status, and by source), a
  hidden part could be found by subtracting the others from the total, so when a part is
  hidden the smallest part still shown is rounded to the nearest ten ("about 40") as well,
  and the subtraction no longer gives it;
- a sum shown beside its parts (every city's sends blocked, and all cities' together) is
  rounded when one of the parts is hidden, for the same reason;
- in the charts, a point or bar of fewer than 5 is not drawn, and a city's follower line
  starts where it reaches 5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.printing import Printer
from domain.organizers import Reach
from storage import Database
from storage import cities as city_store
from storage import stats as store
from storage.cities import City
from storage.stats import Outcomes, People, SourceKind, Turnout, Window
from storage.supporters import Status
from views.charts import chart_set, render_charts
from views.chartset import Drawn, unpack
from views.figures import (
    CityReport,
    Funnel,
    Group,
    Kind,
    Line,
    Report,
    Scope,
    Sent,
    Shown,
    Source,
    Trends,
)

FEW = 5  # the smallest group shown as a number
ROUNDING = 10  # a part rounded to hide another is rounded to this
DAYS_SHOWN = 90  # the follower line
WEEKS_SHOWN = 12  # new supporters by source
ACTIONS_PER_CITY = 3  # in the text
ACTIONS_CHARTED = 5
CODES_LISTED = 5  # referral codes named one by one; the others are counted together
LINES_CHARTED = 8  # cities with a line of their own: the largest
DAY = 86_400
# What the charts' spare child imports while it waits: matplotlib, and the catalogs that
# unpickling the job's render_charts would read.
CHARTS_PRELOAD = ("views.plotting", "views.charts")

K = TypeVar("K")


def shown(count: int) -> Shown:
    """A count of people as it may be shown: fewer than 5 hidden."""
    return Shown(Kind.FEW, 0) if 0 < count < FEW else Shown(Kind.EXACT, count)


def breakdown(parts: Mapping[K, int]) -> dict[K, Shown]:
    """The parts of a total shown beside them: small ones hidden, and then the smallest part
    still shown rounded, so that total minus the rest does not give a hidden one."""
    result = {key: shown(count) for key, count in parts.items()}
    if any(value.kind is Kind.FEW for value in result.values()):
        exact = [(count, position) for position, count in enumerate(parts.values()) if count >= FEW]
        if exact:
            count, position = min(exact)
            result[list(parts)[position]] = about(count)
    return result


def total(parts: Iterable[int]) -> Shown:
    """A sum shown beside its parts: when one of them is hidden, the sum is rounded, or it
    minus the others would tell the hidden one."""
    counts = list(parts)
    whole = sum(counts)
    hidden = any(shown(count).kind is Kind.FEW for count in counts)
    return about(whole) if hidden and whole >= FEW else shown(whole)


def about(count: int) -> Shown:
    """The count rounded to the nearest ten (halves up), never below ten."""
    return Shown(Kind.ABOUT, max(ROUNDING, (count + ROUNDING // 2) // ROUNDING * ROUNDING))


class Refusal(StrEnum):
    NO_CITY = "no_city"  # an organizer with no city left to look at
    UNKNOWN_CITY = "unknown_city"
    NOT_YOURS = "not_yours"


class Insight:
    """The figures, and the charts drawn from them in a child process that keeps a spare
    with matplotlib imported (bot/printing.py)."""

    def __init__(self, db: Database, reach: Reach, clock: Clock, printer: Printer) -> None:
        self.db = db
        self.reach = reach
        self.clock = clock
        self.printer = printer

    async def scope(self, viewer_id: int, slug: str | None) -> Scope | Refusal | None:
        """What this person may see: their cities, or every city and the totals for one who
        may reach every city; narrowed to one city by its slug (or name). None for someone
        who organizes nothing."""
        organizer = await self.reach.of(viewer_id)
        if organizer is None:
            return None
        if slug is not None:
            city = await city_store.find(self.db, slug)
            if city is None:
                return Refusal.UNKNOWN_CITY
            if not organizer.may_reach(city.id):
                return Refusal.NOT_YOURS
            return self._scope([city], everyone=False)
        cities = [
            city for city in await city_store.all_cities(self.db) if organizer.may_reach(city.id)
        ]
        if not organizer.all_cities and not cities:
            return Refusal.NO_CITY
        return self._scope(cities, everyone=organizer.all_cities)

    def _scope(self, cities: list[City], *, everyone: bool) -> Scope:
        now = int(self.clock.now())
        zones = {city.timezone for city in cities}
        zone = ZoneInfo(zones.pop() if len(zones) == 1 else "UTC")
        today = datetime.fromtimestamp(now, zone).date()
        monday = today - timedelta(days=today.weekday())
        return Scope(
            cities=cities,
            everyone=everyone,
            zone=zone,
            now=now,
            days=[today - timedelta(days=DAYS_SHOWN - 1 - back) for back in range(DAYS_SHOWN)],
            weeks=[monday - timedelta(weeks=WEEKS_SHOWN - 1 - back) for back in range(WEEKS_SHOWN)],
        )

    async def report(self, scope: Scope) -> Report:
        """The figures of the text, every count shown as the privacy rule allows."""
        counts = await store.counts(self.db, _window(scope))
        return Report(
            cities=[
                CityReport(
                    city,
                    _group(counts.cities[city.id]),
                    _sent(counts.outcomes[city.id]),
                    [_funnel(turnout) for turnout in counts.latest[city.id]],
                )
                for city in scope.cities
            ],
            everyone=_group(counts.everyone) if counts.everyone is not None else None,
            everyone_sent=_all_sent(counts.outcomes) if scope.everyone else None,
        )

    async def trends(self, scope: Scope) -> Trends:
        """The figures of the charts: a point or bar of fewer than 5 is None."""
        trends = await store.trends(self.db, _window(scope))
        return Trends(
            scope=scope,
            lines=_lines(scope.cities, trends.growth),
            weekly={
                kind: [shown(week.get(kind, 0)).drawn for week in trends.weekly]
                for kind in SourceKind
            },
            funnels=[_funnel(turnout) for turnout in reversed(trends.latest)],
        )

    async def charts(self, scope: Scope, language: str) -> list[Drawn]:
        """The charts with something to draw, as PNGs, labelled in the reader's language;
        drawn in the printer's child process while the text's figures are counted. Raises
        PrintFailed when they cannot be drawn."""
        charts = chart_set(await self.trends(scope), language)
        if not charts.charts():
            return []  # and no child started for nothing
        return unpack(await self.printer.draw(render_charts, charts))

    async def close(self) -> None:
        """Stops the drawing and the spare child: the bot is going down."""
        await self.printer.close()


def _window(scope: Scope) -> Window:
    zone = scope.zone
    ends = [day + timedelta(days=1) for day in scope.days]
    weeks = [*scope.weeks, scope.weeks[-1] + timedelta(weeks=1)]
    return Window(
        city_ids=tuple(city.id for city in scope.cities),
        everyone=scope.everyone,
        week_ago=scope.now - 7 * DAY,
        month_ago=scope.now - 30 * DAY,
        days=tuple(_midnight(day, zone) for day in ends),
        weeks=tuple(_midnight(week, zone) for week in weeks),
        actions_per_city=ACTIONS_PER_CITY,
        actions_in_all=ACTIONS_CHARTED,
    )


def _midnight(day: date, zone: ZoneInfo) -> int:
    """The first moment of that day in the zone (a day that starts at 01:00 for daylight
    saving starts then), as UTC Unix seconds."""
    local = datetime.combine(day, time(), zone)
    return int(local.astimezone(UTC).timestamp())


def _group(people: People) -> Group:
    return Group(
        total=shown(people.total),
        by_status=breakdown({status: people.by_status.get(status, 0) for status in Status}),
        new_in_week=shown(people.new_in_week),
        new_in_month=shown(people.new_in_month),
        sources=breakdown(_sources(people)),
    )


def _sources(people: People) -> dict[Source, int]:
    """Where they came from, in the order shown: city links, the largest referral codes one
    by one (only those with 5 people or more: a code with fewer is left to the rest), the
    other codes together, then the other kinds of link, and no link last."""
    parts: dict[Source, int] = {}
    if people.by_kind.get(SourceKind.CITY):
        parts[Source(SourceKind.CITY)] = people.by_kind[SourceKind.CITY]
    largest = sorted(people.by_code.items(), key=lambda item: (-item[1], item[0]))
    listed = [(code, count) for code, count in largest[:CODES_LISTED] if count >= FEW]
    for code, count in listed:
        parts[Source(SourceKind.REFERRAL, code)] = count
    rest = people.by_kind.get(SourceKind.REFERRAL, 0) - sum(count for _, count in listed)
    if rest:
        parts[Source(SourceKind.REFERRAL)] = rest
    for kind in (SourceKind.ACTION, SourceKind.PETITION, SourceKind.CHECKIN, SourceKind.OTHER):
        if people.by_kind.get(kind):
            parts[Source(kind)] = people.by_kind[kind]
    return parts


def _sent(outcomes: Outcomes) -> Sent:
    return Sent(
        outcomes.broadcasts, shown(outcomes.sent), shown(outcomes.blocked), shown(outcomes.failed)
    )


def _all_sent(by_city: Mapping[int | None, Outcomes]) -> Sent:
    """Every broadcast together: each outcome summed over the cities (and those to every
    city), whose own figures are shown beside it."""
    return Sent(
        sum(value.broadcasts for value in by_city.values()),
        total(value.sent for value in by_city.values()),
        total(value.blocked for value in by_city.values()),
        total(value.failed for value in by_city.values()),
    )


def _funnel(turnout: Turnout) -> Funnel:
    return Funnel(
        turnout.action_id,
        turnout.city_id,
        turnout.title,
        turnout.starts_at,
        shown(turnout.alerted),
        shown(turnout.yes),
        shown(turnout.came),
        shown(turnout.no),
    )


def _lines(cities: list[City], growth: Mapping[int, list[int]]) -> list[Line]:
    """The largest cities' follower lines, each drawn from where it reaches 5."""
    drawn = [city for city in cities if growth[city.id] and growth[city.id][-1] >= FEW]
    drawn.sort(key=lambda city: (-growth[city.id][-1], city.name))
    return [
        Line(city, [value if value >= FEW else None for value in growth[city.id]])
        for city in drawn[:LINES_CHARTED]
    ]
