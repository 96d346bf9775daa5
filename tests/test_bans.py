"""Stories of admins banning trolls: a banned person gets nothing at all from Muster, until
an admin lifts the ban."""

from __future__ import annotations

import time
from pathlib import Path

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage.broadcasts import Content, Outcome, State
from storage.cities import City
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings
from tests.test_broadcast import RALLY_HTML, compose, received
from views.buttons import CITY_TOGGLE

UNKNOWN = "I don't know that command. Send /help to see what I can do."
BANNED = (
    "🚫 {id} is banned: I ignore everything they send and send them nothing, broadcasts "
    "included. They no longer follow any city."
)
UNBANNED = (
    "✅ {id} is no longer banned: I answer them again. Their follows and organizer role do "
    "not come back by themselves: they follow cities again with /cities, and an admin can "
    "/promote them again."
)


async def signed_up(sim: BotApiSimulator, name: str, city: str = "seattle") -> SimUser:
    person = sim.user(name)
    await person.says(f"/start city-{city}")
    await person.receives()
    return person


async def audited(db: Database) -> list[tuple[str, int | None, int | None]]:
    return [(entry.action, entry.actor_id, entry.subject_id) for entry in await audit.recent(db)]


async def test_a_banned_person_gets_nothing_until_the_ban_is_lifted(
    sim: BotApiSimulator, admin: SimUser, db: Database, seattle: City
) -> None:
    """After /ban, the troll's /start, text and button presses get no reply (a press gets an
    empty answer, so their app stops waiting) and change nothing; /unban brings replies
    back, but not the follows the ban took; both are in the audit log."""
    troll = await signed_up(sim, "Troll")
    picker_message = troll.last
    await admin.says(f"/ban {troll.id}")
    assert (await admin.receives()).text == BANNED.format(id=troll.id)
    assert await city_store.followed_by(db, troll.id) == []
    seen = len(troll.messages)
    await troll.says("/start city-seattle")
    await troll.says("you cannot stop me")
    await troll.presses_data(CITY_TOGGLE.data(seattle.id, 0), picker_message.message_id)
    await troll.waits_for(lambda chat: len(troll.callback_answers) == 1)
    await sim.idle()
    assert len(troll.messages) == seen
    assert troll.callback_answers[0].text is None
    assert await city_store.followed_by(db, troll.id) == []
    await admin.says(f"/unban {troll.id}")
    assert (await admin.receives()).text == UNBANNED.format(id=troll.id)
    await troll.says("/myid")
    assert (await troll.receives()).text == f"Your Telegram user id is {troll.id}."
    assert await city_store.followed_by(db, troll.id) == []
    entries = await audited(db)
    assert ("ban", admin.id, troll.id) in entries and ("unban", admin.id, troll.id) in entries


async def test_a_banned_person_can_still_erase_their_data(
    sim: BotApiSimulator, admin: SimUser, db: Database, seattle: City
) -> None:
    """Erasure stays everyone's: a banned troll's /deleteme and its confirmation go through
    and erase their supporter row; the ban itself (an id and a date) stays."""
    troll = await signed_up(sim, "Troll")
    await admin.says(f"/ban {troll.id}")
    await admin.receives()
    troll.mark_all_read()
    await troll.says("/deleteme")
    confirm = await troll.receives()
    assert confirm.labels() == ["Yes, erase everything", "No, keep it"]
    await troll.presses("Yes, erase everything")
    await troll.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))
    assert await db.fetch_one("SELECT 1 FROM supporters WHERE user_id = ?", (troll.id,)) is None
    await troll.says("/start")
    await sim.idle()
    assert troll.last.text.startswith("🗑 Done.")  # still banned: no reply


async def test_a_broadcast_to_their_city_leaves_a_banned_follower_out(
    sim: BotApiSimulator, admin: SimUser, db: Database, organizer: SimUser, seattle: City
) -> None:
    """A banned person is no recipient at all: the organizer is told 4 supporters will get
    it, the report says 4 of 4, and the banned follower gets nothing. Reminders and other
    sends to chosen people leave them out as well."""
    people = await followers(sim, db, seattle, 5)
    troll = people[2]
    await admin.says(f"/ban {troll.id}")
    await admin.receives()
    await compose(sim, organizer, "Seattle")
    assert organizer.last.text == "☝️ This is exactly what 4 supporters will get. Send it?"
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 4 of 4" in chat.last.text, timeout=10)
    assert [received(person, RALLY_HTML) for person in people] == [1, 1, 0, 1, 1]
    chosen = [troll.id, people[0].id]
    direct = await broadcast_store.create_direct(db, seattle.id, Content("Reminder"), chosen)
    assert direct.total == 1


async def test_a_ban_stops_the_sends_still_to_come_of_a_broadcast_going_out(
    sim: BotApiSimulator, admin: SimUser, db: Database, organizer: SimUser, seattle: City
) -> None:
    """The follower last in line is banned while the broadcast is going out to 120 people:
    it reaches the other 119, not them (the report counts them as not sent, as someone
    who paused meanwhile), and their row says cancelled, so no restart sends it."""
    people = await followers(sim, db, seattle, 120)
    last = max(people, key=lambda person: person.id)
    await compose(sim, organizer, "Seattle")
    await organizer.presses("📣 Send now")
    await sim.wait_until(lambda: sum(received(person, RALLY_HTML) for person in people) > 5, 10)
    await admin.says(f"/ban {last.id}")
    await admin.receives()
    report = "delivered to 119 of 120"
    await organizer.waits_for(lambda chat: report in chat.last.text, timeout=20)
    assert received(last, RALLY_HTML) == 0
    assert sum(received(person, RALLY_HTML) for person in people) == 119
    row = await db.fetch_one("SELECT status FROM deliveries WHERE user_id = ?", (last.id,))
    assert row is not None and row[0] == "cancelled"


async def test_a_ban_cancels_a_send_queued_before_its_broadcast_starts(
    sim: BotApiSimulator, admin: SimUser, db: Database, muster: MusterApp, seattle: City
) -> None:
    """A broadcast whose recipients were listed before the ban (as one resumed at start-up
    is): the ban's own transaction cancels the person's row, so when it goes out it skips
    them."""
    people = await followers(sim, db, seattle, 3)
    troll = people[1]
    broadcast = await broadcast_store.create(db, None, seattle.id, Content(RALLY_HTML))
    assert await broadcast_store.enqueue_followers(db, broadcast.id) == 3
    await admin.says(f"/ban {troll.id}")
    await admin.receives()
    engine = services_of(muster).engine
    await engine.launch(broadcast.id)
    await engine.wait(broadcast.id)
    counts = await broadcast_store.counts(db, broadcast.id)
    assert (counts[Outcome.SENT], counts[Outcome.CANCELLED]) == (2, 1)
    assert [received(person, RALLY_HTML) for person in people] == [1, 0, 1]


async def test_a_banned_organizer_loses_the_role_and_cannot_be_promoted_again(
    sim: BotApiSimulator, admin: SimUser, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Banning an organizer removes the role and their menu, and cancels what they had
    scheduled (quietly: no withdrawal notice reaches them at its time); /promote refuses
    with a clear reply while they are banned; after /unban the admin promotes them anew."""
    later = int(time.time()) + 3600
    plan = await broadcast_store.create(db, organizer.id, seattle.id, Content("Soon"), later)
    await admin.says(f"/ban {organizer.id}")
    assert (await admin.receives()).text.endswith(
        "They no longer follow any city, and are no longer an organizer."
    )
    assert await organizer_store.get(db, organizer.id) is None
    assert sim.commands(scope={"type": "chat", "chat_id": organizer.id}) == []
    cancelled = await broadcast_store.get(db, plan.id)
    assert cancelled is not None and cancelled.state is State.CANCELLED
    await admin.says(f"/promote {organizer.id} seattle")
    assert (await admin.receives()).text == (
        f"{organizer.id} is banned and cannot be made an organizer. If the ban was a "
        "mistake, /unban them first."
    )
    assert await organizer_store.get(db, organizer.id) is None
    await admin.says(f"/unban {organizer.id}")
    await admin.receives()
    assert await organizer_store.get(db, organizer.id) is None
    await admin.says(f"/promote {organizer.id} seattle")
    assert (await admin.receives()).text == f"{organizer.id} is now an organizer for: Seattle."
    assert ("ban", admin.id, organizer.id) in await audited(db)


async def test_bad_arguments_admins_and_repeats_get_clear_replies(
    sim: BotApiSimulator, admin: SimUser, db: Database
) -> None:
    """A missing, extra or non-numeric id gets the usage; an admin cannot be banned; a second
    ban, or an unban of someone not banned, says so; nothing is written for any of them.
    (/help lists the commands for admins.)"""
    await admin.says("/help")
    assert "/ban user_id: ignore someone and send them nothing" in (await admin.receives()).text
    expected = {
        "/ban": "Usage: /ban user_id, with the person's numeric Telegram user id",
        "/ban @troll": "Usage: /ban user_id",
        "/ban 12 34": "Usage: /ban user_id",
        "/ban -5": "Usage: /ban user_id",
        "/unban": "Usage: /unban user_id, with the numeric Telegram user id",
        "/unban <b>1</b>": "Usage: /unban user_id",
        f"/ban {ADMIN_ID}": f"{ADMIN_ID} is an admin: admins cannot be banned.",
        "/unban 777": "777 was not banned.",
    }
    for command, reply in expected.items():
        await admin.says(command)
        assert (await admin.receives()).text.startswith(reply), command
    assert await db.fetch_all("SELECT * FROM bans") == []
    assert [entry for entry in await audited(db) if entry[0] in ("ban", "unban")] == []
    await admin.says("/ban 777")
    await admin.receives()
    await admin.says("/ban 777")
    assert (await admin.receives()).text == "777 is banned already."
    assert [entry for entry in await audited(db) if entry[0] == "ban"] == [("ban", ADMIN_ID, 777)]


async def test_banned_lists_ids_and_since_when(
    sim: BotApiSimulator, admin: SimUser, db: Database
) -> None:
    """/banned says nobody is, then lists each banned id with the date and time (UTC), in
    the order they were banned."""
    await admin.says("/banned")
    assert (await admin.receives()).text == "Nobody is banned."
    for user_id in (9001, 9002):
        await admin.says(f"/ban {user_id}")
        await admin.receives()
    await admin.says("/banned")
    listing = (await admin.receives()).text.splitlines()
    assert listing[0] == "Banned"
    assert [line.split(" since ")[0] for line in listing[1:]] == ["9001", "9002"]
    assert all(line.endswith(" UTC") for line in listing[1:])


async def test_non_admins_get_the_unknown_command_reply(
    sim: BotApiSimulator, organizer: SimUser, db: Database
) -> None:
    """An organizer cannot ban, unban or see who is banned, nor learn the commands exist."""
    for command in ("/ban 777", f"/unban {organizer.id}", "/banned"):
        await organizer.says(command)
        assert (await organizer.receives()).text == UNKNOWN
    assert await db.fetch_all("SELECT * FROM bans") == []


async def test_a_ban_holds_after_a_restart(sim: BotApiSimulator, database_path: Path) -> None:
    """The banned set is read at start-up: after a restart the troll still gets nothing."""
    settings = make_settings(sim, database_path)
    admin, troll = sim.user("Alex", user_id=ADMIN_ID), sim.user("Troll")
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await admin.says(f"/ban {troll.id}")
        await admin.receives()
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await troll.says("/start")
        await sim.idle()
        assert troll.messages == []
