"""Stories of drafts that outlive the process: an organizer half-way through /newaction or
/broadcast when the bot is killed carries on where they stopped once it is back."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.runtime import running
from bot.settings import Settings
from domain.drafts import KEEP_FOR, ActionDraft, BroadcastDraft, Drafts
from handlers.actions import TITLE, WHEN
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import drafts as draft_store
from storage import inbox as inbox_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.broadcasts import Content, Version
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings, muster_process
from tests.test_broadcast import begins_broadcast


def draft_step(database_path: Path) -> int | None:
    """The step of the one action draft, read as another process would."""
    with sqlite3.connect(database_path) as connection:
        row = connection.execute("SELECT step FROM drafts WHERE kind = 'action'").fetchone()
    return int(row[0]) if row else None


async def organizer_and_city(sim: BotApiSimulator, database_path: Path) -> SimUser:
    """Olga organizes in Seattle, which has a follower; written before any bot runs."""
    db = Database(database_path)
    await db.open()
    seattle = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    await followers(sim, db, seattle, 1)
    olga = sim.user("Olga")
    olga.seen = olga.started = True
    await supporter_store.arrive(db, olga.id, "en", source=None)
    await organizer_store.promote(db, ADMIN_ID, olga.id, [seattle.id], all_cities=False)
    await db.close()
    return olga


async def test_a_killed_bot_continues_newaction_where_it_stopped(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """Killed (SIGKILL) after the title of a /newaction, the bot comes back and takes the next
    message as the start time of the same draft, then the place, and publishes it."""
    olga = await organizer_and_city(sim, settings.database_path)
    process = await muster_process(sim, settings)
    try:
        await olga.says("/newaction")
        await olga.waits_for(
            lambda chat: any("Seattle" in m.labels() for m in chat.messages), timeout=30
        )
        await olga.presses("Seattle")
        await olga.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
        await olga.says("Vigil for the families")
        await olga.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
        # The step is written right after its reply is sent; a kill between the two would
        # cost that one step, so the story waits for the write, then kills.
        assert await sim.wait_until(lambda: draft_step(settings.database_path) == WHEN, 10)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        olga.mark_all_read()
        await olga.says("2030-05-01 18:00")
        # The restarted bot first replays its inbox: under load that takes seconds.
        assert (await olga.receives(timeout=20)).text.startswith("Where?")
        await olga.says("City Hall")
        await olga.waits_for(lambda chat: "/skip" in chat.last.text)
        await olga.says("/skip")
        await olga.waits_for(lambda chat: "How many people" in chat.last.text)
        await olga.says("/skip")
        await olga.waits_for(lambda chat: "📢 Publish now" in chat.last.labels())
        await olga.presses("📢 Publish now")
        await olga.waits_for(lambda chat: "is being announced" in chat.last.text)
        (action,) = await action_store.upcoming(services_of(app).db)
    assert (action.title, action.place) == ("Vigil for the families", "City Hall")


async def test_a_broadcast_draft_survives_a_restart_and_sending_drops_it(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """Written but not yet sent when the bot restarts: the preview's Send now still works, and
    once sent nothing of the draft is left."""
    olga = await organizer_and_city(sim, settings.database_path)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await begins_broadcast(olga, "Seattle")
        await olga.says("Rally at noon")
        await olga.waits_for(lambda chat: "📣 Send now" in chat.last.labels())
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await olga.presses("📣 Send now")
        await olga.waits_for(lambda chat: "delivered to 1 of 1" in chat.last.text, timeout=10)
        steps = await services_of(app).drafts.steps("broadcast")
    assert steps == {}


async def test_drafts_older_than_a_day_are_dropped_and_erasure_takes_them(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A draft untouched for a day is gone at the next start, so the next message is not read
    as part of it; /deleteme erases a fresh one with everything else."""
    olga = await organizer_and_city(sim, database_path)
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        await olga.says("/newaction")
        await olga.receives()
        await olga.presses("Seattle")
        await olga.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
        drafts = services_of(app).drafts
        assert await sim.wait_until(lambda: draft_step(database_path) == TITLE, 5)
        assert await drafts.steps("action") == {olga.id: TITLE}
    clock.advance(KEEP_FOR + 1)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        assert await services_of(app).drafts.steps("action") == {}
        olga.mark_all_read()
        await olga.says("Vigil")
        assert "I only understand commands" in (await olga.receives()).text
        await olga.says("/newaction")
        await olga.receives()
        await olga.presses("Seattle")
        await olga.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
        await olga.says("/deleteme")
        await olga.receives()
        await olga.presses("Yes, erase everything")
        await olga.waits_for(lambda chat: "erased" in chat.last.text)
        await asyncio.sleep(0)
        assert await services_of(app).drafts.steps("action") == {}


async def test_a_step_whose_draft_is_gone_ends_the_conversation(
    sim: BotApiSimulator, db: Database, admin: SimUser, seattle: City
) -> None:
    """An admin erases their data from an older /deleteme message while composing for
    Seattle: the text they type next is not sent anywhere (an empty draft would mean every
    city); they are told the draft is gone, and nothing of it is written back."""
    await followers(sim, db, seattle, 2)
    await admin.says("/start")
    await admin.receives()
    await admin.says("/deleteme")
    confirm = await admin.receives()
    await begins_broadcast(admin, "Seattle")
    await admin.presses("Yes, erase everything", message_id=confirm.message_id)
    await admin.waits_for(lambda chat: any("erased" in m.text for m in chat.messages))
    await admin.says("Rally at noon")
    await admin.waits_for(lambda chat: chat.last.text.startswith("That draft is no longer here"))
    await sim.idle()
    assert await broadcast_store.recent(db) == []
    assert await draft_store.get(db, admin.id, "broadcast", since=0) is None


async def test_a_failing_step_is_not_taken_by_anything_else(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """When the preview of a broadcast cannot be sent, the organizer gets the apology and
    nothing more: the failed message is not answered again as stray text."""
    await followers(sim, db, seattle, 1)
    await begins_broadcast(organizer, "Seattle")
    organizer.mark_all_read()
    sim.fail_next("sendMessage", 400, "Bad Request: something odd", count=1)
    await organizer.says("Rally at noon")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Sorry, something went"))
    await sim.idle()
    assert not any("I only understand commands" in m.text for m in organizer.messages)


async def test_an_action_draft_leaves_the_broadcast_drafts_versions_alone(db: Database) -> None:
    """Versions belong to the broadcast draft: saving an action draft keeps them."""
    drafts = Drafts(db, ManualClock())
    content = Content("March", versions={"es": Version("Marcha")})
    await drafts.save(7, BroadcastDraft(1, content), step=2)
    await drafts.save(7, ActionDraft(city_id=1, title="Vigil"), step=1)
    loaded = await drafts.load(7, "broadcast")
    assert isinstance(loaded, BroadcastDraft) and loaded.content is not None
    assert loaded.content.versions == {"es": Version("Marcha")}


async def test_an_answer_handed_over_again_after_a_crash_is_not_read_twice(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """A process killed after handling Olga's title, before the inbox let go of it, hands
    the title over again after the restart (handling is at least once). The step it took is
    not taken again: her next message is still read as the start time."""
    olga = await organizer_and_city(sim, settings.database_path)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await olga.says("/newaction")
        await olga.waits_for(lambda chat: any("Seattle" in m.labels() for m in chat.messages))
        await olga.presses("Seattle")
        await olga.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))
        await olga.says("Vigil for the families")
        title_update = sim.stats.updates_enqueued
        await olga.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
        said = olga._last_own_message
        assert said is not None
        await sim.idle()
    # What a kill at the wrong moment leaves: the handled title still in the inbox.
    db = Database(settings.database_path)
    await db.open()
    body = json.dumps({"update_id": title_update, "message": sim.message_json(said)})
    await inbox_store.keep(db, [(title_update, body)], ())
    await db.close()
    answered = len(olga.messages)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await sim.idle()
        assert len(olga.messages) == answered  # the title, handed over again, said nothing
        olga.mark_all_read()
        await olga.says("2030-05-01 18:00")
        assert (await olga.receives(timeout=20)).text.startswith("Where?")
