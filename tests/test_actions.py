"""Stories of actions: organizers announce them, supporters answer, reminders go out."""

from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.localtime import parse_local, show
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import actions as action_store
from storage import organizers as organizer_store
from storage.actions import Action, Answer
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings


async def announce(
    app: MusterApp, author: SimUser, city: City, starts_in: float, title: str
) -> Action:
    """An action created and published the way /newaction's Publish now does it."""
    services = services_of(app)
    action = await action_store.create(
        services.db, author.id, city.id, title, int(time.time() + starts_in), "City Hall", "", None
    )
    await services.mobilizer.publish(action)
    return action


def announced(organizer: SimUser) -> list[str]:
    return [m.text for m in organizer.messages if "is being announced to 3 followers" in m.text]


def cards(person: SimUser, title: str) -> list[str]:
    return [message.text for message in person.messages if title in message.text]


async def test_organizer_publishes_an_action_to_one_city(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """/newaction walks through city, title, time, place and details, previews the card, and
    Publish now announces it with RSVP buttons and a share link to Seattle's followers only."""
    seattle_people = await followers(sim, db, seattle, 3, lang="es")
    new_york_people = await followers(sim, db, new_york, 2)
    await organizer.says("/newaction")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
    organizer.mark_all_read()
    await organizer.says("Prime Day walkout")
    assert "America/Los_Angeles" in (await organizer.receives()).text
    await organizer.says("2027-03-14 02:30")
    assert "does not exist in America/Los_Angeles" in (await organizer.receives()).text
    await organizer.says("2027-07-13 06:00")
    assert (await organizer.receives()).text.startswith("Where?")
    await organizer.says("Amazon Spheres, 2111 7th Ave")
    await organizer.receives()
    await organizer.says("Bring water & a sign <3")
    assert (await organizer.receives()).text.startswith("👥 How many people can come?")
    await organizer.says("/skip")
    card = await organizer.receives()
    assert card.text.startswith("📢 Prime Day walkout\n🗓 Tue 13 Jul, 06:00 PDT\n📍 Amazon Spheres")
    assert "Bring water & a sign <3" in card.text
    assert (await organizer.receives()).text.startswith("☝️ This is how 3 followers")
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: bool(announced(chat)))
    (action,) = await action_store.upcoming(db)
    assert f"https://t.me/muster_test_bot?start=action-{action.id}" in announced(organizer)[0]
    for person in seattle_people:
        await person.waits_for(lambda chat: bool(chat.messages))
        assert person.last.labels() == ["Ahí estaré", "No puedo ir"]
        assert person.last.text.startswith("📢 Prime Day walkout\n🗓 mar 13 jul, 06:00 PDT")
        assert f"start=action-{action.id}" in person.last.text
    await sim.idle()
    assert all(person.messages == [] for person in new_york_people)


async def test_rsvp_records_changes_and_never_duplicates(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Yes, then no, then no again: one answer per person, shown on the same message; the
    organizer's /rsvps counts it."""
    (ana,) = await followers(sim, db, seattle, 1)
    action = await announce(muster, organizer, seattle, 3600, "Vigil")
    await ana.waits_for(lambda chat: bool(chat.messages))
    await ana.presses("I'll be there")
    await ana.waits_for(lambda chat: chat.last.text.endswith("Your answer: ✅ I'll be there"))
    assert ana.last.labels() == ["✅ I'll be there", "Can't make it"]
    await ana.presses("Can't make it")
    await ana.waits_for(lambda chat: chat.last.text.endswith("Your answer: ❌ Can't make it"))
    await ana.presses("✅ Can't make it")
    await sim.idle()
    assert len(ana.messages) == 1 and len(ana.callback_answers) == 3
    count = await action_store.headcount(db, action.id)
    assert (count.yes, count.no) == (0, 1)
    organizer.mark_all_read()
    await organizer.says(f"/rsvps {action.id}")
    assert "✅ 0 will be there · ❌ 1 can't make it" in (await organizer.receives()).text
    await organizer.says("/rsvps soon")
    assert (await organizer.receives()).text.startswith("Usage: /rsvps action_id")


async def test_actions_lists_upcoming_ones_in_my_cities_with_my_answer(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """/actions shows the supporter's cities' upcoming actions, soonest first, with answers."""
    (ben,) = await followers(sim, db, seattle, 1)
    later = await announce(muster, organizer, seattle, 7200, "March")
    await announce(muster, organizer, seattle, 3600, "Rally")
    await action_store.create(
        db, organizer.id, new_york.id, "Elsewhere", int(time.time()) + 60, "x", "", None
    )
    await action_store.answer(db, later.id, ben.id, Answer.YES)
    await sim.idle()
    ben.mark_all_read()
    await ben.says("/actions")
    first, second = await ben.receives(), await ben.receives()
    assert first.text.startswith("📢 Rally") and second.text.startswith("📢 March")
    assert second.text.endswith("Your answer: ✅ I'll be there")
    await sim.idle()
    assert len(ben.messages) == 4  # two announcements and the two cards


async def test_action_deep_link_for_new_unknown_and_past_actions(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """/start action-<id> registers a newcomer and shows the action; unknown or past ids get
    a clear reply."""
    action = await announce(muster, organizer, seattle, 3600, "Town hall")
    past = await action_store.create(
        db, organizer.id, seattle.id, "Old", int(time.time()) - 60, "x", "", None
    )
    cleo = sim.user("Cleo", lang="es")
    await cleo.says(f"/start action-{action.id}")
    card = await cleo.receives()
    assert card.text.startswith("📢 Town hall") and card.labels() == ["Ahí estaré", "No puedo ir"]
    await cleo.presses("Ahí estaré")
    await cleo.waits_for(lambda chat: chat.last.text.endswith("Tu respuesta: ✅ Ahí estaré"))
    for payload in ("action-999999", f"action-{past.id}"):
        await cleo.says(f"/start {payload}")
        assert (await cleo.receives()).text == "Esa acción no existe o ya se realizó."


async def test_buttons_after_the_start_record_nothing(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """Once the action began, a press says it is over and changes no answer. (The clock is
    moved past the start instead of waiting for it.)"""
    dan = seattle_followers[0]
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        db = services_of(app).db
        action = await action_store.create(
            db, None, 1, "Flash mob", int(clock.now()) + 3600, "City Hall", "", None
        )
        await services_of(app).mobilizer.publish(action)
        await dan.waits_for(lambda chat: bool(chat.messages))
        clock.advance(3601)
        await dan.presses("I'll be there")
        await dan.waits_for(lambda chat: chat.last.labels() == ["This action is over"])
        answer = dan.callback_answers[-1].text
        assert answer == "This action has already started: answers are closed."
        assert await action_store.answer_of(db, action.id, dan.id) is None


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    """Reminders 3 and 1.5 seconds before the start, so the stories run in seconds."""
    return make_settings(sim, database_path, reminder_offsets="3s,1s")


async def test_reminders_reach_only_the_active_yes_group(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Each offset reminds everyone who said yes; those who said no, paused, or never
    answered get nothing."""
    yes, no, paused, silent, blocked, erased = await followers(sim, db, seattle, 6)
    action = await announce(muster, organizer, seattle, 6, "Petition delivery")
    everyone = (yes, no, paused, silent, blocked, erased)
    for person in everyone:
        await person.waits_for(lambda chat: bool(chat.messages))
    for person in (yes, paused, blocked, erased):
        await person.presses("I'll be there")
    await no.presses("Can't make it")
    await paused.says("/stop")
    await blocked.blocks()
    await erased.says("/deleteme")
    await erased.waits_for(lambda chat: len(chat.last.labels()) == 2 and "erase" in chat.last.text)
    await erased.presses("Yes, erase everything")
    await erased.waits_for(lambda chat: chat.last.text.startswith("🗑"))
    await yes.waits_for(lambda chat: len(reminders(chat)) == 2, timeout=10)
    assert reminders(yes)[0].startswith("⏰ Reminder: Petition delivery is ")
    await sim.wait_until(lambda: time.time() > action.starts_at, 6)
    await sim.idle()
    assert [reminders(person) for person in everyone[1:]] == [[]] * 5


def reminders(person: SimUser) -> list[str]:
    return [message.text for message in person.messages if message.text.startswith("⏰")]


async def test_reminders_survive_a_restart_and_never_come_after_the_start(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """Reminders planned before a restart are re-armed from the database; one whose action
    began while the bot was down is never sent."""
    eli, fay = seattle_followers[:2]
    async with running(build_application(settings, TOKEN), poll_timeout=1) as first:
        db = services_of(first).db
        city = await db.fetch_one("SELECT id FROM cities")
        assert city is not None
        now = int(time.time())
        soon = await action_store.create(db, None, city[0], "Soon", now + 8, "A", "", None)
        brief = await action_store.create(db, None, city[0], "Brief", now + 3, "B", "", None)
        for action in (soon, brief):
            await services_of(first).mobilizer.publish(action)
            await action_store.answer(db, action.id, eli.id, Answer.YES)
            await action_store.answer(db, action.id, fay.id, Answer.YES)
    await sim.wait_until(lambda: time.time() > brief.starts_at + 0.5, 5)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await eli.waits_for(lambda chat: len(reminders(chat)) == 2, timeout=10)
        await sim.idle()
    assert all("Soon" in text for text in reminders(eli) + reminders(fay))
    assert len(reminders(fay)) == 2


async def test_time_change_and_cancellation_tell_the_yes_group_and_move_reminders(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Changing the time through /myactions tells everyone who said yes and moves their
    reminders; cancelling tells them too and drops the reminders."""
    yes, no = await followers(sim, db, seattle, 2)
    action = await announce(muster, organizer, seattle, 86400 * 3, "Sit-in")
    for person in (yes, no):
        await person.waits_for(lambda chat: bool(chat.messages))
    await yes.presses("I'll be there")
    await no.presses("Can't make it")
    await sim.idle()
    organizer.mark_all_read()
    await organizer.says("/myactions")
    listing = await organizer.receives()
    assert f"#{action.id} Sit-in · Seattle" in listing.text and "✅ 1 · ❌ 1" in listing.text
    await organizer.presses("🕒 Change time")
    await organizer.receives()
    await organizer.says("2030-01-15 17:30")
    assert (await organizer.receives()).text.startswith("Moved to Tue 15 Jan, 17:30 PST")
    await yes.waits_for(lambda chat: chat.last.text.startswith("🕒 Change of time: Sit-in"))
    pending = await action_store.pending_reminders(db, action.id)
    moved = await action_store.get(db, action.id)
    assert moved is not None
    assert sorted(r.due_at for r in pending) == [moved.starts_at - 3, moved.starts_at - 1]

    await organizer.presses("📍 Change place", message_id=listing.message_id)
    await organizer.receives()
    await organizer.says("Pioneer Square")
    await organizer.receives()
    await yes.waits_for(lambda chat: chat.last.text.startswith("📍 Change of place: Sit-in"))

    await organizer.presses("❌ Cancel action", message_id=listing.message_id)
    await organizer.receives()
    await organizer.presses("Yes, cancel it and tell everyone")
    await organizer.waits_for(lambda chat: "is cancelled" in chat.last.text)
    await yes.waits_for(lambda chat: chat.last.text.startswith("❌ Cancelled: Sit-in"))
    assert await action_store.pending_reminders(db, action.id) == []
    await sim.idle()
    assert len(no.messages) == 1  # only the announcement


async def test_publish_at_announces_later_and_a_missed_one_is_reported(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """An announcement set for a time goes out then; one whose time passed long ago while
    the bot was down is not sent, and its author is told."""
    (gil,) = await followers(sim, db, seattle, 1)
    mobilizer = services_of(muster).mobilizer
    now = int(time.time())
    later = await action_store.create(
        db, organizer.id, seattle.id, "Later", now + 3600, "P", "", now + 1
    )
    stale = await action_store.create(
        db, organizer.id, seattle.id, "Stale", now + 3600, "P", "", now - 7200
    )
    await mobilizer.arm_publication(later)
    await mobilizer.arm_publication(stale)
    await gil.waits_for(lambda chat: bool(cards(chat, "Later")))
    await organizer.waits_for(
        lambda chat: any("“Stale” was not announced" in m.text for m in chat.messages)
    )
    await sim.idle()
    assert cards(gil, "Stale") == []
    published = await action_store.get(db, later.id)
    assert published is not None and published.state.value == "published"


async def test_an_action_published_but_not_announced_is_announced_at_start_up(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """A crash between publishing and announcing leaves no action silent: start-up
    announces it, once."""
    db = Database(settings.database_path)
    await db.open()
    city = await db.fetch_one("SELECT id FROM cities")
    assert city is not None
    await action_store.create(
        db, None, city[0], "Interrupted", int(time.time()) + 3600, "P", "", None
    )
    await db.close()
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await sim.wait_until(lambda: all(cards(p, "Interrupted") for p in seattle_followers), 10)
        await sim.idle()
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await sim.idle()
    assert all(len(cards(person, "Interrupted")) == 1 for person in seattle_followers)


async def test_cancelling_stops_an_announcement_still_going_out(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Nobody else is invited once the action is cancelled."""
    people = await followers(sim, db, seattle, 150)
    action = await announce(muster, organizer, seattle, 3600, "Called off")
    await sim.wait_until(lambda: sum(len(cards(p, "Called off")) for p in people) >= 10, 10)
    current = await action_store.get(db, action.id)
    assert current is not None
    await services_of(muster).mobilizer.cancel(organizer.id, current)
    await sim.idle()
    invited = sum(len(cards(person, "Called off")) for person in people)
    assert 10 <= invited < 150


def reminded(people: list[SimUser]) -> int:
    return sum(len(reminders(person)) for person in people)


async def test_cancelling_stops_reminders_still_going_out(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """A reminder half-way through its yes-group when the organizer cancels goes no further:
    nobody is reminded of an action after being told it is cancelled."""
    people = [*seattle_followers, *await more_followers(sim, database_path, 55)]
    settings = make_settings(sim, database_path, reminder_offsets="20s")
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        services = services_of(app)
        action = await action_store.create(
            services.db, None, 1, "Vigil", int(time.time()) + 23, "Park", "", None
        )
        for person in people:
            await action_store.answer(services.db, action.id, person.id, Answer.YES)
        await services.mobilizer.publish(action)
        assert await sim.wait_until(lambda: reminded(people) >= 10, 15)
        current = await action_store.get(services.db, action.id)
        assert current is not None
        await services.mobilizer.cancel(1, current)
        await sim.wait_until(
            lambda: all(p.messages and p.last.text.startswith("❌") for p in people), 15
        )
        await sim.idle()
    assert 10 <= reminded(people) < len(people)
    for person in people:
        texts = [message.text for message in person.messages]
        cancelled_at = texts.index("❌ Cancelled: Vigil will not take place.")
        assert not any(text.startswith("⏰") for text in texts[cancelled_at:])


async def more_followers(sim: BotApiSimulator, database_path: Path, count: int) -> list[SimUser]:
    db = Database(database_path)
    await db.open()
    try:
        city = await db.fetch_one("SELECT id, slug, name, timezone FROM cities")
        assert city is not None
        return await followers(sim, db, City(*city), count)
    finally:
        await db.close()


async def test_a_change_reaches_the_announcement_still_going_out(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Followers still waiting for the announcement when the organizer moves the action get
    the new time and place; everyone gets it once."""
    people = await followers(sim, db, seattle, 60)
    action = await announce(muster, organizer, seattle, 86400 * 3, "March")
    mobilizer = services_of(muster).mobilizer
    await sim.wait_until(lambda: sum(len(cards(p, "March")) for p in people) >= 10, 10)
    await mobilizer.change_time(organizer.id, action, action.starts_at + 86400)
    moved = await action_store.get(db, action.id)
    assert moved is not None
    await sim.wait_until(lambda: sum(len(cards(p, "March")) for p in people) >= 25, 10)
    await mobilizer.change_place(organizer.id, moved, "Pioneer Square")
    await sim.wait_until(lambda: all(cards(p, "March") for p in people), 15)
    zone = await mobilizer.zone_of(action)
    old, new = show(action.starts_at, zone, "en"), show(moved.starts_at, zone, "en")
    sent = [cards(person, "March") for person in people]
    assert all(len(card) == 1 for card in sent)
    assert 10 <= sum(old in card[0] for card in sent) < 60
    assert new in sent[-1][0] and "Pioneer Square" in sent[-1][0]


async def test_a_reminder_already_sent_comes_again_only_when_the_action_moves_far(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """The 3s reminder went out. A nudge of one second later leaves it sent (the change
    notice says enough); a move well past its offset reminds the yes-group again, with the
    new time."""
    (hal,) = await followers(sim, db, seattle, 1)
    mobilizer = services_of(muster).mobilizer
    action = await announce(muster, organizer, seattle, 3.5, "Rally")
    await action_store.answer(db, action.id, hal.id, Answer.YES)
    await hal.waits_for(lambda chat: len(reminders(chat)) == 1, timeout=5)
    await mobilizer.change_time(organizer.id, action, action.starts_at + 1)
    assert [r.offset_seconds for r in await action_store.pending_reminders(db, action.id)] == [1]
    nudged = await action_store.get(db, action.id)
    assert nudged is not None
    await mobilizer.change_time(organizer.id, nudged, int(time.time()) + 7)
    moved = await action_store.get(db, action.id)
    assert moved is not None
    await hal.waits_for(lambda chat: len(reminders(chat)) == 3, timeout=10)
    when = show(moved.starts_at, await mobilizer.zone_of(moved), "en")
    assert all(when in text for text in reminders(hal)[1:])


async def test_reminders_fall_on_the_city_calendar_across_a_dst_switch(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """An action on the Sunday of the 2027 spring-forward in Seattle: its day-before reminder
    is Saturday at the same wall-clock time, its 2h reminder two real hours before."""
    settings = make_settings(sim, database_path, reminder_offsets="24h,2h")
    zone = ZoneInfo("America/Los_Angeles")
    starts = parse_local("2027-03-14 18:00", zone).timestamp
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        services = services_of(app)
        action = await action_store.create(services.db, None, 1, "Vigil", starts, "P", "", None)
        await services.mobilizer.publish(action)
        planned = await action_store.pending_reminders(services.db, action.id)
    assert [show(reminder.due_at, zone, "en") for reminder in planned] == [
        "Sat 13 Mar, 18:00 PST",
        "Sun 14 Mar, 16:00 PDT",
    ]


async def test_publish_now_after_the_start_passed_asks_for_a_new_start(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """The preview waited past the start: Publish now asks for a new start, keeps the rest of
    the draft, and shows the preview again."""
    await organizer.says("/newaction")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
    await organizer.says("Vigil")
    await organizer.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
    await organizer.says("2030-05-01 18:00")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Where?"))
    await organizer.says("City Hall")
    await organizer.waits_for(lambda chat: "/skip" in chat.last.text)
    await organizer.says("/skip")
    await organizer.waits_for(lambda chat: "How many people" in chat.last.text)
    await organizer.says("/skip")
    await organizer.waits_for(lambda chat: "📢 Publish now" in chat.last.labels())
    muster.user_data[organizer.id]["action_draft"].starts_at = int(time.time()) - 60
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("The start time passed"))
    assert "America/Los_Angeles" in organizer.last.text
    await organizer.says("2030-05-02 18:00")
    await organizer.waits_for(lambda chat: "📢 Publish now" in chat.last.labels())
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: bool(announced_to_nobody(chat)))
    (action,) = await action_store.upcoming(db)
    assert (action.title, action.place) == ("Vigil", "City Hall")
    assert show(action.starts_at, ZoneInfo(seattle.timezone), "en") == "Thu 2 May, 18:00 PDT"


def announced_to_nobody(organizer: SimUser) -> list[str]:
    return [m.text for m in organizer.messages if "is being announced to 0 followers" in m.text]


async def test_a_new_start_before_the_announcement_is_refused(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """An action to be announced on 1 May cannot be moved to start before then."""
    zone = ZoneInfo(seattle.timezone)
    publish_at = parse_local("2030-05-01 09:00", zone).timestamp
    starts = parse_local("2030-05-10 18:00", zone).timestamp
    await action_store.create(
        db, organizer.id, seattle.id, "Sit-in", starts, "P", "", publish_at=publish_at
    )
    await organizer.says("/myactions")
    await organizer.waits_for(lambda chat: "🕒 Change time" in chat.last.labels())
    await organizer.presses("🕒 Change time")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("New start time"))
    organizer.mark_all_read()
    await organizer.says("2030-04-30 18:00")
    reply = await organizer.receives()
    assert reply.text.startswith("The action is announced Wed 1 May, 09:00 PDT")
    assert "later time" in reply.text
    await organizer.says("2030-05-11 18:00")
    assert (await organizer.receives()).text.startswith("Moved to Sat 11 May, 18:00 PDT")


async def test_buttons_of_a_cancelled_action_say_it_was_cancelled(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """A press on an old card after cancellation records nothing and says why."""
    (ivy,) = await followers(sim, db, seattle, 1, lang="es")
    action = await announce(muster, organizer, seattle, 3600, "Picket")
    await ivy.waits_for(lambda chat: bool(chat.messages))
    await services_of(muster).mobilizer.cancel(organizer.id, action)
    await ivy.presses("Ahí estaré")
    await ivy.waits_for(lambda chat: chat.last.labels() == ["Esta acción se canceló"])
    assert (
        ivy.callback_answers[-1].text == "Esta acción se canceló: no se registran más respuestas."
    )
    assert await action_store.answer_of(db, action.id, ivy.id) is None


async def test_a_demoted_organizers_scheduled_action_is_not_announced(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Olga set an action to be announced in two seconds, then lost Seattle: it is withdrawn
    and she is told; nobody is invited."""
    (jo,) = await followers(sim, db, seattle, 1)
    now = int(time.time())
    action = await action_store.create(
        db, organizer.id, seattle.id, "Teach-in", now + 3600, "P", "", publish_at=now + 2
    )
    await services_of(muster).mobilizer.arm_publication(action)
    await organizer_store.demote(db, ADMIN_ID, organizer.id)
    await organizer.waits_for(lambda chat: "“Teach-in” was not announced" in chat.last.text)
    await sim.idle()
    assert jo.messages == []
    withdrawn = await action_store.get(db, action.id)
    assert withdrawn is not None and withdrawn.state.value == "cancelled"
    entries = [(entry.actor_id, entry.action, entry.detail) for entry in await audit.recent(db)]
    assert (None, "action.withdrawn", f"action={action.id}") in entries
