"""Local times: reading what organizers type and showing it back, across the US DST switches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.localtime import LocalTimeError, Moment, Problem, ahead_of, parse_local, show

LOS_ANGELES = "America/Los_Angeles"
NEW_YORK = "America/New_York"

# Every test reads the clock from here, so none depends on today's date.
NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def at_utc(text: str) -> datetime:
    """An aware UTC instant written like the organizers' format, `YYYY-MM-DD HH:MM`."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def typed(text: str, zone: str, now: datetime = NEW_YEAR) -> Moment:
    """What an organizer in `zone` gets back for typing `text`."""
    return parse_local(text, ZoneInfo(zone), now=now)


def refusal(text: str, zone: str, now: datetime = NEW_YEAR) -> Problem:
    """Why typing `text` in `zone` was refused (the test fails if it was accepted)."""
    with pytest.raises(LocalTimeError) as refused:
        parse_local(text, ZoneInfo(zone), now=now)
    return refused.value.problem


def local_offset(moment: Moment, zone: str) -> timedelta | None:
    return moment.utc.astimezone(ZoneInfo(zone)).utcoffset()


# --- Spring forward: 02:00 jumps to 03:00, so 02:xx never happens -------------------------------


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        (LOS_ANGELES, "2026-03-08 02:30"),
        (NEW_YORK, "2026-03-08 02:30"),
        (LOS_ANGELES, "2027-03-14 02:30"),
        (NEW_YORK, "2027-03-14 02:30"),
    ],
)
def test_skipped_wall_clock_time_is_refused(zone: str, text: str) -> None:
    """A time inside the spring-forward gap is refused as nonexistent, never silently shifted."""
    assert refusal(text, zone) is Problem.NONEXISTENT


@pytest.mark.parametrize(
    ("zone", "text", "utc", "offset_hours"),
    [
        # zone        typed                 UTC instant          offset
        (LOS_ANGELES, "2026-03-08 01:59", "2026-03-08 09:59", -8),
        (LOS_ANGELES, "2026-03-08 03:00", "2026-03-08 10:00", -7),
        (NEW_YORK, "2026-03-08 01:59", "2026-03-08 06:59", -5),
        (NEW_YORK, "2026-03-08 03:00", "2026-03-08 07:00", -4),
        (LOS_ANGELES, "2027-03-14 01:59", "2027-03-14 09:59", -8),
        (LOS_ANGELES, "2027-03-14 03:00", "2027-03-14 10:00", -7),
        (NEW_YORK, "2027-03-14 01:59", "2027-03-14 06:59", -5),
        (NEW_YORK, "2027-03-14 03:00", "2027-03-14 07:00", -4),
    ],
)
def test_times_around_the_spring_gap_exist(
    zone: str, text: str, utc: str, offset_hours: int
) -> None:
    """01:59 is still standard time and 03:00 already daylight time, one real minute apart."""
    moment = typed(text, zone)
    assert moment == Moment(at_utc(utc), ambiguous=False)
    assert local_offset(moment, zone) == timedelta(hours=offset_hours)


# --- Fall back: 02:00 returns to 01:00, so 01:xx happens twice -----------------------------------


@pytest.mark.parametrize(
    ("zone", "text", "utc", "offset_hours"),
    [
        (LOS_ANGELES, "2026-11-01 01:30", "2026-11-01 08:30", -7),
        (NEW_YORK, "2026-11-01 01:30", "2026-11-01 05:30", -4),
        (LOS_ANGELES, "2027-11-07 01:30", "2027-11-07 08:30", -7),
        (NEW_YORK, "2027-11-07 01:30", "2027-11-07 05:30", -4),
    ],
)
def test_repeated_wall_clock_time_takes_the_earlier_instant(
    zone: str, text: str, utc: str, offset_hours: int
) -> None:
    """A time that happens twice means its first, daylight-time occurrence, flagged ambiguous."""
    moment = typed(text, zone)
    assert moment == Moment(at_utc(utc), ambiguous=True)
    assert local_offset(moment, zone) == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("zone", "text", "utc", "offset_hours"),
    [
        # zone        typed                 UTC instant          offset
        (LOS_ANGELES, "2026-11-01 00:59", "2026-11-01 07:59", -7),
        (LOS_ANGELES, "2026-11-01 02:00", "2026-11-01 10:00", -8),
        (NEW_YORK, "2026-11-01 00:59", "2026-11-01 04:59", -4),
        (NEW_YORK, "2026-11-01 02:00", "2026-11-01 07:00", -5),
        (LOS_ANGELES, "2027-11-07 00:59", "2027-11-07 07:59", -7),
        (LOS_ANGELES, "2027-11-07 02:00", "2027-11-07 10:00", -8),
        (NEW_YORK, "2027-11-07 00:59", "2027-11-07 04:59", -4),
        (NEW_YORK, "2027-11-07 02:00", "2027-11-07 07:00", -5),
    ],
)
def test_times_around_the_repeated_hour_are_not_ambiguous(
    zone: str, text: str, utc: str, offset_hours: int
) -> None:
    """00:59 happens once in daylight time and 02:00 once in standard time: neither is flagged."""
    moment = typed(text, zone)
    assert moment == Moment(at_utc(utc), ambiguous=False)
    assert local_offset(moment, zone) == timedelta(hours=offset_hours)


# --- Showing times back -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "language", "first", "second"),
    [
        (LOS_ANGELES, "en", "Sun 1 Nov, 01:30 PDT", "Sun 1 Nov, 01:30 PST"),
        (LOS_ANGELES, "es", "dom 1 nov, 01:30 PDT", "dom 1 nov, 01:30 PST"),
        (NEW_YORK, "en", "Sun 1 Nov, 01:30 EDT", "Sun 1 Nov, 01:30 EST"),
        (NEW_YORK, "es", "dom 1 nov, 01:30 EDT", "dom 1 nov, 01:30 EST"),
    ],
)
def test_both_occurrences_of_a_repeated_time_are_told_apart(
    zone: str, language: str, first: str, second: str
) -> None:
    """The fall-back 01:30 shows daylight time, and the same wall clock an hour later standard."""
    earlier = typed("2026-11-01 01:30", zone).utc
    assert show(earlier, ZoneInfo(zone), language) == first
    assert show(earlier + timedelta(hours=1), ZoneInfo(zone), language) == second


@pytest.mark.parametrize(
    ("zone", "language", "before", "after"),
    [
        (LOS_ANGELES, "en", "Sun 8 Mar, 01:59 PST", "Sun 8 Mar, 03:00 PDT"),
        (LOS_ANGELES, "es", "dom 8 mar, 01:59 PST", "dom 8 mar, 03:00 PDT"),
        (NEW_YORK, "en", "Sun 8 Mar, 01:59 EST", "Sun 8 Mar, 03:00 EDT"),
        (NEW_YORK, "es", "dom 8 mar, 01:59 EST", "dom 8 mar, 03:00 EDT"),
    ],
)
def test_spring_forward_changes_the_abbreviation_shown(
    zone: str, language: str, before: str, after: str
) -> None:
    """The minute before the gap shows standard time and the minute after it daylight time."""
    assert show(typed("2026-03-08 01:59", zone).utc, ZoneInfo(zone), language) == before
    assert show(typed("2026-03-08 03:00", zone).utc, ZoneInfo(zone), language) == after


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Fri 4 Dec, 18:00 PST"), ("es", "vie 4 dic, 18:00 PST")],
)
def test_a_stored_unix_timestamp_shows_like_the_instant(language: str, shown: str) -> None:
    """A Unix timestamp read from the database shows exactly as the datetime it came from."""
    moment = typed("2026-12-04 18:00", LOS_ANGELES)
    assert show(moment.timestamp, ZoneInfo(LOS_ANGELES), language) == shown
    assert show(moment.utc, ZoneInfo(LOS_ANGELES), language) == shown


# --- What organizers type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "2026-13-01 10:00", "2026-02-30 10:00", "", "2026-12-05 25:00"],
)
def test_unreadable_text_is_refused(text: str) -> None:
    """Words, impossible dates and impossible hours are refused as unreadable."""
    assert refusal(text, LOS_ANGELES) is Problem.UNREADABLE


def test_extra_spaces_between_date_and_time_are_accepted() -> None:
    """Spaces a phone keyboard adds around or between date and time change nothing."""
    assert typed("  2026-12-05    18:00 ", LOS_ANGELES) == typed("2026-12-05 18:00", LOS_ANGELES)


def test_a_time_before_now_is_refused_as_past() -> None:
    """An action cannot be scheduled earlier than now."""
    now = at_utc("2026-06-01 19:00")  # 12:00 PDT
    assert refusal("2026-06-01 11:59", LOS_ANGELES, now=now) is Problem.PAST
    assert refusal("2025-12-31 23:00", LOS_ANGELES, now=now) is Problem.PAST


def test_a_time_equal_to_now_is_refused_as_past() -> None:
    """Now itself is already too late; the first accepted minute is the next one."""
    now = at_utc("2026-06-01 19:00")  # 12:00 PDT
    assert refusal("2026-06-01 12:00", LOS_ANGELES, now=now) is Problem.PAST
    assert typed("2026-06-01 12:01", LOS_ANGELES, now=now).utc == at_utc("2026-06-01 19:01")


# --- Round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", [LOS_ANGELES, NEW_YORK])
@pytest.mark.parametrize(
    ("first_day", "skipped"),
    [
        (datetime(2026, 3, 7), ["2026-03-08 02:00"]),
        (datetime(2026, 10, 31), []),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_every_accepted_hour_reads_back_as_typed(
    zone: str, first_day: datetime, skipped: list[str]
) -> None:
    """Over three days around a switch, each accepted hour converts back to the typed wall clock."""
    refused: list[tuple[str, Problem]] = []
    for hour in range(3 * 24):
        text = f"{first_day + timedelta(hours=hour):%Y-%m-%d %H:%M}"
        try:
            moment = typed(text, zone)
        except LocalTimeError as error:
            refused.append((text, error.problem))
            continue
        local = moment.utc.astimezone(ZoneInfo(zone))
        assert f"{local:%Y-%m-%d %H:%M}" == text
    assert refused == [(gap, Problem.NONEXISTENT) for gap in skipped]


# --- Reminders: whole days on the city's calendar, the rest in elapsed time ------------------
# US switches: 2026-03-08 and 2027-03-14 spring forward, 2026-11-01 and 2027-11-07 fall back.


def reminder_at(starts: str, offset: timedelta, zone: str) -> str:
    """When the reminder `offset` before a start typed in `zone` goes out, shown there."""
    due = ahead_of(typed(starts, zone).timestamp, int(offset.total_seconds()), ZoneInfo(zone))
    return show(due, ZoneInfo(zone), "en")


@pytest.mark.parametrize(
    ("zone", "starts", "day_before"),
    [
        (LOS_ANGELES, "2026-03-08 18:00", "Sat 7 Mar, 18:00 PST"),
        (NEW_YORK, "2026-03-08 18:00", "Sat 7 Mar, 18:00 EST"),
        (LOS_ANGELES, "2026-11-01 18:00", "Sat 31 Oct, 18:00 PDT"),
        (NEW_YORK, "2026-11-01 18:00", "Sat 31 Oct, 18:00 EDT"),
        (LOS_ANGELES, "2027-03-14 09:00", "Sat 13 Mar, 09:00 PST"),
        (NEW_YORK, "2027-03-14 09:00", "Sat 13 Mar, 09:00 EST"),
        (LOS_ANGELES, "2027-11-07 09:00", "Sat 6 Nov, 09:00 PDT"),
        (NEW_YORK, "2027-11-07 09:00", "Sat 6 Nov, 09:00 EDT"),
    ],
)
def test_the_day_before_reminder_keeps_the_wall_clock_time_across_a_switch(
    zone: str, starts: str, day_before: str
) -> None:
    """24h before Sunday 18:00 is Saturday 18:00, though that day was 23 or 25 hours long."""
    assert reminder_at(starts, timedelta(hours=24), zone) == day_before
    assert reminder_at(starts, timedelta(days=1), zone) == day_before


@pytest.mark.parametrize(
    ("zone", "starts", "two_hours_before"),
    [
        # 03:30 PDT is 1 h 30 min of wall clock after 02:00 PST, but 2 real hours is 00:30 PST.
        (LOS_ANGELES, "2026-03-08 03:30", "Sun 8 Mar, 00:30 PST"),
        (NEW_YORK, "2027-03-14 03:30", "Sun 14 Mar, 00:30 EST"),
        # Two real hours before 02:30 EST is 01:30 EDT: one hour apart on the wall.
        (NEW_YORK, "2026-11-01 02:30", "Sun 1 Nov, 01:30 EDT"),
        (LOS_ANGELES, "2027-11-07 02:30", "Sun 7 Nov, 01:30 PDT"),
    ],
)
def test_hours_before_count_elapsed_time_across_a_switch(
    zone: str, starts: str, two_hours_before: str
) -> None:
    """The 2h reminder gives people two real hours to get there, whatever the clocks did."""
    assert reminder_at(starts, timedelta(hours=2), zone) == two_hours_before


def test_a_day_and_a_half_is_a_calendar_day_then_twelve_hours() -> None:
    """36h before Monday 09:00 PDT, the day after spring forward: Sunday 09:00 PDT less 12
    real hours, Saturday 20:00 PST."""
    assert reminder_at("2026-03-09 09:00", timedelta(hours=36), LOS_ANGELES) == (
        "Sat 7 Mar, 20:00 PST"
    )


def test_a_day_before_that_falls_in_the_spring_gap_comes_just_after_it() -> None:
    """Monday 02:30 a day earlier is Sunday 02:30, which never happens: 03:30 PDT instead,
    still before the start."""
    assert reminder_at("2026-03-09 02:30", timedelta(days=1), LOS_ANGELES) == (
        "Sun 8 Mar, 03:30 PDT"
    )


def test_hours_before_a_start_in_the_repeated_hour_count_from_that_instant() -> None:
    """The second 01:30 of a fall-back night (PST): two real hours before is 00:30 PDT."""
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo(LOS_ANGELES))
    due = ahead_of(int(second.timestamp()), 7200, ZoneInfo(LOS_ANGELES))
    assert int(second.timestamp()) - due == 7200
    assert show(due, ZoneInfo(LOS_ANGELES), "en") == "Sun 1 Nov, 00:30 PDT"
