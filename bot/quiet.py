"""Quiet hours: the nightly window, read on each city's own wall clock, in which Muster sends
nothing that can wait. Only the time arithmetic lives here; who is asked what is the domain's.

The window is half-open, [start, end): at 21:00 quiet hours have begun, at 08:00 they are
over. It may cross midnight (21:00-08:00) or not (13:00-14:00). Daylight saving moves the
clocks, not the window: it is read on the wall clock of the day in question, and an end that
falls in a spring-forward gap comes out just after the gap."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OFF = "off"
EXPECTED = "expected a local time window like 21:00-08:00 (start-end, 24-hour clock), or off"
_WINDOW = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def holds(self, moment: float, zone: ZoneInfo) -> bool:
        """Whether this instant falls in quiet hours on the zone's wall clock."""
        local = _local(moment, zone).time()
        if self.crosses_midnight:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def end_after(self, moment: float, zone: ZoneInfo) -> int:
        """When the quiet hours this instant falls in are over (UTC Unix seconds). Only for an
        instant that holds(); the end of the next window otherwise."""
        local = _local(moment, zone)
        day = local.date()
        if self.crosses_midnight and local.time() >= self.start:
            day += timedelta(days=1)  # 23:00 tonight ends at 08:00 tomorrow
        elif local.time() >= self.end:
            day += timedelta(days=1)
        return _instant(day, self.end, zone)

    def defer(self, moment: int, zone: ZoneInfo, deadline: int | None = None) -> int:
        """When something due at `moment` may go out: then, or at the end of the quiet hours
        it falls in. If that end would be at or after `deadline` (an action's start), then:
        better at night than too late."""
        if not self.holds(moment, zone):
            return moment
        end = self.end_after(moment, zone)
        if deadline is not None and end >= deadline:
            return moment
        return end

    @property
    def ends(self) -> str:
        """The end as people read it on a button: 08:00."""
        return f"{self.end:%H:%M}"

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`21:00-08:00`, or `off` (None). ValueError says what is expected."""
    cleaned = text.strip()
    if cleaned.lower() == OFF:
        return None
    match = _WINDOW.fullmatch(cleaned)
    if match is None:
        raise ValueError(EXPECTED)
    hour_a, minute_a, hour_b, minute_b = (int(part) for part in match.groups())
    try:
        window = QuietHours(time(hour_a, minute_a), time(hour_b, minute_b))
    except ValueError:  # 25:00, 08:61
        raise ValueError(EXPECTED) from None
    if window.start == window.end:
        raise ValueError(f"{EXPECTED}; start and end must differ")
    return window


def _local(moment: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(moment, UTC).astimezone(zone)


def _instant(day: date, wall: time, zone: ZoneInfo) -> int:
    """The wall-clock time on that day in the zone, as UTC seconds. With fold=0 a time that
    happens twice is the earlier, and one skipped by spring forward comes out after the gap
    (02:30 on the night 02:00 becomes 03:00 is 03:30)."""
    return int(datetime.combine(day, wall, tzinfo=zone).timestamp())
