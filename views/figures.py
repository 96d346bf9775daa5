"""What /stats shows, in the shapes the text and the charts are drawn from. Built by
domain/stats.py, which applies the privacy rule: every count here is a Shown, so a number of
fewer than 5 people cannot reach a reply or a chart by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from storage.cities import City
from storage.stats import SourceKind
from storage.supporters import Status


class Kind(StrEnum):
    EXACT = "exact"
    FEW = "few"  # 1 to 4
    ABOUT = "about"  # rounded to the nearest ten, to hide a part beside it


@dataclass(frozen=True, slots=True)
class Shown:
    """A count as it may be shown. For FEW the value is 0: the true number stays here."""

    kind: Kind
    value: int

    @property
    def drawn(self) -> int | None:
        """The height a chart may give it; None: not drawn."""
        return None if self.kind is Kind.FEW else self.value


@dataclass(frozen=True, slots=True)
class Source:
    """A line of "where they came from": a kind of link, or one referral code (code set), or
    the codes not listed one by one (kind REFERRAL, code None)."""

    kind: SourceKind
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A city's followers, or all supporters."""

    total: Shown
    by_status: dict[Status, Shown]
    new_in_week: Shown
    new_in_month: Shown
    sources: dict[Source, Shown]  # in the order to show them; parts with nobody left out


@dataclass(frozen=True, slots=True)
class Sent:
    """Broadcasts in the last 30 days and their recipients by outcome."""

    broadcasts: int
    sent: Shown
    blocked: Shown
    failed: Shown


@dataclass(frozen=True, slots=True)
class Funnel:
    """One action: the announcement's recipients reached, yes, came, no."""

    action_id: int
    city_id: int
    title: str
    starts_at: int
    alerted: Shown
    yes: Shown
    came: Shown
    no: Shown


@dataclass(frozen=True, slots=True)
class CityReport:
    city: City
    followers: Group
    sent: Sent
    actions: list[Funnel]  # newest first


@dataclass(frozen=True, slots=True)
class Line:
    city: City
    values: list[int | None]  # followers at the end of each day; None: fewer than 5


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose figures: the cities, and for one who may reach every city, all supporters and
    the broadcasts to every city too; the days and weeks charted, in `zone` (the cities'
    own when they share one, else UTC)."""

    cities: list[City]
    everyone: bool
    zone: ZoneInfo
    now: int
    days: list[date]
    weeks: list[date]  # the Monday each starts

    @property
    def one_city(self) -> City | None:
        return self.cities[0] if len(self.cities) == 1 and not self.everyone else None


@dataclass(frozen=True, slots=True)
class Report:
    """What the text says."""

    cities: list[CityReport]
    everyone: Group | None  # all supporters, following a city or not
    everyone_sent: Sent | None  # every broadcast, those to every city included


@dataclass(frozen=True, slots=True)
class Trends:
    """What the charts draw."""

    scope: Scope
    lines: list[Line]  # the largest cities that reach 5 followers, largest first
    weekly: dict[SourceKind, list[int | None]]  # new supporters per week; None: fewer than 5
    funnels: list[Funnel]  # the latest actions, oldest first
