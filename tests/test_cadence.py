"""Stories of the reminder cadence: an organizer chooses, under the preview of a new action,
the reminders the best event tools send (the day before, the morning of, 30 minutes before)
or keeps REMINDER_OFFSETS; the reminders carry the RSVP buttons.

The clock is fixed (a ManualClock on Tuesday 15 January 2030, noon in Seattle) and moved by
the stories; fire_due runs the timers the clock has reached, as the JobQueue would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from domain.actions import Plan
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage.actions import Action, Answer, Cadence
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings
from tests.test_drafts import organizer_and_city
from tests.test_quiet_hours import NOON, fire_due, move_to, seattle_time

COMMON = "🔔 Day before, morning of, 30 min before"
DEFAULT = "↩️ Default reminders"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOON)


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    """Quiet hours as in production, on the stories' fixed clock; REMINDER_OFFSETS default."""
    return make_settings(sim, database_path, quiet_hours="21:00-08:00")


@pytest.fixture
async def muster(settings: Settings, clock: ManualClock) -> AsyncIterator[MusterApp]:
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        yield app


async def previews(organizer: SimUser, starts: str) -> SentMessage:
    """/newaction for Seattle up to the preview; the question under it."""
    await organizer.says("/newaction")
    await organizer.waits_for(
        lambda chat: any(m.text.startswith("📢 New action.") for m in chat.messages)
    )
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
    await organizer.says("Vigil")
    await organizer.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
    await organizer.says(starts)
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Where?"))
    await organizer.says("Pier 62")
    await organizer.waits_for(lambda chat: "/skip" in chat.last.text)
    await organizer.says("/skip")  # no details
    await organizer.waits_for(lambda chat: chat.last.text.startswith("👥 How many"))
    await organizer.says("/skip")  # no limit
    await organizer.waits_for(lambda chat: chat.last.text.startswith("☝️"))
    return organizer.last


def reminder_lines(question: SentMessage) -> list[str]:
    return [line[2:] for line in question.text.splitlines() if line.startswith("• ")]


async def planned(db: Database, action_id: int) -> list[tuple[int | None, str | None, int]]:
    """The action's pending reminders as (offset, wall time, due), soonest first."""
    return [
        (reminder.offset_seconds, reminder.at_local, reminder.due_at)
        for reminder in await action_store.pending_reminders(db, action_id)
    ]


async def published(db: Database) -> Action:
    (action,) = await action_store.upcoming(db)
    return action


async def test_the_cadence_button_plans_the_day_before_the_morning_of_and_30_minutes_before(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """For a vigil on Thursday at 18:00 the preview lists the default reminders (24h and 2h);
    the cadence button turns them into Wednesday 18:00, Thursday 09:00 and Thursday 17:30,
    shown on the preview, and Publish now plans exactly those three."""
    await followers(sim, db, seattle, 2)
    question = await previews(organizer, "2030-01-17 18:00")
    assert "🔔 2 reminders to everyone who says yes:" in question.text
    assert reminder_lines(question) == ["Wed 16 Jan, 18:00 PST", "Thu 17 Jan, 16:00 PST"]
    assert question.labels() == ["📢 Publish now", "🕒 Publish at…", COMMON, "Cancel"]

    await organizer.presses(COMMON)
    await organizer.waits_for(lambda chat: DEFAULT in chat.last.labels())
    assert organizer.last.message_id == question.message_id  # the question, edited
    assert "🔔 3 reminders to everyone who says yes:" in question.text
    assert reminder_lines(question) == [
        "Wed 16 Jan, 18:00 PST",
        "Thu 17 Jan, 09:00 PST",
        "Thu 17 Jan, 17:30 PST",
    ]
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: "is being announced" in chat.last.text)
    action = await published(db)
    assert action.cadence is Cadence.COMMON
    assert await planned(db, action.id) == [
        (86400, None, seattle_time("2030-01-16 18:00")),
        (None, "09:00", seattle_time("2030-01-17 09:00")),
        (1800, None, seattle_time("2030-01-17 17:30")),
    ]


async def test_an_action_at_ten_gets_no_morning_reminder(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A vigil on Thursday at 10:00 with the cadence button: the day before at 10:00 and 30
    minutes before, no 09:00 reminder an hour before the start."""
    await followers(sim, db, seattle, 1)
    question = await previews(organizer, "2030-01-17 10:00")
    await organizer.presses(COMMON)
    await organizer.waits_for(lambda chat: DEFAULT in chat.last.labels())
    assert reminder_lines(question) == ["Wed 16 Jan, 10:00 PST", "Thu 17 Jan, 09:30 PST"]
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: "is being announced" in chat.last.text)
    action = await published(db)
    assert await planned(db, action.id) == [
        (86400, None, seattle_time("2030-01-16 10:00")),
        (1800, None, seattle_time("2030-01-17 09:30")),
    ]


async def test_going_back_to_the_default_keeps_reminder_offsets(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """The cadence chosen, then Default reminders (pressed twice, edited once): the action gets
    REMINDER_OFFSETS' reminders, 24h and 2h before."""
    await followers(sim, db, seattle, 1)
    question = await previews(organizer, "2030-01-17 18:00")
    await organizer.presses(COMMON)
    await organizer.waits_for(lambda chat: DEFAULT in chat.last.labels())
    await organizer.presses(DEFAULT)
    await organizer.waits_for(lambda chat: COMMON in chat.last.labels())
    await organizer.presses_data("na:remind:default", message_id=question.message_id)
    await sim.idle()
    assert question.edited == 2
    assert reminder_lines(question) == ["Wed 16 Jan, 18:00 PST", "Thu 17 Jan, 16:00 PST"]
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: "is being announced" in chat.last.text)
    action = await published(db)
    assert action.cadence is Cadence.DEFAULT
    assert [offset for offset, _, _ in await planned(db, action.id)] == [86400, 7200]


async def test_a_restart_between_choosing_and_publishing_keeps_the_choice(
    sim: BotApiSimulator, settings: Settings, clock: ManualClock
) -> None:
    """The cadence is chosen, the bot restarts, and Publish now on the same question plans
    the day before, the morning of and 30 minutes before: the choice was in the draft."""
    olga = await organizer_and_city(sim, settings.database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1):
        question = await previews(olga, "2030-01-17 18:00")
        await olga.presses(COMMON)
        await olga.waits_for(lambda chat: DEFAULT in chat.last.labels())
        await sim.idle()
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        await olga.presses("📢 Publish now", message_id=question.message_id)
        await olga.waits_for(lambda chat: "is being announced" in chat.last.text)
        db = services_of(app).db
        action = await published(db)
        assert action.cadence is Cadence.COMMON
        assert [(offset, at) for offset, at, _ in await planned(db, action.id)] == [
            (86400, None),
            (None, "09:00"),
            (1800, None),
        ]


async def test_publish_at_a_later_time_plans_the_chosen_cadence_then(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    clock: ManualClock,
    organizer: SimUser,
    seattle: City,
) -> None:
    """The cadence chosen, then Publish at… Wednesday 10:00: the scheduled action keeps the
    choice, and its publication then plans the day before, the morning of and 30 minutes
    before."""
    (ana,) = await followers(sim, db, seattle, 1)
    await previews(organizer, "2030-01-17 18:00")
    await organizer.presses(COMMON)
    await organizer.waits_for(lambda chat: DEFAULT in chat.last.labels())
    await organizer.presses("🕒 Publish at…")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("When should it be"))
    await organizer.says("2030-01-16 10:00")
    await organizer.waits_for(lambda chat: "will be announced" in chat.last.text)
    (action,) = await action_store.upcoming(db)
    assert action.cadence is Cadence.COMMON
    assert await planned(db, action.id) == []

    move_to(clock, seattle_time("2030-01-16 10:00"))
    assert muster.job_queue is not None
    (publication,) = muster.job_queue.get_jobs_by_name(f"publish-{action.id}")
    await publication.run(muster)
    await ana.waits_for(lambda chat: bool(chat.messages))
    assert [(offset, at) for offset, at, _ in await planned(db, action.id)] == [
        (86400, None),
        (None, "09:00"),
        (1800, None),
    ]


async def publish(app: MusterApp, city: City, starts: str, cadence: Cadence) -> Action:
    """An action in the city, published as Publish now does it."""
    plan = Plan(city.id, "Vigil", seattle_time(starts), "Pier 62", "", cadence)
    action, _ = await services_of(app).mobilizer.publish_new(ADMIN_ID, plan)
    return action


async def test_a_time_change_replans_the_chosen_cadence(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Moved from Thursday 10:00 (no morning reminder) to Friday 18:00 through /myactions, an
    action with the common cadence is reminded Thursday 18:00, Friday 09:00 and 17:30."""
    action = await publish(muster, seattle, "2030-01-17 10:00", Cadence.COMMON)
    assert [at for _, at, _ in await planned(db, action.id)] == [None, None]
    organizer.mark_all_read()
    await organizer.says("/myactions")
    await organizer.receives()
    await organizer.presses("🕒 Change time")
    await organizer.receives()
    await organizer.says("2030-01-18 18:00")
    assert (await organizer.receives()).text.startswith("Moved to Fri 18 Jan, 18:00 PST")
    assert await planned(db, action.id) == [
        (86400, None, seattle_time("2030-01-17 18:00")),
        (None, "09:00", seattle_time("2030-01-18 09:00")),
        (1800, None, seattle_time("2030-01-18 17:30")),
    ]


async def test_the_common_cadence_keeps_quiet_hours(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """A late vigil, Thursday 22:00: the day-before reminder (Wednesday 22:00, quiet hours)
    moves to Thursday 08:00; 09:00 stays; 21:30 stays too, since the end of quiet hours
    would be after the start."""
    action = await publish(muster, seattle, "2030-01-17 22:00", Cadence.COMMON)
    assert [due for _, _, due in await planned(db, action.id)] == [
        seattle_time("2030-01-17 08:00"),
        seattle_time("2030-01-17 09:00"),
        seattle_time("2030-01-17 21:30"),
    ]


def reminders(person: SimUser) -> list[SentMessage]:
    return [message for message in person.messages if message.text.startswith("⏰")]


async def test_a_reminder_carries_the_rsvp_buttons_and_cant_make_it_on_it_counts(
    sim: BotApiSimulator, db: Database, muster: MusterApp, clock: ManualClock, seattle: City
) -> None:
    """The day-before reminder comes in each reader's language with the card's buttons;
    Can't make it on it records the answer and turns the reminder into the card showing it
    (a second press edits nothing), and the morning reminder then goes only to who still
    says yes."""
    (ana,) = await followers(sim, db, seattle, 1)
    (bea,) = await followers(sim, db, seattle, 1, lang="es")
    action = await publish(muster, seattle, "2030-01-17 18:00", Cadence.COMMON)
    for person in (ana, bea):
        await person.waits_for(lambda chat: bool(chat.messages))
        await person.presses(person.last.labels()[0])  # I'll be there
    await sim.idle()

    move_to(clock, seattle_time("2030-01-16 18:00"))
    assert await fire_due(muster, clock) == 1
    await ana.waits_for(lambda chat: len(reminders(chat)) == 1)
    await bea.waits_for(lambda chat: len(reminders(chat)) == 1)
    (reminder,) = reminders(ana)
    assert reminder.text.startswith("⏰ Reminder: Vigil is Thu 17 Jan, 18:00 PST")
    assert reminder.labels() == ["I'll be there", "Can't make it"]
    assert reminders(bea)[0].text.startswith("⏰ Recordatorio: Vigil es el jue 17 ene")
    assert reminders(bea)[0].labels() == ["Ahí estaré", "No puedo ir"]

    await ana.presses("Can't make it", message_id=reminder.message_id)
    await ana.waits_for(lambda _: reminder.text.endswith("Your answer: ❌ Can't make it"))
    assert reminder.text.startswith("📢 Vigil\n🗓 Thu 17 Jan, 18:00 PST")  # now the card
    assert reminder.labels() == ["I'll be there", "✅ Can't make it"]
    assert await action_store.answer_of(db, action.id, ana.id) is Answer.NO
    await ana.presses("✅ Can't make it", message_id=reminder.message_id)
    await sim.idle()
    assert reminder.edited == 1

    move_to(clock, seattle_time("2030-01-17 09:00"))
    assert await fire_due(muster, clock) == 1
    await bea.waits_for(lambda chat: len(reminders(chat)) == 2)
    await sim.idle()
    assert len(ana.messages) == 2  # the announcement and the reminder she answered on


async def test_who_says_yes_after_a_reminder_went_out_does_not_get_that_one(
    sim: BotApiSimulator, db: Database, muster: MusterApp, clock: ManualClock, seattle: City
) -> None:
    """Ana said yes before the day-before reminder, Ben after it: Ben gets only the morning
    reminder, Ana both."""
    ana, ben = await followers(sim, db, seattle, 2)
    await publish(muster, seattle, "2030-01-17 18:00", Cadence.COMMON)
    for person in (ana, ben):
        await person.waits_for(lambda chat: bool(chat.messages))
    await ana.presses("I'll be there")
    await sim.idle()

    move_to(clock, seattle_time("2030-01-16 18:00"))
    assert await fire_due(muster, clock) == 1
    await ana.waits_for(lambda chat: len(reminders(chat)) == 1)
    await ben.presses("I'll be there")
    await ben.waits_for(lambda chat: chat.last.text.endswith("Your answer: ✅ I'll be there"))
    await sim.idle()
    assert reminders(ben) == []

    move_to(clock, seattle_time("2030-01-17 09:00"))
    assert await fire_due(muster, clock) == 1
    await ben.waits_for(lambda chat: len(reminders(chat)) == 1)
    await ana.waits_for(lambda chat: len(reminders(chat)) == 2)
    assert "Thu 17 Jan, 18:00 PST" in reminders(ben)[0].text
