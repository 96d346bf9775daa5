"""Stories of organizers composing broadcasts and of the engine delivering them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.broadcasts import Content, Outcome, State
from storage.cities import City
from storage.supporters import Status
from tests.conftest import TOKEN, followers, make_settings

RALLY = "Rally at the Amazon warehouse, 6pm. Bring a sign!"
RALLY_ENTITIES = [
    {"type": "bold", "offset": 0, "length": 5},
    {"type": "italic", "offset": RALLY.index("Bring"), "length": len("Bring a sign!")},
]
RALLY_HTML = "<b>Rally</b> at the Amazon warehouse, 6pm. <i>Bring a sign!</i>"


async def writes(
    sim: BotApiSimulator, user: SimUser, text: str, entities: list[dict[str, Any]]
) -> None:
    """The user sends a message with Telegram formatting (entities), as a client would."""
    message = sim.store_user_message(user, user.id, "text", text, entities, None)
    sim.enqueue_update({"message": sim.message_json(message)})


async def begins_broadcast(organizer: SimUser, city: str) -> None:
    """Organizer sends /broadcast and picks the city; the bot now waits for the message."""
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses(city)
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send the message"))


async def compose(sim: BotApiSimulator, organizer: SimUser, city: str) -> None:
    """Organizer goes from /broadcast to the preview of the rally message."""
    organizer.mark_all_read()
    await begins_broadcast(organizer, city)
    await writes(sim, organizer, RALLY, RALLY_ENTITIES)
    await organizer.receives()  # the preview
    await organizer.receives()  # count and choices


def received(person: SimUser, html: str) -> int:
    return sum(1 for message in person.messages if message.html == html)


async def test_broadcast_reaches_every_follower_once_and_no_one_else(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """200 Seattle followers get the formatted message exactly once, at Telegram's pace, while
    New York's followers get nothing; the organizer's status message ends as the report."""
    seattle_people = await followers(sim, db, seattle, 200)
    new_york_people = await followers(sim, db, new_york, 5)
    await compose(sim, organizer, "Seattle")
    preview = organizer.messages[-2]
    assert preview.html == RALLY_HTML
    assert organizer.last.text == "☝️ This is exactly what 200 supporters will get. Send it?"
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 200 of 200" in chat.last.text, timeout=30)
    assert all(received(person, RALLY_HTML) == 1 for person in seattle_people)
    assert all(person.messages == [] for person in new_york_people)
    assert sim.stats.rejected_429 == 0
    report = organizer.last
    assert report.buttons == [] and "Failed: 0" in report.text
    assert report.edited >= 1  # one status message, edited, not a new message per update


async def test_photo_broadcast_keeps_its_caption(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A photo with a caption reaches followers as that photo and caption."""
    people = await followers(sim, db, seattle, 3)
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send"))
    await organizer.sends_photo(caption="Petition delivery at noon")
    preview = await organizer.receives()
    assert preview.kind == "photo" and preview.text == "Petition delivery at noon"
    await organizer.receives()
    await organizer.presses("📣 Send now")
    for person in people:
        await person.waits_for(lambda chat: bool(chat.messages))
        assert person.last.kind == "photo" and person.last.text == "Petition delivery at noon"


async def test_too_long_text_or_caption_is_refused_naming_the_limit(
    sim: BotApiSimulator, organizer: SimUser, seattle: City
) -> None:
    """Over 4096 characters of text, or 1024 of caption, is refused with the limit named, and
    the organizer may try again."""
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send"))
    await organizer.says("a" * 4097)
    assert "at most 4096 characters" in (await organizer.receives()).text
    await organizer.sends_photo(caption="b" * 1025)
    assert "at most 1024 characters" in (await organizer.receives()).text
    await organizer.sends_sticker()
    assert "send text or one photo" in (await organizer.receives()).text
    await organizer.says("Short and sweet")
    assert (await organizer.receives()).text == "Short and sweet"


async def test_cancel_at_any_step_sends_nothing(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """/cancel while writing and the Cancel button at the preview both leave nothing sent."""
    people = await followers(sim, db, seattle, 2)
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send"))
    await organizer.says("/cancel")
    assert (await organizer.receives()).text == "Cancelled: nothing was sent."
    await compose(sim, organizer, "Seattle")
    await organizer.presses("Cancel")
    await organizer.waits_for(lambda chat: chat.last.text == "Cancelled: nothing was sent.")
    await sim.idle()
    assert all(person.messages == [] for person in people)
    assert await broadcast_store.recent(db) == []


async def test_blocked_followers_are_marked_unreachable(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A 403 marks the supporter unreachable, counts as failed, and is not retried."""
    people = await followers(sim, db, seattle, 4)
    people[1].blocked = True  # blocked without the bot having been told
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 3 of 4" in chat.last.text)
    assert "blocked the bot: 1" in organizer.last.text
    blocked = await supporter_store.get(db, people[1].id)
    assert blocked is not None and blocked.status is Status.UNREACHABLE
    assert sim.stats.errors[403] == 1


async def test_429_pauses_everyone_and_retries_the_recipient(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, muster: MusterApp
) -> None:
    """Telegram's retry_after is honoured and the refused sends are retried, not lost."""
    people = await followers(sim, db, seattle, 40)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: any(person.messages for person in people), 5)
    # The status message goes out beside the first sends; the 429s are for bulk sends.
    await organizer.waits_for(lambda chat: "⏹ Cancel the rest" in chat.last.labels())
    sim.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", count=2, retry_after=1)
    await organizer.waits_for(lambda chat: "delivered to 40 of 40" in chat.last.text, timeout=15)
    assert all(received(person, RALLY_HTML) == 1 for person in people)
    assert services_of(muster).engine.throttled == 2


async def test_server_errors_are_retried_and_bad_requests_recorded(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """5xx and dropped connections are retried with backoff; a 400 is recorded as failed with
    Telegram's reason, and everyone else still gets the message once."""
    people = await followers(sim, db, seattle, 40)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: any(person.messages for person in people), 5)
    await organizer.waits_for(lambda chat: "⏹ Cancel the rest" in chat.last.labels())
    sim.fail_next("sendMessage", 502, "Bad Gateway", count=1)
    sim.fail_next("sendMessage", 0, "", count=1)
    sim.fail_next("sendMessage", 400, "Bad Request: chat not found", count=1)
    await organizer.waits_for(lambda chat: "delivered to 39 of 40" in chat.last.text, timeout=15)
    assert sorted(received(person, RALLY_HTML) for person in people) == [0] + [1] * 39
    latest = (await broadcast_store.recent(db))[0]
    assert await broadcast_store.errors(db, latest.id) == ["Bad Request: chat not found"]


async def test_organizer_cancels_midway(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """The Cancel button on the status message stops the remaining sends."""
    people = await followers(sim, db, seattle, 150)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "⏹ Cancel the rest" in chat.last.labels())
    await sim.wait_until(lambda: sum(received(p, RALLY_HTML) for p in people) >= 10, 10)
    await organizer.presses("⏹ Cancel the rest")
    await organizer.waits_for(lambda chat: "cancelled: sent to" in chat.last.text, timeout=10)
    delivered = sum(received(person, RALLY_HTML) for person in people)
    assert 10 <= delivered < 150
    assert all(received(person, RALLY_HTML) <= 1 for person in people)
    latest = (await broadcast_store.recent(db))[0]
    counts = await broadcast_store.counts(db, latest.id)
    assert latest.state is State.CANCELLED
    assert counts[Outcome.SENT] == delivered and counts[Outcome.PENDING] == 0
    assert counts[Outcome.CANCELLED] == 150 - delivered
    await sim.idle()
    assert sum(received(person, RALLY_HTML) for person in people) == delivered


async def test_people_talking_to_the_bot_are_served_before_bulk_sends(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """While 150 messages queue at Telegram's pace, a supporter's /mycities is answered ahead
    of the remaining bulk sends."""
    people = await followers(sim, db, seattle, 150)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: sum(received(p, RALLY_HTML) for p in people) >= 20, 10)
    await people[-1].says("/mycities")
    await people[-1].waits_for(
        lambda chat: any(m.text == "You follow: Seattle." for m in chat.messages)
    )
    delivered = sum(received(person, RALLY_HTML) for person in people)
    assert delivered < 100  # the reply did not wait for the broadcast to drain


async def test_broadcasts_lists_recent_ones_with_counts(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """/broadcasts shows each broadcast with its state and counts."""
    await followers(sim, db, seattle, 3)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 3 of 3" in chat.last.text)
    organizer.mark_all_read()
    await organizer.says("/broadcasts")
    listing = await organizer.receives()
    assert "· Seattle · done · sent 3/3 · failed 0" in listing.text


async def test_another_command_mid_composition_leaves_it_and_runs(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """/mycities while writing a broadcast drops the draft and answers /mycities; the next
    text is not taken as a broadcast."""
    await followers(sim, db, seattle, 2)
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send the message"))
    organizer.mark_all_read()
    await organizer.says("/mycities")
    assert "don't follow any city" in (await organizer.receives()).text
    await organizer.says("Not a broadcast")
    assert "I only understand commands" in (await organizer.receives()).text
    assert await broadcast_store.recent(db) == []


async def test_a_supporter_who_stops_mid_broadcast_gets_no_more(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """/stop takes effect on a broadcast already going out: the rest skips that person."""
    people = await followers(sim, db, seattle, 60)
    last = people[-1]
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: any(received(p, RALLY_HTML) for p in people), 5)
    await last.says("/stop")
    await last.waits_for(lambda chat: any(m.text.startswith("⏸") for m in chat.messages))
    await organizer.waits_for(lambda chat: "delivered to 59 of 60" in chat.last.text, timeout=15)
    assert received(last, RALLY_HTML) == 0


async def test_paid_broadcasts_ask_telegram_for_the_paid_tier(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """With PAID_BROADCAST the engine sends allow_paid_broadcast, so the simulator lets it
    past the free 30 a second: 5 followers at 200/s meet no 429."""
    settings = make_settings(sim, database_path, paid_broadcast=True, broadcast_rate=200)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        db = services_of(app).db
        city = await db.fetch_one("SELECT id FROM cities")
        assert city is not None
        broadcast = await broadcast_store.create(db, None, city[0], Content(RALLY_HTML))
        await services_of(app).engine.send_now(broadcast.id)
        await services_of(app).engine.wait(broadcast.id)
    assert all(received(person, RALLY_HTML) == 1 for person in seattle_followers)
    assert sim.stats.paid_sends >= 5


async def test_a_cancelled_broadcast_stays_cancelled_through_a_restart(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """Cancel is recorded the moment it is pressed: even while the workers sit out a long
    retry_after, a restart does not resume what the organizer cancelled."""
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        services = services_of(app)
        broadcast = await broadcast_store.create(services.db, None, None, Content(RALLY_HTML))
        sim.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
        await services.engine.send_now(broadcast.id)
        await sim.wait_until(lambda: sim.stats.errors[429] > 0, 5)
        assert await services.engine.cancel(broadcast.id, actor_id=1)
        stored = await broadcast_store.get(services.db, broadcast.id)
        assert stored is not None and stored.state is State.CANCELLED
    # Sends that took their turn before the 429's answer came back may have gone out.
    before = [received(person, RALLY_HTML) for person in seattle_followers]
    assert sum(before) < len(seattle_followers)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await sim.idle()
    assert [received(person, RALLY_HTML) for person in seattle_followers] == before


async def test_a_slow_status_edit_holds_back_no_outcome(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Telegram taking 1.5 s to edit the organizer's status message does not let sends run
    ahead of the database: at no moment are more sent and unrecorded than a crash may
    duplicate (README's bound)."""
    people = await followers(sim, db, seattle, 120)
    edit = sim._handlers["editMessageText"]  # a slow Telegram, for this test

    async def slow_edit(params: dict[str, Any]) -> Any:
        await asyncio.sleep(1.5)
        return await edit(params)

    sim._handlers["editMessageText"] = slow_edit
    engine = services_of(muster).engine
    broadcast = await broadcast_store.create(db, organizer.id, seattle.id, Content(RALLY_HTML))
    await engine.send_now(broadcast.id)
    widest = 0
    while broadcast.id in engine.runs:
        delivered = sum(received(person, RALLY_HTML) for person in people)
        counts = await broadcast_store.counts(db, broadcast.id)
        widest = max(widest, delivered - counts[Outcome.SENT])
        await asyncio.sleep(0.01)
    assert sum(received(person, RALLY_HTML) for person in people) == 120
    assert widest <= engine.tuning.unrecorded
    assert sim.stats.requests["editMessageText"] >= 1


async def test_a_cancel_then_a_shutdown_still_ends_in_the_cancelled_report(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """The organizer cancels while a status edit is still on its way (Telegram is slow to
    answer it) and the bot stops right after: the status message still ends in the
    cancelled report."""
    olga = sim.user("Olga")
    olga.seen = olga.started = True
    edit = sim._handlers["editMessageText"]  # a slow Telegram, for this test

    async def slow_edit(params: dict[str, Any]) -> Any:
        await asyncio.sleep(1.5)
        return await edit(params)

    sim._handlers["editMessageText"] = slow_edit
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        services = services_of(app)
        await supporter_store.arrive(services.db, olga.id, "en", source=None)
        seattle = await city_store.find(services.db, "seattle")
        assert seattle is not None
        people = [*seattle_followers, *await followers(sim, services.db, seattle, 115)]
        broadcast = await broadcast_store.create(
            services.db, olga.id, seattle.id, Content(RALLY_HTML)
        )
        await services.engine.send_now(broadcast.id)
        await sim.wait_until(lambda: sim.stats.requests["editMessageText"] > 0, 10)
        assert await services.engine.cancel(broadcast.id, olga.id)
    assert "cancelled: sent to" in olga.last.text
    assert sum(received(person, RALLY_HTML) for person in people) < 120
