"""Stories of quiet hours (QUIET_HOURS, 21:00-08:00 on each city's clock): organizers are asked
before a broadcast goes into them, all-cities broadcasts wait city by city, reminders move to
the morning, and replies are never held.

The clock is fixed (a ManualClock in January 2030, Seattle on PST, Madrid on CET) and moved by
the stories; timers armed for a time the story's clock has reached are run by fire_due, as the
JobQueue would run them when the wall clock got there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from datetime import time as wall
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.localtime import parse_local
from bot.quiet import QuietHours, parse_quiet_hours
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage.actions import Answer
from storage.broadcasts import Content, State
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings
from tests.test_broadcast import RALLY_HTML, compose, received
from tests.test_settings import start_muster

SEATTLE = ZoneInfo("America/Los_Angeles")


def seattle_time(text: str) -> int:
    """A wall-clock time in Seattle, past or not (the stories' clock is their own)."""
    return parse_local(text, SEATTLE, now=datetime(1970, 1, 1, tzinfo=UTC)).timestamp


NOON = seattle_time("2030-01-15 12:00")  # Tuesday
NIGHT = seattle_time("2030-01-15 23:00")
MORNING = seattle_time("2030-01-16 08:00")  # Wednesday
ASKED = "quiet hours in Seattle now (21:00-08:00, local time)"


@pytest.fixture
def clock() -> ManualClock:
    """23:00 in Seattle, unless a story moves it."""
    return ManualClock(NIGHT)


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    return make_settings(sim, database_path, quiet_hours="21:00-08:00")


@pytest.fixture
async def muster(settings: Settings, clock: ManualClock) -> AsyncIterator[MusterApp]:
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        yield app


def move_to(clock: ManualClock, moment: int) -> None:
    clock.advance(moment - clock.now())


async def fire_due(app: MusterApp, clock: ManualClock) -> int:
    """Runs the broadcast and reminder timers due by the story's clock, soonest first; how
    many ran."""
    assert app.job_queue is not None
    due = []
    for job in app.job_queue.jobs():
        at = job.next_t
        timer = (job.name or "").startswith(("broadcast-", "reminder-"))
        if timer and at is not None and at.timestamp() <= clock.now():
            due.append((at, job))
    for _, job in sorted(due, key=lambda pair: pair[0]):
        job.schedule_removal()
        await job.run(app)
    return len(due)


def texts(person: SimUser) -> list[str]:
    return [message.text for message in person.messages]


# --- one city ------------------------------------------------------------------------------


async def test_a_night_broadcast_asks_and_send_at_eight_waits_for_the_morning(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    clock: ManualClock,
    organizer: SimUser,
    seattle: City,
) -> None:
    """At 23:00 in Seattle, Send now asks; Send at 08:00 (pressed twice) schedules it once
    for 08:00 Seattle time, and nobody gets it before then. A supporter writing at 23:00 is
    answered at once: replies are never held."""
    people = await followers(sim, db, seattle, 3)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("🌙"))
    question = organizer.last
    assert ASKED in question.text
    assert question.labels() == ["🌅 Send at 08:00", "🚨 Send now anyway (urgent)", "Cancel"]
    await organizer.presses("🌅 Send at 08:00")
    await organizer.presses_data("bc:quiet:wait", message_id=question.message_id)
    await organizer.waits_for(lambda chat: "is scheduled for" in chat.last.text)
    assert "scheduled for Wed 16 Jan, 08:00 PST" in organizer.last.text
    await sim.idle()
    (waiting,) = await broadcast_store.in_state(db, State.SCHEDULED)
    assert (waiting.send_at, waiting.urgent) == (MORNING, False)

    owl = sim.user("Night owl")
    await owl.says("/start")
    assert "Muster" in (await owl.receives()).text

    move_to(clock, MORNING - 60)
    assert await fire_due(muster, clock) == 0
    await sim.idle()
    assert all(person.messages == [] for person in people)
    move_to(clock, MORNING)
    assert await fire_due(muster, clock) == 1
    assert await sim.wait_until(lambda: all(received(p, RALLY_HTML) for p in people), 10)
    await sim.idle()
    assert all(received(person, RALLY_HTML) == 1 for person in people)


async def test_send_now_anyway_goes_at_once_and_is_audited(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """An enforcement raid cannot wait: Send now anyway (urgent) reaches everyone at 23:00 and
    the audit log names who chose it."""
    people = await followers(sim, db, seattle, 3)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "🚨 Send now anyway (urgent)" in chat.last.labels())
    await organizer.presses("🚨 Send now anyway (urgent)")
    assert await sim.wait_until(lambda: all(received(p, RALLY_HTML) for p in people), 10)
    await organizer.waits_for(
        lambda chat: any(text.startswith("🚨 Urgent broadcast #") for text in texts(chat))
    )
    (sent,) = await broadcast_store.recent(db, limit=1)
    assert sent.urgent
    entries = [(entry.actor_id, entry.action, entry.detail) for entry in await audit.recent(db)]
    assert (organizer.id, "broadcast.urgent", f"broadcast={sent.id}") in entries


async def test_a_broadcast_at_noon_is_not_asked_about(
    sim: BotApiSimulator, db: Database, clock: ManualClock, organizer: SimUser, seattle: City
) -> None:
    """Outside quiet hours Send now sends, as it always did."""
    people = await followers(sim, db, seattle, 2)
    move_to(clock, NOON)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 2 of 2" in chat.last.text, timeout=10)
    assert not any(text.startswith("🌙") for text in texts(organizer))
    assert all(received(person, RALLY_HTML) == 1 for person in people)


async def test_a_time_scheduled_into_quiet_hours_is_asked_about_when_scheduling(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    clock: ManualClock,
    organizer: SimUser,
    seattle: City,
) -> None:
    """At noon Olga schedules for 23:30: she is asked, and her urgent answer keeps 23:30,
    where the timer then sends it without asking again."""
    people = await followers(sim, db, seattle, 2)
    move_to(clock, NOON)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("🕒 Schedule")
    await organizer.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
    await organizer.says("2030-01-15 23:30")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("🌙"))
    assert organizer.last.text.startswith("🌙 Tue 15 Jan, 23:30 PST falls in quiet hours in")
    assert organizer.last.labels() == [
        "🌅 Send at 08:00",
        "🚨 Send at 23:30 anyway (urgent)",
        "Cancel",
    ]
    await organizer.presses("🚨 Send at 23:30 anyway (urgent)")
    await organizer.waits_for(lambda chat: "scheduled for Tue 15 Jan, 23:30 PST" in chat.last.text)
    (waiting,) = await broadcast_store.in_state(db, State.SCHEDULED)
    assert waiting.urgent and waiting.send_at == seattle_time("2030-01-15 23:30")
    move_to(clock, waiting.send_at)
    assert await fire_due(muster, clock) == 1
    assert await sim.wait_until(lambda: all(received(p, RALLY_HTML) for p in people), 10)


async def test_a_broadcast_whose_time_came_in_quiet_hours_waits_and_its_author_is_told(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    clock: ManualClock,
    organizer: SimUser,
    seattle: City,
) -> None:
    """Scheduled for 23:30 while quiet hours were off (or elsewhere), it is checked again when
    its timer fires: it waits until 08:00, and Olga is told why."""
    people = await followers(sim, db, seattle, 2)
    at = seattle_time("2030-01-15 23:30")
    planned = await broadcast_store.create(db, organizer.id, seattle.id, Content(RALLY_HTML), at)
    await services_of(muster).broadcasts.arm(planned)
    organizer.mark_all_read()
    move_to(clock, at)
    assert await fire_due(muster, clock) == 1
    told = await organizer.receives()
    assert told.text == (
        f"🌙 Scheduled broadcast #{planned.id} came due during quiet hours in Seattle "
        "(21:00-08:00, local time), so it waits until Wed 16 Jan, 08:00 PST. /scheduled lists it."
    )
    await sim.idle()
    assert all(person.messages == [] for person in people)
    move_to(clock, MORNING)
    assert await fire_due(muster, clock) == 1
    assert await sim.wait_until(lambda: all(received(p, RALLY_HTML) for p in people), 10)


async def test_each_press_asks_again_who_may_send_there(
    sim: BotApiSimulator,
    db: Database,
    admin: SimUser,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Olga, moved to New York while the question waits, gets a refusal for Send now anyway;
    Nina, New York's organizer, forging the same press outside any broadcast, gets nothing
    done. Nobody is messaged and nothing urgent is recorded."""
    people = await followers(sim, db, seattle, 2)
    nina = sim.user("Nina")
    await nina.says("/start")
    await nina.receives()
    await organizer_store.promote(db, ADMIN_ID, nina.id, [new_york.id], all_cities=False)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "🚨 Send now anyway (urgent)" in chat.last.labels())
    await organizer_store.demote(db, ADMIN_ID, organizer.id)
    await organizer_store.promote(db, ADMIN_ID, organizer.id, [new_york.id], all_cities=False)
    press = await organizer.presses("🚨 Send now anyway (urgent)")
    await organizer.waits_for(
        lambda chat: any(a.callback_query_id == press for a in chat.callback_answers)
    )
    answer = next(a for a in organizer.callback_answers if a.callback_query_id == press)
    assert (answer.text, answer.show_alert) == ("You may not broadcast to that city.", True)
    forged = await nina.presses_data("bc:quiet:urgent")
    await nina.waits_for(
        lambda chat: any(a.callback_query_id == forged for a in chat.callback_answers)
    )
    await sim.idle()
    assert all(person.messages == [] for person in people)
    assert await broadcast_store.recent(db) == []
    assert "broadcast.urgent" not in [entry.action for entry in await audit.recent(db)]


# --- every city -----------------------------------------------------------------------------


async def writes_to_all_cities(admin: SimUser, text: str) -> None:
    """The admin goes from /broadcast to the preview of a message to every city."""
    await admin.says("/broadcast")
    await admin.receives()
    await admin.presses("🌎 All cities")
    await admin.waits_for(lambda chat: chat.last.text.startswith("Now send the message"))
    await admin.says(text)
    await admin.waits_for(lambda chat: "🌐 Add a language" in chat.last.labels())


async def split_report_of(admin: SimUser) -> str:
    """The edit that says who gets an all-cities broadcast now and who later (the status
    message of what goes now may come after it)."""
    marker = "Waiting for the end of quiet hours"
    await admin.waits_for(lambda chat: any(marker in text for text in texts(chat)))
    return next(text for text in texts(admin) if marker in text)


async def test_an_all_cities_broadcast_goes_now_where_it_is_day_and_at_eight_where_it_is_night(
    sim: BotApiSimulator, db: Database, muster: MusterApp, clock: ManualClock, admin: SimUser
) -> None:
    """At 12:00 UTC it is 04:00 in Seattle and 13:00 in Madrid: Madrid's followers get it now,
    Seattle's at 08:00 Seattle time, in their language, and someone following both gets it
    once, now. The admin is told who gets it now and who later, by city."""
    seattle = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    madrid = await city_store.add(db, "madrid", "Europe/Madrid", "Madrid")
    in_seattle = await followers(sim, db, seattle, 2)
    in_spanish = await followers(sim, db, seattle, 1, lang="es")
    in_madrid = await followers(sim, db, madrid, 2)
    (both,) = await followers(sim, db, madrid, 1)
    await city_store.follow(db, both.id, seattle.id)
    move_to(clock, seattle_time("2030-01-15 04:00"))
    eight = seattle_time("2030-01-15 08:00")

    await writes_to_all_cities(admin, "March at noon")
    await admin.presses("🌐 Add a language")
    await admin.waits_for(lambda chat: "Español" in chat.last.labels())
    await admin.presses("Español")
    await admin.waits_for(lambda chat: "Español" in chat.last.text)
    await admin.says("Marcha al mediodía")
    await admin.waits_for(lambda chat: "📣 Send now" in chat.last.labels())
    await admin.presses("📣 Send now")
    await admin.waits_for(lambda chat: chat.last.text.startswith("🌙"))
    assert admin.last.text.startswith(
        "🌙 It is quiet hours now (21:00-08:00, local time) in Seattle."
    )
    assert admin.last.labels()[:2] == ["🌅 Send at 08:00 local time", "🚨 Send now anyway (urgent)"]
    await admin.presses("🌅 Send at 08:00 local time")
    report = await split_report_of(admin)
    root, part = sorted(
        [*await broadcast_store.recent(db), *await broadcast_store.in_state(db, State.SCHEDULED)],
        key=lambda broadcast: broadcast.id,
    )
    assert report == (
        f"📣 Broadcast #{root.id} is on its way now to 3 supporters in Madrid.\n"
        "🌙 Waiting for the end of quiet hours:\n"
        f"Seattle: 3 supporters at Tue 15 Jan, 08:00 PST (#{part.id})"
    )
    assert (part.part_of, part.part_city_id, part.send_at) == (root.id, seattle.id, eight)
    assert await sim.wait_until(lambda: all(p.messages for p in [*in_madrid, both]), 10)
    await sim.idle()
    assert all(person.messages == [] for person in [*in_seattle, *in_spanish])

    admin.mark_all_read()
    await admin.says("/scheduled")
    listing = await admin.receives()
    assert listing.text.startswith(f"🕒 #{part.id} · all cities (Seattle) · Tue 15 Jan, 08:00 PST")

    move_to(clock, eight)
    assert await fire_due(muster, clock) == 1
    assert await sim.wait_until(lambda: all(p.messages for p in [*in_seattle, *in_spanish]), 10)
    await sim.idle()
    assert [texts(person) for person in in_seattle] == [["March at noon"]] * 2
    assert [texts(person) for person in in_spanish] == [["Marcha al mediodía"]]
    assert texts(both) == ["March at noon"]
    assert all(texts(person) == ["March at noon"] for person in in_madrid)


async def test_cancelling_what_goes_now_cancels_the_shares_still_waiting(
    sim: BotApiSimulator, db: Database, muster: MusterApp, clock: ManualClock, admin: SimUser
) -> None:
    """The admin's Cancel on the status message of what goes now stops Seattle's share too:
    nobody there gets it at 08:00."""
    seattle = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    madrid = await city_store.add(db, "madrid", "Europe/Madrid", "Madrid")
    in_seattle = await followers(sim, db, seattle, 2)
    await followers(sim, db, madrid, 150)
    move_to(clock, seattle_time("2030-01-15 04:00"))
    await writes_to_all_cities(admin, "March at noon")
    await admin.presses("📣 Send now")
    await admin.waits_for(lambda chat: "🌅 Send at 08:00 local time" in chat.last.labels())
    await admin.presses("🌅 Send at 08:00 local time")
    await split_report_of(admin)
    await admin.waits_for(lambda chat: "⏹ Cancel the rest" in chat.last.labels())
    await admin.presses("⏹ Cancel the rest")
    await admin.waits_for(lambda chat: "cancelled: sent to" in chat.last.text, timeout=10)
    assert await broadcast_store.in_state(db, State.SCHEDULED) == []
    move_to(clock, seattle_time("2030-01-15 08:00"))
    assert await fire_due(muster, clock) == 0
    await sim.idle()
    assert all(person.messages == [] for person in in_seattle)


# --- reminders ------------------------------------------------------------------------------


async def publish_with_yes(
    app: MusterApp, sim: BotApiSimulator, starts: int
) -> tuple[SimUser, int]:
    """An action in Seattle, published with one follower who said yes: (them, action id)."""
    services = services_of(app)
    city = await city_store.add(services.db, "seattle", "America/Los_Angeles", "Seattle")
    (yes,) = await followers(sim, services.db, city, 1)
    action = await action_store.create(
        services.db, None, city.id, "Vigil", starts, "Pier 62", "", None
    )
    await services.mobilizer.publish(action)
    await action_store.answer(services.db, action.id, yes.id, Answer.YES)
    await yes.waits_for(lambda chat: bool(chat.messages))
    return yes, action.id


def reminders(person: SimUser) -> list[str]:
    return [text for text in texts(person) if text.startswith("⏰")]


async def test_a_reminder_falling_at_23_moves_to_8(
    sim: BotApiSimulator, database_path: Path, clock: ManualClock
) -> None:
    """A vigil at 10:00 with reminders 11 hours and 1 hour before: the first, due at 23:00,
    moves to 08:00; the second stays at 09:00. Nothing comes at 23:00."""
    settings = make_settings(
        sim, database_path, quiet_hours="21:00-08:00", reminder_offsets="11h,1h"
    )
    move_to(clock, NOON)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        yes, action_id = await publish_with_yes(app, sim, seattle_time("2030-01-16 10:00"))
        planned = await action_store.pending_reminders(services_of(app).db, action_id)
        assert [reminder.due_at for reminder in planned] == [MORNING, MORNING + 3600]
        move_to(clock, NIGHT)
        assert await fire_due(app, clock) == 0
        move_to(clock, MORNING)
        assert await fire_due(app, clock) == 1
        await yes.waits_for(lambda chat: len(reminders(chat)) == 1)
        assert reminders(yes)[0].startswith("⏰ Reminder: Vigil is ")


async def test_a_reminder_that_could_only_move_past_the_start_goes_at_its_time(
    sim: BotApiSimulator, database_path: Path, clock: ManualClock
) -> None:
    """A dawn vigil at 07:00, reminded 8 hours before: 08:00 would be after the start, so the
    reminder goes at 23:00 as planned."""
    settings = make_settings(sim, database_path, quiet_hours="21:00-08:00", reminder_offsets="8h")
    move_to(clock, NOON)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        yes, action_id = await publish_with_yes(app, sim, seattle_time("2030-01-16 07:00"))
        (planned,) = await action_store.pending_reminders(services_of(app).db, action_id)
        assert planned.due_at == NIGHT
        move_to(clock, NIGHT)
        assert await fire_due(app, clock) == 1
        await yes.waits_for(lambda chat: len(reminders(chat)) == 1)


async def test_a_reminder_planned_before_quiet_hours_were_set_waits_when_its_timer_fires(
    sim: BotApiSimulator, database_path: Path, clock: ManualClock
) -> None:
    """Planned for 23:00 while QUIET_HOURS was off, then the bot restarted with 21:00-08:00:
    the timer at 23:00 sends nothing and moves the reminder to 08:00, when it goes."""
    move_to(clock, NOON)
    starts = seattle_time("2030-01-16 10:00")
    before = make_settings(sim, database_path, quiet_hours="off", reminder_offsets="11h")
    async with running(build_application(before, TOKEN, clock=clock), poll_timeout=1) as app:
        yes, action_id = await publish_with_yes(app, sim, starts)
    after = make_settings(sim, database_path, quiet_hours="21:00-08:00", reminder_offsets="11h")
    async with running(build_application(after, TOKEN, clock=clock), poll_timeout=1) as app:
        move_to(clock, NIGHT)
        assert await fire_due(app, clock) == 1
        (planned,) = await action_store.pending_reminders(services_of(app).db, action_id)
        assert planned.due_at == MORNING
        await sim.idle()
        assert reminders(yes) == []
        move_to(clock, MORNING)
        assert await fire_due(app, clock) == 1
        await yes.waits_for(lambda chat: len(reminders(chat)) == 1)


# --- the setting ----------------------------------------------------------------------------


async def test_quiet_hours_off_changes_nothing(
    sim: BotApiSimulator, database_path: Path, clock: ManualClock
) -> None:
    """With QUIET_HOURS=off a broadcast at 23:00 goes without a question and a reminder due at
    23:00 stays there."""
    settings = make_settings(sim, database_path, quiet_hours="off", reminder_offsets="11h")
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        move_to(clock, NOON)
        yes, action_id = await publish_with_yes(app, sim, seattle_time("2030-01-16 10:00"))
        (planned,) = await action_store.pending_reminders(services_of(app).db, action_id)
        assert planned.due_at == NIGHT
        move_to(clock, NIGHT)
        olga = sim.user("Olga")
        await olga.says("/start")
        await olga.receives()
        await organizer_store.promote(services_of(app).db, ADMIN_ID, olga.id, [1], all_cities=False)
        await compose(sim, olga, "Seattle")
        await olga.presses("📣 Send now")
        await olga.waits_for(lambda chat: "delivered to 1 of 1" in chat.last.text, timeout=10)
        assert not any(text.startswith("🌙") for text in texts(olga))
        assert received(yes, RALLY_HTML) == 1


def test_a_wrong_quiet_hours_value_exits_naming_it(tmp_path: Path) -> None:
    """QUIET_HOURS=9pm-7am stops start-up with status 2 and one line saying what is expected."""
    result = start_muster(tmp_path, QUIET_HOURS="9pm-7am", BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "muster: invalid setting: QUIET_HOURS: expected a local time window like 21:00-08:00 "
        "(start-end, 24-hour clock), or off"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21:00-08:00", QuietHours(wall(21), wall(8))),
        (" 13:00 - 14:30 ", QuietHours(wall(13), wall(14, 30))),
        ("OFF", None),
    ],
)
def test_quiet_hours_values_are_read(value: str, expected: QuietHours | None) -> None:
    """A window crossing midnight or not, with spaces, and off in any case."""
    assert parse_quiet_hours(value) == expected


@pytest.mark.parametrize("value", ["21:00", "21:00-08:00-09:00", "24:00-08:00", "08:00-08:00", ""])
def test_wrong_quiet_hours_values_are_refused(value: str) -> None:
    """A single time, a third, an hour past 23 and an empty window are refused."""
    with pytest.raises(ValueError, match="21:00-08:00"):
        parse_quiet_hours(value)


@pytest.mark.parametrize(
    ("window", "local", "held", "ends"),
    [
        ("21:00-08:00", "2030-01-15 20:59", False, None),
        ("21:00-08:00", "2030-01-15 21:00", True, "2030-01-16 08:00"),
        ("21:00-08:00", "2030-01-16 03:00", True, "2030-01-16 08:00"),
        ("21:00-08:00", "2030-01-16 08:00", False, None),
        ("13:00-14:00", "2030-01-15 13:30", True, "2030-01-15 14:00"),
        ("13:00-14:00", "2030-01-15 23:00", False, None),
        # The night the clocks go forward: 21:00 PST to 08:00 PDT, ten hours.
        ("21:00-08:00", "2030-03-09 22:00", True, "2030-03-10 08:00"),
    ],
)
def test_quiet_hours_are_read_on_the_citys_wall_clock(
    window: str, local: str, held: bool, ends: str | None
) -> None:
    """Whether a Seattle time is in the window, and when the window it is in ends there."""
    quiet = parse_quiet_hours(window)
    assert quiet is not None
    moment = seattle_time(local)
    assert quiet.holds(moment, SEATTLE) is held
    if ends is not None:
        assert quiet.end_after(moment, SEATTLE) == seattle_time(ends)
        assert quiet.defer(moment, SEATTLE) == seattle_time(ends)
        assert quiet.defer(moment, SEATTLE, deadline=seattle_time(ends)) == moment
    else:
        assert quiet.defer(moment, SEATTLE) == moment
