"""What the delivery engine writes down for each recipient, and its edges: retries up to the
last attempt, the message id of each send, Telegram's reason for a refusal, a broadcast to
nobody, and who cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.delivery import Tuning
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import broadcasts as broadcast_store
from storage.broadcasts import Content, Outcome, State
from storage.cities import City
from tests.conftest import TOKEN, followers

ALERT = "<b>Walk out</b> at 3pm"


@pytest.fixture
async def muster(settings: Settings) -> AsyncIterator[MusterApp]:
    """Muster with quick retries (a hundredth of a second's backoff), four attempts a send."""
    tuning = Tuning(workers=1, backoff=0.01, max_attempts=4)
    async with running(build_application(settings, TOKEN, tuning), poll_timeout=1) as app:
        yield app


async def deliver(app: MusterApp, city: City | None = None) -> int:
    services = services_of(app)
    broadcast = await broadcast_store.create(
        services.db, None, city.id if city else None, Content(ALERT)
    )
    await services.engine.send_now(broadcast.id)
    await services.engine.wait(broadcast.id)
    return broadcast.id


@pytest.mark.parametrize("status", [0, 500, 502, 503, 504])
async def test_a_send_is_retried_up_to_its_last_attempt(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City, status: int
) -> None:
    """Three failures of a kind worth retrying, then the fourth attempt is delivered."""
    (ana,) = await followers(sim, db, seattle, 1)
    sim.fail_next("sendMessage", status, "Server trouble", count=3)
    broadcast_id = await deliver(muster, seattle)
    counts = await broadcast_store.counts(db, broadcast_id)
    assert counts[Outcome.SENT] == 1 and len(ana.messages) == 1


async def test_after_the_last_attempt_the_send_is_recorded_failed(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Four failures in a row: recorded failed with Telegram's reason, and the next person
    still gets the message."""
    ana, ben = await followers(sim, db, seattle, 2)
    sim.fail_next("sendMessage", 502, "Bad Gateway", count=4)
    broadcast_id = await deliver(muster, seattle)
    counts = await broadcast_store.counts(db, broadcast_id)
    assert (counts[Outcome.FAILED], counts[Outcome.SENT]) == (1, 1)
    assert (len(ana.messages), len(ben.messages)) == (0, 1)
    assert await broadcast_store.errors(db, broadcast_id) == ["Bad Gateway"]


async def test_each_send_keeps_its_message_id_and_each_block_its_reason(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """The row of a delivered message holds the id Telegram gave it; the row of someone who
    blocked the bot holds Telegram's words."""
    ana, ben = await followers(sim, db, seattle, 2)
    await ben.blocks()
    await sim.idle()
    broadcast_id = await deliver(muster, seattle)
    rows = await db.fetch_all(
        "SELECT user_id, status, message_id FROM deliveries WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    assert [(r["user_id"], r["status"], r["message_id"]) for r in rows] == [
        (ana.id, "sent", ana.last.message_id)
    ]  # Ben, unreachable once he blocked the bot, was not even listed
    await ben.unblocks()
    await ben.says("/start")
    await ben.receives()
    ben.blocked = True  # blocks again, and Telegram has not told the bot yet
    second = await deliver(muster, seattle)
    blocked = await db.fetch_all(
        "SELECT user_id, error FROM deliveries WHERE broadcast_id = ? AND status = 'blocked'",
        (second,),
    )
    assert [(r["user_id"], r["error"]) for r in blocked] == [
        (ben.id, "Forbidden: bot was blocked by the user")
    ]


async def test_a_broadcast_to_nobody_is_done_at_once(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """A city nobody follows: the broadcast finishes, with nothing sent."""
    broadcast_id = await deliver(muster, seattle)
    finished = await broadcast_store.get(db, broadcast_id)
    assert finished is not None and finished.state is State.DONE
    assert (await broadcast_store.counts(db, broadcast_id)).total == 0


async def test_cancel_is_on_record_with_who_did_it_and_a_second_cancel_is_refused(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, muster: MusterApp
) -> None:
    """Olga cancels a broadcast going out: the audit log says she did; pressing Cancel again,
    on a broadcast no longer going out, tells her so."""
    await followers(sim, db, seattle, 40)
    engine = services_of(muster).engine
    broadcast = await broadcast_store.create(db, organizer.id, seattle.id, Content(ALERT))
    await engine.send_now(broadcast.id)
    await organizer.waits_for(lambda chat: "⏹ Cancel the rest" in chat.last.labels())
    await organizer.presses("⏹ Cancel the rest")
    await organizer.waits_for(lambda chat: bool(chat.callback_answers))
    await engine.wait(broadcast.id)
    entries = [e for e in await audit.recent(db) if e.action == "broadcast.cancel"]
    assert [entry.actor_id for entry in entries] == [organizer.id]
    await organizer.presses_data(f"bc:stop:{broadcast.id}")
    await organizer.waits_for(lambda chat: len(chat.callback_answers) == 2)
    assert organizer.callback_answers[-1].text == "That broadcast is not running any more."
