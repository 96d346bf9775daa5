"""Check-in at an action: the organizer shows a QR code at the entrance, people scan it, and
Muster counts each of them once, in the hours around the start."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import zxingcpp
from PIL import Image

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.runtime import running
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.actions import Action
from tests.conftest import ADMIN_ID, TOKEN, make_settings

HOUR = 3600


async def published(app: MusterApp, starts_in: int, title: str = "Rally at HQ") -> Action:
    services = services_of(app)
    seattle = await city_store.find(services.db, "seattle")
    assert seattle is not None
    start = int(services.clock.now()) + starts_in
    action = await action_store.create(services.db, None, seattle.id, title, start, "HQ", "", None)
    await services.mobilizer.publish(action)
    return action


async def code_of(sim: BotApiSimulator, organizer: SimUser, action: Action) -> tuple[str, str]:
    """What /checkin gives the organizer: the link decoded from the QR image, and the
    caption's last line."""
    organizer.mark_all_read()
    await organizer.says(f"/checkin {action.id}")
    sent = await organizer.receives()
    assert sent.kind == "photo"
    photo = (sent.media or {})["photo"][-1]
    image = sim.file(photo["file_id"])
    assert image is not None
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert len(decoded) == 1
    return decoded[0].text, sent.caption.splitlines()[-1]


async def seattle_organizer(sim: BotApiSimulator, db: Database) -> SimUser:
    await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    olga = sim.user("Olga")
    await supporter_store.arrive(db, olga.id, "en", source=None)
    await organizer_store.promote(db, ADMIN_ID, olga.id, [1], all_cities=False)
    return olga


async def test_the_code_decodes_to_a_link_that_checks_a_newcomer_in_once(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """Half an hour before a rally, Olga's /checkin gives a QR code; it decodes to the same
    link as its caption. Ana, new to Muster, opens it: she is signed up, follows Seattle and
    is checked in; opening it again counts her once."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        db = services_of(app).db
        olga = await seattle_organizer(sim, db)
        action = await published(app, HOUR // 2)
        link, shown = await code_of(sim, olga, action)
        assert link == shown
        assert link.startswith(f"https://t.me/{sim.bot_user()['username']}?start=checkin-")
        token = link.rpartition("checkin-")[2]
        assert len(token) == 16
        ana = sim.user("Ana")
        await ana.says(f"/start checkin-{token}")
        assert (
            await ana.receives()
        ).text == "You're checked in ✅ at Rally at HQ. Thank you for coming!"
        await ana.says(f"/start checkin-{token}")
        assert (await ana.receives()).text == "You're checked in already ✅ at Rally at HQ."
        assert [city.slug for city in await city_store.followed_by(db, ana.id)] == ["seattle"]
        rows = await db.fetch_all(
            "SELECT user_id FROM attendance WHERE action_id = ?", (action.id,)
        )
        assert [row[0] for row in rows] == [ana.id]
        # The same code again: one token per action.
        assert (await code_of(sim, olga, action))[0] == link


async def test_check_in_is_open_from_an_hour_before_to_six_hours_after(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """Two hours early: not yet (nothing recorded, no city followed). An hour before: in.
    Six hours after the start: still in. A minute later: closed."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        db = services_of(app).db
        olga = await seattle_organizer(sim, db)
        action = await published(app, 2 * HOUR)
        token = (await code_of(sim, olga, action))[0].rpartition("checkin-")[2]
        early, on_time, late, too_late = (sim.user(name) for name in ("Eve", "Oni", "Lee", "Tom"))
        await early.says(f"/start checkin-{token}")
        assert (await early.receives()).text.startswith(
            "Check-in for Rally at HQ opens an hour before it starts, at "
        )
        assert await city_store.followed_by(db, early.id) == []
        clock.advance(HOUR)
        await on_time.says(f"/start checkin-{token}")
        assert (await on_time.receives()).text.startswith("You're checked in ✅")
        clock.advance(7 * HOUR - 1)  # the start is a whole second; the clock is not
        await late.says(f"/start checkin-{token}")
        assert (await late.receives()).text.startswith("You're checked in ✅")
        clock.advance(61)
        await too_late.says(f"/start checkin-{token}")
        assert (await too_late.receives()).text == "Check-in for Rally at HQ has closed."
        rows = await db.fetch_all("SELECT user_id FROM attendance ORDER BY user_id")
        assert [row[0] for row in rows] == sorted([on_time.id, late.id])


async def test_forged_tokens_and_cancelled_actions_record_nothing(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A made-up token, and the real one of an action since cancelled, get a clear answer
    and no check-in; /checkin for the cancelled action says it has none; a supporter who is
    no organizer gets the unknown-command reply, and an organizer of another city is told
    the action is not theirs."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        db = services.db
        olga = await seattle_organizer(sim, db)
        portland = await city_store.add(db, "portland", "America/Los_Angeles", "Portland")
        pete = sim.user("Pete")
        await supporter_store.arrive(db, pete.id, "en", source=None)
        await organizer_store.promote(db, ADMIN_ID, pete.id, [portland.id], all_cities=False)
        action = await published(app, HOUR // 2)
        token = (await code_of(sim, olga, action))[0].rpartition("checkin-")[2]
        mallory = sim.user("Mallory")
        await mallory.says("/start checkin-AAAAAAAAAAAAAAAA")
        assert (await mallory.receives()).text == (
            "This check-in link belongs to no action. Scan the code again, or ask an organizer."
        )
        await mallory.says(f"/checkin {action.id}")
        assert (await mallory.receives()).text.startswith("I don't know that command")
        await pete.says(f"/checkin {action.id}")
        assert (await pete.receives()).text == "That action is not yours to manage."
        await olga.says("/checkin")
        assert (await olga.receives()).text.startswith("Usage: /checkin action_id")
        await services.mobilizer.cancel(olga.id, action)
        await mallory.says(f"/start checkin-{token}")
        assert (await mallory.receives()).text == (
            "Rally at HQ was cancelled: there is nothing to check in to."
        )
        olga.mark_all_read()
        await olga.says(f"/checkin {action.id}")
        assert (
            await olga.receives()
        ).text == f"Action #{action.id} is cancelled: it has no check-in."
        assert await db.fetch_all("SELECT * FROM attendance") == []


async def rsvps_of(organizer: SimUser, action: Action) -> str:
    organizer.mark_all_read()
    await organizer.says(f"/rsvps {action.id}")
    return (await organizer.receives()).text


async def test_the_follow_up_asks_those_who_said_yes_and_thanks_those_who_came(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """Three hours after the start: Cam (yes, checked in) is thanked; Yan (yes, did not check
    in) is asked "Did you make it?" and answers; Nia (no), Pat (yes, then /stop) and Eli
    (never answered) get nothing. /rsvps shows check-ins and answers apart. A forged press
    from Nia records nothing."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        db = services.db
        olga = await seattle_organizer(sim, db)
        people = [sim.user(name) for name in ("Cam", "Yan", "Nia", "Pat", "Eli")]
        cam, yan, nia, pat, eli = people
        for person in people:
            await person.says("/start city-seattle")
            await person.receives()
        action = await published(app, HOUR // 2)
        for person, label in (
            (cam, "I'll be there"),
            (yan, "I'll be there"),
            (pat, "I'll be there"),
            (nia, "Can't make it"),
        ):
            await person.waits_for(lambda chat: "Rally at HQ" in chat.last.text)
            await person.presses(label)
        await pat.says("/stop")
        token = (await code_of(sim, olga, action))[0].rpartition("checkin-")[2]
        await cam.says(f"/start checkin-{token}")
        await cam.waits_for(lambda chat: chat.last.text.startswith("You're checked in ✅"))
        for person in people:
            person.mark_all_read()
        assert await services.turnout.follow_up_due() == 0  # not yet
        clock.advance(HOUR // 2 + 3 * HOUR)
        assert await services.turnout.follow_up_due() == 1
        thanks = await cam.receives()
        assert thanks.text.startswith("🙏 Thank you for coming to Rally at HQ!")
        asked = await yan.receives()
        assert asked.text == "👋 Rally at HQ: did you make it?"
        assert asked.labels() == ["Yes, I was there", "No, I couldn't"]
        await sim.idle()
        for person in (nia, pat, eli):
            assert not [m for m in person.messages if "did you make it" in m.text]
        await yan.presses("Yes, I was there")
        await yan.waits_for(
            lambda chat: chat.last.text.endswith("✅ Noted: you were there. Thank you!")
        )
        edits = sim.stats.edits
        await yan.presses("Yes, I was there")  # the same answer again: no edit, no 400
        await sim.idle()
        assert sim.stats.edits == edits and sim.stats.not_modified == 0
        answered = len(nia.callback_answers)
        await nia.presses_data(f"made:{action.id}:yes")
        assert await sim.wait_until(lambda: len(nia.callback_answers) > answered, 5)
        assert (
            nia.callback_answers[-1].text == "This question is for people who said they would come."
        )
        assert (await rsvps_of(olga, action)).endswith(
            "🎟 Checked in: 1 · 🙋 Said they were there: 1 · Said they couldn't: 0"
        )
        assert await services.turnout.follow_up_due() == 0  # once


async def test_a_restart_between_check_in_and_follow_up_sends_it_once(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """Dan checks in; the bot stops; it starts again after the follow-up time: the
    thank-you goes out once, and a further restart sends nothing more."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        olga = await seattle_organizer(sim, services_of(app).db)
        action = await published(app, HOUR // 2)
        token = (await code_of(sim, olga, action))[0].rpartition("checkin-")[2]
        dan = sim.user("Dan")
        await dan.says(f"/start checkin-{token}")
        await dan.waits_for(lambda chat: "checked in ✅" in " ".join(m.text for m in chat.messages))
    clock.advance(4 * HOUR)
    for _ in range(2):
        async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1):
            # The sweep runs at start-up: no call from the test.
            await dan.waits_for(lambda chat: chat.last.text.startswith("🙏 Thank you"), timeout=10)
            await sim.idle()
    assert sum(m.text.startswith("🙏 Thank you") for m in dan.messages) == 1


async def test_a_follow_up_due_in_quiet_hours_waits_for_the_morning(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A rally at 19:00 in Seattle: "did you make it?" is due at 22:00, in quiet hours, so
    it waits; at 08:00 city time it goes."""
    seattle_evening = datetime(2030, 1, 15, 19, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    clock = ManualClock(seattle_evening.timestamp() - HOUR // 2)
    settings = make_settings(sim, database_path, quiet_hours="21:00-08:00")
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        olga = await seattle_organizer(sim, services.db)
        action = await published(app, HOUR // 2)
        token = (await code_of(sim, olga, action))[0].rpartition("checkin-")[2]
        dan = sim.user("Dan")
        await dan.says(f"/start checkin-{token}")
        await dan.waits_for(lambda chat: "checked in ✅" in " ".join(m.text for m in chat.messages))
        clock.advance(HOUR // 2 + 3 * HOUR + 60)  # 22:01 in Seattle
        assert await services.turnout.follow_up_due() == 0
        clock.advance(10 * HOUR)  # 08:01
        assert await services.turnout.follow_up_due() == 1
        await dan.waits_for(lambda chat: chat.last.text.startswith("🙏 Thank you"))
