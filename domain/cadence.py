"""Reminder cadences: which reminders an action gets, and when each falls on its city's
calendar and out of its quiet hours.

The default cadence is REMINDER_OFFSETS. The common one is what the best event tools do: the
day before at the same time, the morning of the action at 09:00 city time, and 30 minutes
before. An action starting at 11:00 or earlier gets no morning reminder: at 10:00 a 09:00
reminder would be one more message an hour before the 30-minute one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.localtime import DAY, ahead_of, on_the_day_of
from bot.quiet import QuietHours
from storage.actions import Cadence, DueAt, Timing

MORNING = time(9, 0)
# The morning reminder only for an action starting later than this, local time.
MORNING_ONLY_AFTER = time(11, 0)
COMMON: tuple[Timing, ...] = (
    Timing(before=DAY),
    Timing(at_local=f"{MORNING:%H:%M}"),
    Timing(before=30 * 60),
)


def timings(cadence: Cadence, offsets: Sequence[int]) -> tuple[Timing, ...]:
    """The reminders of this cadence; offsets (seconds before the start) are the default's."""
    if cadence is Cadence.COMMON:
        return COMMON
    return tuple(Timing(before=offset) for offset in offsets)


def due_on(zone: ZoneInfo, quiet: QuietHours | None = None) -> DueAt:
    """Reminder times on the city's calendar, out of its quiet hours: one that falls in them
    moves to their end, unless that is at or after the start (then it keeps its time, since
    a reminder after the start is no reminder). Check-in follow-ups are timed through the
    same rule: quiet.defer(due, zone, deadline)."""

    def due(starts_at: int, timing: Timing) -> int | None:
        moment = _planned(starts_at, timing, zone)
        if moment is None or quiet is None:
            return moment
        return quiet.defer(moment, zone, deadline=starts_at)

    return due


def _planned(starts_at: int, timing: Timing, zone: ZoneInfo) -> int | None:
    if timing.before is not None:
        return ahead_of(starts_at, timing.before, zone)
    if timing.at_local is None:
        return None
    if datetime.fromtimestamp(starts_at, zone).time() <= MORNING_ONLY_AFTER:
        return None
    return on_the_day_of(starts_at, time.fromisoformat(timing.at_local), zone)
