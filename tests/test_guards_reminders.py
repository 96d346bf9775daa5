"""The guards around reminders and action cards, each met on its own: a reminder timer that
fires after its action began, who a reminder's recipient list holds, and the title in the
card."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_ADDED, EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import supporters as supporter_store
from storage.actions import Answer
from storage.cities import City
from storage.supporters import Status
from tests.conftest import TOKEN, followers, make_settings


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    """One reminder, two seconds before the start, so the stories run in seconds."""
    return make_settings(sim, database_path, reminder_offsets="2s")


def timer_finished(app: MusterApp, prefix: str) -> asyncio.Event:
    """An event set once a JobQueue timer whose name starts with prefix has run to its end;
    to be called before the application starts."""
    assert app.job_queue is not None
    scheduler = app.job_queue.scheduler
    names: dict[str, str] = {}
    finished = asyncio.Event()

    def added(event: Any) -> None:
        job = scheduler.get_job(event.job_id)
        if job is not None:
            names[event.job_id] = job.name

    def ran(event: Any) -> None:
        if names.get(event.job_id, "").startswith(prefix):
            finished.set()

    scheduler.add_listener(added, EVENT_JOB_ADDED)
    scheduler.add_listener(ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    return finished


def reminders(person: SimUser) -> list[str]:
    return [message.text for message in person.messages if message.text.startswith("⏰")]


async def test_a_reminder_timer_firing_after_the_start_makes_no_broadcast(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """Back after its action began (within MISSED_GRACE), the bot fires the reminder timer it
    re-arms at start-up, and that timer skips the reminder without making a broadcast."""
    ana = seattle_followers[0]
    db = Database(settings.database_path)
    await db.open()
    now = int(time.time())
    action = await action_store.create(db, None, 1, "Vigil", now - 30, "Park", "", None)
    await action_store.answer(db, action.id, ana.id, Answer.YES)
    async with db.transaction() as tx:  # left pending by a process that died before its time
        await tx.execute(
            "INSERT INTO reminders (action_id, offset_seconds, due_at, status) "
            "VALUES (?, 60, ?, 'pending')",
            (action.id, action.starts_at - 60),
        )
    await db.close()

    app = build_application(settings, TOKEN)
    fired = timer_finished(app, "reminder-")
    async with running(app, poll_timeout=1):
        await asyncio.wait_for(fired.wait(), 5)
        db = services_of(app).db
        assert await action_store.pending_reminders(db, action.id) == []
        assert await action_store.reminder_broadcasts(db, action.id) == []
        assert await broadcast_store.recent(db) == []
        await sim.idle()
    assert ana.messages == []


async def test_a_reminder_lists_only_the_yes_group_it_may_message(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Of Ana, Ben (paused) and Cy (unreachable), who all said yes, the reminder lists Ana
    alone as its recipient."""
    ana, ben, cy = await followers(sim, db, seattle, 3)
    now = int(time.time())
    action = await action_store.create(db, None, seattle.id, "Vigil", now + 4, "Park", "", None)
    for person in (ana, ben, cy):
        await action_store.answer(db, action.id, person.id, Answer.YES)
    await supporter_store.set_status(db, ben.id, Status.PAUSED)
    await supporter_store.set_status(db, cy.id, Status.UNREACHABLE)
    await services_of(muster).mobilizer.publish(action)
    await ana.waits_for(lambda chat: bool(reminders(chat)), timeout=6)
    ((_, reminder_id),) = await action_store.reminder_broadcasts(db, action.id)
    reminder = await broadcast_store.get(db, reminder_id)
    assert reminder is not None and reminder.total == 1
    assert (await broadcast_store.counts(db, reminder_id)).total == 1
    assert await action_store.yes_group(db, action.id) == [ana.id]
    await sim.idle()
    assert reminders(ben) == reminders(cy) == []


async def test_an_action_title_reads_as_typed_in_its_card(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """A title with markup characters is shown as typed in every follower's card, in either
    language, never read as formatting."""
    title = "Tea & <b>cake</b> <3"
    people = [*await followers(sim, db, seattle, 1), *await followers(sim, db, seattle, 1, "es")]
    action = await action_store.create(
        db, None, seattle.id, title, int(time.time()) + 86400, "Park", "", None
    )
    services = services_of(muster)
    await services.mobilizer.publish(action)
    announced = await action_store.get(db, action.id)
    assert announced is not None and announced.announcement_id is not None
    await services.engine.wait(announced.announcement_id)
    assert await broadcast_store.errors(db, announced.announcement_id) == []
    for person in people:
        assert person.last.text.startswith(f"📢 {title}\n🗓 ")
        assert person.last.entities[0] == {"type": "bold", "offset": 3, "length": len(title)}
