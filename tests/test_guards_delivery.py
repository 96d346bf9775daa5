"""The delivery engine's own guards, each met on its own: a 429's pause, the bound on sends
not yet recorded, the last write of outcomes when a delivery is cut off, and the expiry that
stops a reminder at its action's start. The simulator notes when it accepted every message."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import pytest

from bot import delivery
from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.delivery import Tuning
from bot.runtime import running
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage.broadcasts import Content, Outcome, State
from storage.cities import City
from tests.conftest import TOKEN, followers, make_settings

ALERT = "<b>Walk out</b> at 3pm"


@dataclass(frozen=True, slots=True)
class Accepted:
    """A message the simulator accepted, and when (both clocks)."""

    chat_id: int
    at: float  # time.monotonic()
    wall: float  # time.time(), to compare with a broadcast's expires_at


@pytest.fixture
def accepted() -> list[Accepted]:
    return []


@pytest.fixture
async def sim(accepted: list[Accepted]) -> AsyncIterator[BotApiSimulator]:
    """The simulator, noting the moment it accepted each message the bot sent."""

    def note(message: SentMessage) -> None:
        accepted.append(Accepted(message.chat_id, time.monotonic(), time.time()))

    simulator = BotApiSimulator(token=TOKEN, on_send=note)
    await simulator.start()
    yield simulator
    await simulator.stop()


def delivered(people: list[SimUser]) -> int:
    return sum(len(person.messages) for person in people)


async def sent_rows(connection: aiosqlite.Connection, broadcast_id: int) -> int:
    async with connection.execute(
        "SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND status = 'sent'",
        (broadcast_id,),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_a_429_holds_every_bulk_send_for_its_retry_after(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    seattle: City,
    accepted: list[Accepted],
) -> None:
    """Telegram refuses one send with retry_after 1 and the simulator accepts no bulk send in
    the second that follows, after which everyone, the refused one included, gets it once."""
    people = await followers(sim, db, seattle, 20)
    engine = services_of(muster).engine
    broadcast = await broadcast_store.create(db, None, seattle.id, Content(ALERT))
    await engine.send_now(broadcast.id)
    assert await sim.wait_until(lambda: len(accepted) >= 3, 5)
    sim.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    assert await sim.wait_until(lambda: sim.stats.rejected_429 == 1, 5)
    refused_at = time.monotonic()
    await engine.wait(broadcast.id)
    # A send already on its way when the 429 came may land just after it; none may start
    # until the second is over.
    inside = [
        round(send.at - refused_at, 3)
        for send in accepted
        if refused_at + 0.1 < send.at < refused_at + 0.9
    ]
    assert inside == [], f"sends accepted during the pause, seconds after the 429: {inside}"
    assert all(len(person.messages) == 1 for person in people)
    assert sim.stats.rejected_429 == 1


async def test_sends_wait_while_the_database_cannot_take_their_outcomes(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """While another write holds the database for two seconds mid-broadcast, no more sends go
    out than the stated bound on sends begun and not yet recorded, and the rest follow once
    it is free."""
    people = await followers(sim, db, seattle, 40)
    engine = services_of(muster).engine
    bound = engine.tuning.unrecorded
    broadcast = await broadcast_store.create(db, None, seattle.id, Content(ALERT))
    await engine.send_now(broadcast.id)
    assert await sim.wait_until(lambda: delivered(people) >= 1, 5)
    async with db.transaction() as slow_write:
        recorded = await sent_rows(slow_write, broadcast.id)
        await sim.wait_until(lambda: delivered(people) - recorded > bound, 2)
        unrecorded = delivered(people) - recorded
    assert 0 < unrecorded <= bound, f"{unrecorded} sent and unrecorded, bound {bound}"
    await engine.wait(broadcast.id)
    assert all(len(person.messages) == 1 for person in people)
    counts = await broadcast_store.counts(db, broadcast.id)
    assert counts[Outcome.SENT] == 40


async def test_a_stop_that_outlives_its_grace_period_still_records_what_was_sent(
    sim: BotApiSimulator,
    database_path: Path,
    seattle_followers: list[SimUser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A delivery cut off when the stop's grace period (shortened here) runs out still writes
    down the three sends it holds unrecorded, so the next start reaches only the other two."""
    monkeypatch.setattr(delivery, "STOP_GRACE", 0.5)
    settings = make_settings(sim, database_path)
    held = Tuning(workers=2, flush_interval=30.0, unrecorded=3)
    async with running(build_application(settings, TOKEN, held), poll_timeout=1) as app:
        services = services_of(app)
        broadcast = await broadcast_store.create(services.db, None, 1, Content(ALERT))
        await services.engine.send_now(broadcast.id)
        assert await sim.wait_until(lambda: delivered(seattle_followers) == 3, 5)
    reached = {person.id for person in seattle_followers if person.messages}

    check = Database(database_path)
    await check.open()
    try:
        counts = await broadcast_store.counts(check, broadcast.id)
        assert (counts[Outcome.SENT], counts[Outcome.PENDING]) == (3, 2)
        stopped = await broadcast_store.get(check, broadcast.id)
        assert stopped is not None and stopped.state is State.SENDING
        pending = await broadcast_store.pending(check, broadcast.id, 0, 10)
        assert {user_id for user_id, _ in pending}.isdisjoint(reached)
    finally:
        await check.close()

    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        assert await sim.wait_until(lambda: delivered(seattle_followers) >= 5, 5)
        await services_of(app).engine.wait(broadcast.id)
        await sim.idle()
    assert [len(person.messages) for person in seattle_followers] == [1] * 5


async def test_a_reminder_still_going_out_when_its_action_starts_stops_there(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    seattle: City,
    accepted: list[Accepted],
) -> None:
    """A reminder to 75 people that would need three seconds but expires at its action's
    start, one or two seconds away, stops there, and those not reached are recorded as
    cancelled."""
    people = await followers(sim, db, seattle, 75)
    starts_at = int(time.time()) + 2
    reminder = await broadcast_store.create_direct(
        db,
        seattle.id,
        Content("⏰ Reminder: <b>Vigil</b> starts now"),
        [person.id for person in people],
        expires_at=starts_at,
        purpose="action.reminder",
    )
    engine = services_of(muster).engine
    await engine.launch(reminder.id)
    await engine.wait(reminder.id)
    late = [round(send.wall - starts_at, 3) for send in accepted if send.wall >= starts_at + 0.1]
    assert late == [], f"sends accepted after the start, seconds late: {late}"
    reached = delivered(people)
    assert 0 < reached < 75
    counts = await broadcast_store.counts(db, reminder.id)
    assert (counts[Outcome.SENT], counts[Outcome.CANCELLED]) == (reached, 75 - reached)
    stopped = await broadcast_store.get(db, reminder.id)
    assert stopped is not None and stopped.state is State.CANCELLED
