"""Stories of impatient people: double taps, presses on old messages and floods of them must
cost nobody else anything, and a person who stops gets nothing more at once."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from pathlib import Path

import pytest

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage.broadcasts import Content, Outcome
from storage.cities import City
from tests.conftest import TOKEN, followers, make_settings
from tests.test_actions import announce
from tests.test_broadcast import RALLY_HTML, compose, received

APOLOGY = "Sorry, something went wrong on my side. Please try again."
PAUSED = "⏸ Paused."
ERASED = "🗑 Done. Everything about you is erased."


async def double_taps(
    sim: BotApiSimulator, person: SimUser, label: str, message_id: int | None = None
) -> None:
    """Two presses of one button, the second sent before the first is answered."""
    await person.presses(label, message_id=message_id)
    await person.presses(label, message_id=message_id)
    await sim.idle()


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def apologies(*people: SimUser) -> int:
    return sum(1 for person in people for message in person.messages if message.text == APOLOGY)


async def test_every_kind_of_button_pressed_twice_or_late_edits_nothing_in_vain(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Language, erasure, city, RSVP, broadcast, schedule and action buttons, each pressed
    twice in a row and again on an old message: every press is answered, and Telegram is
    never asked for an edit that changes nothing (no 400, no error, no apology)."""
    (ana,) = await followers(sim, db, seattle, 1)
    await city_store.add(db, "new-york", "America/New_York", "New York")

    await ana.says("/language")
    first_picker = await ana.receives()
    await double_taps(sim, ana, "Español")
    await ana.says("/language")
    await ana.receives()
    await double_taps(sim, ana, "English")
    await ana.presses_data("lang:en", message_id=first_picker.message_id)  # an old message

    await ana.says("/deleteme")
    confirm = await ana.receives()
    await double_taps(sim, ana, "No, keep it")
    await ana.presses_data("erase:no", message_id=confirm.message_id)

    await ana.says("/cities")
    cities = await ana.receives()
    await double_taps(sim, ana, "New York")
    await ana.presses_data("city:page:0", message_id=cities.message_id)

    action = await announce(muster, organizer, seattle, 3600, "Vigil")
    await ana.waits_for(lambda chat: "Vigil" in chat.last.text)
    card = ana.last
    await double_taps(sim, ana, "I'll be there")
    await ana.presses("✅ I'll be there", message_id=card.message_id)
    await sim.idle()

    await compose(sim, organizer, "Seattle")
    await double_taps(sim, organizer, "📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 1 of 1" in chat.last.text)
    sent = (await broadcast_store.recent(db, limit=1))[0]
    await organizer.presses_data(f"bc:stop:{sent.id}", message_id=organizer.last.message_id)

    await compose(sim, organizer, "Seattle")
    await double_taps(sim, organizer, "🕒 Schedule")
    await organizer.says("2030-01-15 17:30")
    await organizer.waits_for(lambda chat: "scheduled for" in chat.last.text)
    await organizer.says("/scheduled")
    await organizer.waits_for(lambda chat: "Cancel this broadcast" in chat.last.labels())
    await double_taps(sim, organizer, "Cancel this broadcast")

    await organizer.says("/myactions")
    await organizer.waits_for(lambda chat: "❌ Cancel action" in chat.last.labels())
    await organizer.presses("❌ Cancel action")
    await organizer.waits_for(lambda chat: "Yes, cancel it and tell everyone" in chat.last.labels())
    await double_taps(sim, organizer, "Yes, cancel it and tell everyone")
    await ana.presses_data(f"rsvp:{action.id}:y", message_id=card.message_id)
    await ana.presses_data(f"rsvp:{action.id}:y", message_id=card.message_id)
    await sim.idle()

    shown = sim.message(ana.id, card.message_id)
    assert shown is not None and shown.labels() == ["This action was cancelled"]
    assert sim.stats.not_modified == 0
    assert errors_logged(caplog) == []
    assert apologies(ana, organizer) == 0


async def test_conversation_buttons_pressed_twice_edit_nothing_in_vain(
    sim: BotApiSimulator,
    db: Database,
    organizer: SimUser,
    seattle: City,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The city, Cancel and Publish buttons of /broadcast and /newaction, each double-tapped:
    one step is taken, one message edited, and nothing fails."""
    await followers(sim, db, seattle, 1)
    await organizer.says("/broadcast")
    await organizer.receives()
    await double_taps(sim, organizer, "Seattle")
    await organizer.says("/cancel")
    await organizer.receives()
    await organizer.says("/newaction")
    await organizer.receives()
    await double_taps(sim, organizer, "Cancel")
    await organizer.says("/newaction")
    await organizer.receives()
    await double_taps(sim, organizer, "Seattle")
    for typed in ("Vigil", "2030-05-01 18:00", "City Hall", "/skip", "/skip"):
        await organizer.says(typed)
        await sim.idle()
    await double_taps(sim, organizer, "🕒 Publish at…")
    await organizer.says("/myactions")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("You have no"))
    assert sim.stats.not_modified == 0
    assert errors_logged(caplog) == []
    assert apologies(organizer) == 0


async def test_a_person_hitting_a_failure_again_and_again_is_apologised_to_once(
    sim: BotApiSimulator, muster: MusterApp, seattle: City, caplog: pytest.LogCaptureFixture
) -> None:
    """Five failing presses from one person log five errors but send one apology; another
    person meeting a failure in the same minute gets their own."""
    bea, cy = sim.user("Bea"), sim.user("Cy")
    for person in (bea, cy):
        await person.says("/start")
        await person.receives()
    for _ in range(5):
        await bea.says("/deleteme")
        await bea.receives()
    sim.fail_next("editMessageText", 400, "Bad Request: message can't be edited", count=6)
    for message in list(bea.messages)[-5:]:
        await bea.presses("No, keep it", message_id=message.message_id)
    await sim.wait_until(lambda: len(errors_logged(caplog)) == 5, 10)
    await cy.says("/deleteme")
    await cy.receives()
    await cy.presses("No, keep it")
    await cy.waits_for(lambda chat: chat.last.text == APOLOGY)
    await sim.idle()
    assert apologies(bea) == 1 and apologies(cy) == 1
    assert len(errors_logged(caplog)) == 6


def delivery_times(sim: BotApiSimulator, people: list[SimUser]) -> list[float]:
    """Records when each of these people receives a message, from now on."""
    ids = {person.id for person in people}
    times: list[float] = []

    def on_send(message: SentMessage) -> None:
        if message.chat_id in ids:
            times.append(time.monotonic())

    sim.on_send = on_send
    return times


async def test_a_flood_of_presses_from_one_person_pauses_only_their_chat(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """One person toggles a city twelve times in a burst while a broadcast goes out. Their
    chat's flood limit answers the edits with 429s; that chat waits, the broadcast keeps its
    pace, someone else is answered at once, and no press is lost."""
    people = await followers(sim, db, seattle, 75)
    dee, eli = sim.user("Dee"), sim.user("Eli")
    await dee.says("/cities")
    await dee.receives()
    await compose(sim, organizer, "Seattle")
    times = delivery_times(sim, people)
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: len(times) >= 5, 5)
    sim.per_chat_limit = 2
    for _ in range(6):
        await dee.presses("New York")
        await dee.presses("New York")
    await sim.wait_until(lambda: sim.stats.rejected_429 > 0, 10)
    eli_asked = time.monotonic()
    await eli.says("/myid")
    await eli.receives()
    assert time.monotonic() - eli_asked < 1.0  # not held back by Dee's 429s
    await organizer.waits_for(lambda chat: "delivered to 75 of 75" in chat.last.text, timeout=30)
    await dee.waits_for(lambda chat: len(dee.callback_answers) == 12, timeout=30)
    await dee.waits_for(lambda chat: chat.last.edited == 12, timeout=30)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # A pause for everyone would show as a gap of a whole retry_after (a second or more).
    assert max(gaps) < 0.9, f"the broadcast stalled for {max(gaps):.2f}s"
    assert all(received(person, RALLY_HTML) == 1 for person in people)
    assert await city_store.followed_by(db, dee.id) == []  # twelve toggles: back to none
    assert dee.last.labels() == ["New York", "Seattle"]


async def test_a_pause_telegram_asked_for_holds_across_a_restart(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """A 429 with retry_after 3 reaches a broadcast; the bot is restarted at once; the new
    process sends nothing until the three seconds are over, then finishes the broadcast."""
    settings = make_settings(sim, database_path)
    people = seattle_followers + await more_followers(sim, database_path, 35)
    times = delivery_times(sim, people)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        engine = services_of(app).engine
        broadcast = await broadcast_store.create(engine.db, None, None, Content(RALLY_HTML))
        await engine.send_now(broadcast.id)
        await sim.wait_until(lambda: len(times) >= 5, 5)
        told_to_wait = time.monotonic()
        sim.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        await sim.wait_until(lambda: sim.stats.rejected_429 == 1, 5)
    sent_before_restart = len(times)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await services_of(app).engine.wait(broadcast.id)
        counts = await broadcast_store.counts(services_of(app).db, broadcast.id)
    after_restart = times[sent_before_restart:]
    assert after_restart and min(after_restart) >= told_to_wait + 3
    assert counts[Outcome.SENT] == len(people)
    assert all(received(person, RALLY_HTML) == 1 for person in people)


async def more_followers(sim: BotApiSimulator, database_path: Path, count: int) -> list[SimUser]:
    db = Database(database_path)
    await db.open()
    city = await city_store.find(db, "seattle")
    assert city is not None
    people = await followers(sim, db, city, count)
    await db.close()
    return people


async def test_people_who_stop_as_the_broadcast_reaches_them_get_nothing_after(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Every fourth follower sends /stop or confirms /deleteme at the moment the broadcast
    reaches the follower before them in line: once told "Paused" or "erased", nothing more
    arrives, although their send was already queued."""
    people = await followers(sim, db, seattle, 40)
    leaving = {people[n].id: people[n] for n in range(3, 40, 4)}
    erasing = [person for n, person in enumerate(leaving.values()) if n % 2]
    for person in erasing:
        await person.says("/deleteme")
        await person.receives()
    before = {people[n - 1].id: people[n] for n in range(3, 40, 4)}
    pending: list[asyncio.Task[object]] = []
    arrived: dict[tuple[int, int], float] = {}

    def note(message: SentMessage) -> None:
        arrived[message.chat_id, message.message_id] = time.monotonic()

    def on_send(message: SentMessage) -> None:
        note(message)
        follower = before.pop(message.chat_id, None)
        if follower is None or message.html != RALLY_HTML:
            return
        leave = (
            follower.presses("Yes, erase everything")
            if follower in erasing
            else follower.says("/stop")
        )
        pending.append(asyncio.ensure_future(leave))

    await compose(sim, organizer, "Seattle")
    sim.on_send = on_send
    sim.on_edit = lambda message: arrived.update(
        {(message.chat_id, message.message_id): time.monotonic()}
    )
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to" in chat.last.text, timeout=20)
    await asyncio.gather(*pending)
    await sim.idle()
    assert not before, "every trigger fired"
    for person in leaving.values():
        told = next(m for m in person.messages if m.text.startswith((PAUSED, ERASED)))
        told_at = arrived[person.id, told.message_id]
        later = [
            arrived[person.id, m.message_id] - told_at
            for m in person.messages
            if m.html == RALLY_HTML and arrived[person.id, m.message_id] > told_at
        ]
        # Only a send whose request was already on its way may land after the reply, and then
        # within moments of it; a send begun after the exclusion would come a token (40 ms)
        # or more later.
        assert all(gap < 0.02 for gap in later), f"{person.first_name} got it {later}s after"
    staying = [person for person in people if person.id not in leaving]
    assert all(received(person, RALLY_HTML) == 1 for person in staying)
