"""Local times in a city's zone: reading what organizers type, showing times to supporters.

Everything is stored in UTC; these are the only two crossings. Daylight saving is where
naive code goes wrong: a wall-clock time can be skipped (spring forward) or happen twice
(fall back), and each gets an explicit answer rather than a silent guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, tokenize_pattern, untokenize_pattern

from bot.i18n import locale_of, t

INPUT_FORMAT = "%Y-%m-%d %H:%M"
DAY = 86_400


class Problem(StrEnum):
    """Why a typed time was refused; each is a catalog key."""

    UNREADABLE = "time_unreadable"
    NONEXISTENT = "time_nonexistent"
    PAST = "time_past"


class LocalTimeError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Moment:
    utc: datetime
    # True when the wall-clock time happened twice and the earlier one was taken.
    ambiguous: bool = False

    @property
    def timestamp(self) -> int:
        return int(self.utc.timestamp())


def parse_local(text: str, zone: ZoneInfo, now: datetime | None = None) -> Moment:
    """Reads `YYYY-MM-DD HH:MM` as wall-clock time in zone; refuses skipped and past times,
    and takes the earlier of two (saying so through Moment.ambiguous)."""
    try:
        naive = datetime.strptime(" ".join(text.split()), INPUT_FORMAT)
    except ValueError:
        raise LocalTimeError(Problem.UNREADABLE) from None
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    try:
        round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # year 1 or 9999: beyond what a UTC conversion can hold
        raise LocalTimeError(Problem.UNREADABLE) from None
    if round_trip != naive:
        raise LocalTimeError(Problem.NONEXISTENT)
    moment = Moment(earlier.astimezone(UTC), ambiguous=earlier.utcoffset() != later.utcoffset())
    if moment.utc <= (now or datetime.now(UTC)):
        raise LocalTimeError(Problem.PAST)
    return moment


def show(moment: datetime | int, zone: ZoneInfo, language: str) -> str:
    """Like `Fri 5 Dec, 18:00 PST`, in the city's zone and the reader's language: the CLDR
    pattern of the reader's catalog ("datetime_pattern"), with names from CLDR through Babel."""
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment, UTC)
    local = moment.astimezone(zone)
    pattern = with_zone(t(language, "datetime_pattern"), local.tzname() or "")
    return format_datetime(local, pattern, locale=locale_of(language))


def with_zone(pattern: str, abbreviation: str) -> str:
    """The pattern with the zone's own abbreviation (PST, CEST) as literal text where it says
    z: CLDR's names for zones would show "GMT-8" in most languages."""
    tokens = [
        ("chars", abbreviation) if kind == "field" and value[0] == "z" else (kind, value)
        for kind, value in tokenize_pattern(pattern)
    ]
    return untokenize_pattern(tokens)


def ahead_of(starts_at: int, offset_seconds: int, zone: ZoneInfo) -> int:
    """When a reminder `offset_seconds` before starts_at goes out. Whole days count on the
    city's calendar, so 24h (or 1d) before Sunday 18:00 is Saturday 18:00 even with a DST
    switch between; the rest counts elapsed time, so 2h is the two real hours people need to
    get there."""
    days, rest = divmod(offset_seconds, DAY)
    if days == 0:
        return starts_at - rest  # no calendar involved (and a start in a repeated hour kept)
    local = datetime.fromtimestamp(starts_at, zone)
    # Arithmetic on an aware datetime is wall-clock arithmetic; a day-before time that falls
    # in a spring-forward gap comes out just after it, one that happens twice the earlier.
    return int((local - timedelta(days=days)).timestamp()) - rest


def on_the_day_of(starts_at: int, wall: time, zone: ZoneInfo) -> int:
    """The wall-clock time `wall` on the local day of starts_at, like 09:00 on the morning of
    an action. A time that happens twice is the earlier; one skipped by spring forward comes
    out just after the gap."""
    day = datetime.fromtimestamp(starts_at, zone).date()
    return int(datetime.combine(day, wall, tzinfo=zone).timestamp())
