"""Stories of scheduled broadcasts: choosing a time, listing, cancelling, firing across a
restart, and ones missed while the bot was down."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.actions import ActionState
from storage.broadcasts import Content, State
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers
from tests.test_broadcast import RALLY_HTML, compose, received


async def test_schedule_conversation_checks_the_time_and_can_be_cancelled(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Unreadable, past and skipped local times each get a clear reply and a new chance; a
    doubled one takes the earlier and says so; /scheduled lists it and its button cancels."""
    people = await followers(sim, db, seattle, 2)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("🕒 Schedule")
    await organizer.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
    organizer.mark_all_read()
    replies = {
        "tomorrow at six": "I can't read that time",
        "2020-01-01 10:00": "has already passed in America/Los_Angeles",
        "2027-03-14 02:30": "does not exist in America/Los_Angeles",
    }
    for typed, expected in replies.items():
        await organizer.says(typed)
        assert expected in (await organizer.receives()).text
    await organizer.says("2027-11-07 01:30")
    scheduled = await organizer.receives()
    assert "scheduled for Sun 7 Nov, 01:30 PDT" in scheduled.text
    assert "happens twice" in scheduled.text
    (waiting,) = await broadcast_store.in_state(db, State.SCHEDULED)
    assert waiting.send_at == datetime(2027, 11, 7, 8, 30, tzinfo=UTC).timestamp()  # PDT 01:30

    await organizer.says("/scheduled")
    listing = await organizer.receives()
    assert listing.text.startswith(f"🕒 #{waiting.id} · Seattle · Sun 7 Nov, 01:30 PDT")
    await organizer.presses("Cancel this broadcast")
    await organizer.waits_for(lambda chat: "is cancelled" in chat.last.text)
    cancelled = await broadcast_store.get(db, waiting.id)
    assert cancelled is not None and cancelled.state is State.CANCELLED
    assert all(person.messages == [] for person in people)


async def test_scheduled_broadcast_fires_after_a_restart(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """A broadcast scheduled before a restart is re-armed from the database and sent once."""
    async with running(build_application(settings, TOKEN), poll_timeout=1) as first:
        db = first.bot_data["services"].db
        city = await city_store.find(db, "seattle")
        assert city is not None
        soon = int(time.time()) + 2
        broadcast = await broadcast_store.create(db, None, city.id, Content(RALLY_HTML), soon)
        await first.bot_data["services"].broadcasts.arm(broadcast)
    assert all(person.messages == [] for person in seattle_followers)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await sim.wait_until(lambda: all(p.messages for p in seattle_followers), 10)
        await sim.idle()
    assert all(received(person, RALLY_HTML) == 1 for person in seattle_followers)


async def test_scheduled_broadcast_of_a_demoted_organizer_is_cancelled_at_its_time(
    sim: BotApiSimulator,
    muster: MusterApp,
    db: Database,
    admin: SimUser,
    organizer: SimUser,
    seattle: City,
) -> None:
    """The author's reach is checked again when the time comes: Olga's broadcast, scheduled
    before she was demoted, goes to no one and she is told; the admin's still goes out."""
    people = await followers(sim, db, seattle, 3)
    scheduler = services_of(muster).broadcasts
    soon = int(time.time()) + 2
    olgas = await broadcast_store.create(db, organizer.id, seattle.id, Content("Pier rally"), soon)
    await scheduler.arm(olgas)
    admins = await broadcast_store.create(db, admin.id, None, Content(RALLY_HTML), soon)
    await scheduler.arm(admins)
    organizer.mark_all_read()

    await admin.says(f"/demote {organizer.id}")
    assert (await admin.receives()).text == f"{organizer.id} is no longer an organizer."
    await organizer.waits_for(lambda chat: f"#{olgas.id} for Seattle" in chat.last.text)
    assert organizer.last.text == (
        f"⚠️ Scheduled broadcast #{olgas.id} for Seattle was not sent and is cancelled: "
        "you may no longer send there."
    )
    await sim.wait_until(lambda: all(received(p, RALLY_HTML) for p in people), 10)
    await sim.idle()
    assert all(received(person, RALLY_HTML) == 1 for person in people)
    assert all(received(person, "Pier rally") == 0 for person in people)
    cancelled = await broadcast_store.get(db, olgas.id)
    assert cancelled is not None and cancelled.state is State.CANCELLED
    assert (await broadcast_store.counts(db, olgas.id)).total == 0
    entries = [(entry.action, entry.detail) for entry in await audit.recent(db)]
    assert ("broadcast.withdrawn", f"broadcast={olgas.id}") in entries


async def test_missed_broadcast_is_reported_and_a_slightly_late_one_sent(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """Down past MISSED_GRACE (1 hour): not sent, the author told. Ten minutes late: sent."""
    author = sim.user("Aida")
    author.seen = author.started = True
    db = Database(settings.database_path)
    await db.open()
    await supporter_store.arrive(db, author.id, "en", None)
    city = await city_store.find(db, "seattle")
    assert city is not None
    await organizer_store.promote(db, ADMIN_ID, author.id, [city.id], all_cities=False)
    now = int(time.time())
    missed = await broadcast_store.create(db, author.id, city.id, Content("old news"), now - 7200)
    late = await broadcast_store.create(db, author.id, city.id, Content(RALLY_HTML), now - 600)
    await db.close()

    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await author.waits_for(lambda chat: any("was not sent" in m.text for m in chat.messages))
        await sim.wait_until(lambda: all(p.messages for p in seattle_followers), 10)
        db = app.bot_data["services"].db
        found = await broadcast_store.get(db, missed.id)
        assert found is not None and found.state is State.MISSED
        assert f"#{missed.id} was not sent" in author.messages[0].text
        await sim.idle()
    assert all(received(person, RALLY_HTML) == 1 for person in seattle_followers)
    assert all(received(person, "old news") == 0 for person in seattle_followers)
    assert late.id != missed.id


async def test_missed_grace_setting_is_read(sim: BotApiSimulator, database_path: Path) -> None:
    """MISSED_GRACE takes durations like 15m."""
    from tests.conftest import make_settings

    assert make_settings(sim, database_path, missed_grace="15m").missed_grace.total_seconds() == 900


async def test_an_organizer_who_erases_their_data_leaves_nothing_scheduled(
    sim: BotApiSimulator, muster: MusterApp, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Olga scheduled a broadcast and an action announcement, then erased her data: neither
    goes out in the name of someone who left, and both are recorded as cancelled."""
    people = await followers(sim, db, seattle, 2)
    soon = int(time.time()) + 2
    services = services_of(muster)
    broadcast = await broadcast_store.create(db, organizer.id, seattle.id, Content("Pier"), soon)
    await services.broadcasts.arm(broadcast)
    action = await action_store.create(
        db, organizer.id, seattle.id, "Vigil", soon + 3600, "Park", "", publish_at=soon
    )
    await services.mobilizer.arm_publication(action)
    await organizer.says("/deleteme")
    await organizer.waits_for(lambda chat: "Yes, erase everything" in chat.last.labels())
    await organizer.presses("Yes, erase everything")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("🗑"))
    await sim.wait_until(lambda: time.time() > soon + 1, 5)
    await sim.idle()
    assert all(person.messages == [] for person in people)
    withdrawn = await broadcast_store.get(db, broadcast.id)
    assert withdrawn is not None and withdrawn.state is State.CANCELLED
    called_off = await action_store.get(db, action.id)
    assert called_off is not None and called_off.state is ActionState.CANCELLED
