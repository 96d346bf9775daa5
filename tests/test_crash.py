"""A hard kill mid-broadcast: the next process finishes the job, duplicates stay in bound."""

from __future__ import annotations

import asyncio
import signal

from bot.app import build_application
from bot.delivery import Tuning
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.broadcasts import Content, Outcome, State
from tests.conftest import TOKEN, followers, muster_process

RECIPIENTS = 200
RATE = 25.0


async def test_sigkill_mid_broadcast_then_restart_completes_without_duplicates_beyond_bound(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """Everyone gets the message; only the sends in flight or not yet recorded at the moment
    of the kill may arrive twice. The organizer's live status message is being edited all
    the while (a slow edit must not hold back the recording of outcomes)."""
    db = Database(settings.database_path)
    await db.open()
    city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    people = await followers(sim, db, city, RECIPIENTS)
    olga = sim.user("Olga")  # the organizer: she started the bot but follows no city
    olga.seen = olga.started = True
    await supporter_store.arrive(db, olga.id, "en", source=None)
    broadcast = await broadcast_store.create(
        db, olga.id, city.id, Content("<b>Walk out</b> at 3pm")
    )
    assert await broadcast_store.enqueue_followers(db, broadcast.id) == RECIPIENTS
    await db.close()

    process = await muster_process(sim, settings, BROADCAST_RATE=str(RATE))
    try:
        assert await sim.wait_until(lambda: delivered(people) >= 60, 30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    before_restart = delivered(people)
    assert before_restart < RECIPIENTS

    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        assert await sim.wait_until(lambda: all(person.messages for person in people), 30)
        engine = app.bot_data["services"].engine
        await engine.wait(broadcast.id)
        db = app.bot_data["services"].db
        finished = await broadcast_store.get(db, broadcast.id)
        counts = await broadcast_store.counts(db, broadcast.id)
    assert finished is not None and finished.state is State.DONE
    assert counts[Outcome.SENT] == RECIPIENTS
    duplicates = sum(len(person.messages) - 1 for person in people)
    bound = Tuning.for_rate(RATE).unrecorded
    print(f"killed after {before_restart} sends; {duplicates} duplicates, bound {bound}")
    assert duplicates <= bound, f"{duplicates} duplicates, bound {bound}"


def delivered(people: list[SimUser]) -> int:
    return sum(len(person.messages) for person in people)


async def test_sigterm_stops_gracefully(sim: BotApiSimulator, settings: Settings) -> None:
    """SIGTERM ends long polling, finishes work in flight and exits 0 without a traceback."""
    process = await muster_process(sim, settings, capture=True)
    assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] > 0, 30)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert TOKEN.encode() not in stderr


async def test_sigkill_mid_storm_loses_no_sign_up(sim: BotApiSimulator, settings: Settings) -> None:
    """A rally's QR code: 150 newcomers send /start at once, and the process is killed when
    half have their answer, holding updates Telegram delivered that it has not answered (by
    then it has asked for more, which tells Telegram to forget whatever it delivered before).
    After a restart everyone is signed up, follows Seattle and has had an answer: the updates
    in hand at the kill were in the inbox, and the new process handled them first."""
    db = Database(settings.database_path)
    await db.open()
    await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    await db.close()
    process = await muster_process(sim, settings, BROADCAST_RATE=str(RATE))
    people = [sim.user(f"Newcomer {number}") for number in range(150)]
    try:
        assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] > 0, 30)
        for person in people:
            await person.says("/start city-seattle")
        assert await sim.wait_until(lambda: answered(people) >= 75, 30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    first_id = sim.stats.updates_enqueued - len(people) + 1
    delivered = sim.stats.updates_delivered_up_to - first_id + 1
    print(f"killed with {delivered} updates delivered and {answered(people)} answered")
    assert delivered > answered(people), "the kill came while updates were in hand"

    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        assert await sim.wait_until(lambda: answered(people) == len(people), 30)
        db = app.bot_data["services"].db
        for person in people:
            assert await supporter_store.get(db, person.id) is not None
            assert [city.slug for city in await city_store.followed_by(db, person.id)] == [
                "seattle"
            ]


def answered(people: list[SimUser]) -> int:
    return sum(bool(person.messages) for person in people)
