"""Stories of actions with limited room: the capacity asked in /newaction, the places left on
the card, the waitlist and its line, a place freed going to the first in line, simultaneous
presses for the last place, and a capacity changed from /myactions."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.i18n import ordinal
from bot.runtime import running
from handlers.actions import CONFIRM
from simulator.driver import SentMessage, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import places as place_store
from storage.actions import Action, Answer
from storage.cities import City
from tests.conftest import TOKEN, followers, make_settings
from tests.test_account import rows_mentioning
from tests.test_drafts import draft_step, organizer_and_city
from views.buttons import ACTION_CAPACITY, PLACE_BACK

YES, NO = "I'll be there", "Can't make it"
GIVE_BACK = "↩️ Give my place back"
HAS_PLACE = "Your answer: ✅ I'll be there"
SAID_NO = "Your answer: ❌ Can't make it"


async def limited(
    app: MusterApp, city_id: int, capacity: int, title: str = "Bus", starts_in: int = 3600
) -> Action:
    """An action with room for `capacity`, published the way /newaction's Publish now does."""
    services = services_of(app)
    starts_at = int(services.clock.now()) + starts_in
    action = await action_store.create(
        services.db, None, city_id, title, starts_at, "Union Station", "", None, capacity=capacity
    )
    await services.mobilizer.publish(action)
    return action


def card(person: SimUser) -> SentMessage:
    """The newest action card the person has."""
    return [message for message in person.messages if message.text.startswith("📢")][-1]


def waiting(place: int) -> str:
    return f"Your answer: ⏳ on the waitlist, {ordinal('en', place)} in line"


async def answers(person: SimUser, label: str, shows: str) -> None:
    """Presses a button of the card and waits until the card shows the outcome."""
    await person.presses(label, message_id=card(person).message_id)
    await person.waits_for(lambda _: card(person).text.endswith(shows))


def promotions(person: SimUser) -> list[SentMessage]:
    return [m for m in person.messages if m.text.startswith("🎉 A place opened up")]


async def announced_to(people: list[SimUser]) -> None:
    for person in people:
        await person.waits_for(lambda chat: any(m.text.startswith("📢") for m in chat.messages))


async def types(person: SimUser, typed: str, then: str) -> None:
    """Sends the text and waits for a reply that says `then`."""
    await person.says(typed)
    await person.waits_for(lambda chat: bool(chat.messages) and then in chat.last.text)


async def picks_seattle(person: SimUser) -> None:
    await person.says("/newaction")
    await person.waits_for(lambda chat: bool(chat.messages) and "Seattle" in chat.last.labels())
    await person.presses("Seattle", message_id=person.last.message_id)
    await person.waits_for(lambda chat: chat.last.text.startswith("What is it called?"))


async def erases(person: SimUser) -> None:
    await person.says("/deleteme")
    await person.waits_for(lambda chat: "Yes, erase everything" in chat.last.labels())
    await person.presses("Yes, erase everything")
    await person.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))


# --- /newaction ------------------------------------------------------------------------------


async def test_newaction_asks_how_many_can_come_and_skip_means_no_limit(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """The capacity step after the details refuses what is not a number of places, the preview
    shows it, the draft keeps it across a restart, and /skip leaves the next action unlimited."""
    olga = await organizer_and_city(sim, database_path)
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        await picks_seattle(olga)
        for typed, asked in (
            ("Bus to the capital", "America/Los_Angeles"),
            ("2030-05-01 07:00", "Where?"),
            ("Union Station", "Any details"),
            ("Bring your ID", "👥 How many people can come? Send a number, or /skip"),
        ):
            await types(olga, typed, asked)
        olga.mark_all_read()
        for typed in ("forty", "0", "-3", "4.5", "100001"):
            await olga.says(typed)
            assert (await olga.receives()).text == (
                "Please send the number of places in digits, from 1 to 100,000 (like 40), "
                "or /skip for no limit."
            )
        await olga.says("40")
        preview = await olga.receives()
        assert preview.text.startswith(
            "📢 Bus to the capital\n🗓 Wed 1 May, 07:00 PDT\n📍 Union Station\n👥 40 places left"
        )
        assert await sim.wait_until(lambda: draft_step(database_path) == CONFIRM, 5)
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await olga.presses("📢 Publish now")
        await olga.waits_for(lambda chat: "is being announced" in chat.last.text)
        await picks_seattle(olga)
        for typed, asked in (
            ("Vigil", "America/Los_Angeles"),
            ("2030-05-02 19:00", "Where?"),
            ("City Hall", "Any details"),
            ("/skip", "How many people can come?"),
            ("/skip", "This is how"),
        ):
            await types(olga, typed, asked)
        assert "👥" not in olga.messages[-2].text  # the preview: no places line
        await olga.presses("📢 Publish now")
        await olga.waits_for(lambda chat: chat.last.text.startswith("Action #2 is being"))
        bus, vigil = await action_store.upcoming(services_of(app).db)
    assert (bus.title, bus.capacity) == ("Bus to the capital", 40)
    assert (vigil.title, vigil.capacity) == ("Vigil", None)


# --- The card and the waitlist -----------------------------------------------------------------


async def test_the_card_shows_places_left_and_the_person_past_capacity_their_place(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """The announcement, the card after each press, /actions and /start action-<id> all say
    the places left, or that it is full; the one past capacity is told their place in line
    (again, unchanged, on a second press)."""
    ana, ben, cy = await followers(sim, db, seattle, 3)
    (eva,) = await followers(sim, db, seattle, 1, lang="es")
    action = await limited(muster, seattle.id, 2, "Training")
    await announced_to([ana, ben, cy, eva])
    assert "\n👥 2 places left\n" in card(ana).text
    assert "\n👥 Quedan 2 plazas\n" in card(eva).text
    await answers(ana, YES, HAS_PLACE)
    assert "\n👥 1 place left\n" in card(ana).text
    await answers(ben, YES, HAS_PLACE)
    assert "\n👥 Full: I'll be there puts you on the waitlist\n" in card(ben).text
    for _ in range(2):
        await answers(cy, YES if _ == 0 else f"⏳ {YES}", waiting(1))
        told = cy.callback_answers[-1]
        assert told.show_alert and told.text == (
            "It's full, so you're on the waitlist: 1st in line. If a place opens up before the "
            "start, it's yours and I'll tell you."
        )
    assert card(cy).labels() == [f"⏳ {YES}", NO]
    assert await place_store.in_line(db, action.id) == [cy.id]
    cy.mark_all_read()
    await cy.says("/actions")
    listed = await cy.receives()
    assert "👥 Full" in listed.text and listed.text.endswith(waiting(1))
    eva.mark_all_read()
    await eva.says("/actions")
    assert (
        "\n👥 Completo: con «Ahí estaré» entras en la lista de espera\n"
        in (await eva.receives()).text
    )
    dan = sim.user("Dan")
    await dan.says(f"/start action-{action.id}")
    await dan.waits_for(lambda chat: any(m.text.startswith("📢") for m in chat.messages))
    assert "👥 Full" in card(dan).text
    await answers(dan, YES, waiting(2))
    assert (dan.callback_answers[-1].text or "").startswith(
        "It's full, so you're on the waitlist: 2nd"
    )


async def test_a_cancel_promotes_the_first_in_line_who_may_give_the_place_back(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Someone with a place saying they can't make it gives it to the first in line, who is
    told with a button to give it back; giving it back counts as can't make it and promotes
    the next. Someone who leaves the line with Can't make it is never promoted."""
    ana, ben, cy, dan = await followers(sim, db, seattle, 4)
    action = await limited(muster, seattle.id, 1, "Bus to the capital")
    await announced_to([ana, ben, cy, dan])
    await answers(ana, YES, HAS_PLACE)
    for place, person in enumerate((ben, cy, dan), start=1):
        await answers(person, YES, waiting(place))
    await answers(dan, NO, SAID_NO)
    assert await place_store.in_line(db, action.id) == [ben.id, cy.id]

    await answers(ana, NO, SAID_NO)
    await ben.waits_for(lambda chat: bool(promotions(chat)))
    (told,) = promotions(ben)
    assert told.text.startswith("🎉 A place opened up at Bus to the capital (")
    assert "it's yours" in told.text and told.labels() == [GIVE_BACK]
    assert await action_store.answer_of(db, action.id, ben.id) is Answer.YES
    assert await place_store.in_line(db, action.id) == [cy.id]

    await ben.presses(GIVE_BACK)
    await ben.waits_for(lambda chat: promotions(chat) == [] and chat.last.labels() == [])
    assert ben.last.text.startswith("↩️ You gave your place at Bus to the capital back.")
    await cy.waits_for(lambda chat: bool(promotions(chat)))
    await ben.presses_data(PLACE_BACK.data(action.id), message_id=ben.last.message_id)
    await ben.waits_for(lambda chat: len(chat.callback_answers) == 3)
    assert ben.callback_answers[-1].text == "You don't hold a place at this action any more."
    assert await action_store.answer_of(db, action.id, ben.id) is Answer.NO
    assert await action_store.answer_of(db, action.id, cy.id) is Answer.YES
    assert await place_store.in_line(db, action.id) == []
    await sim.idle()
    assert promotions(dan) == [] and promotions(ana) == []
    count = await action_store.headcount(db, action.id)
    assert (count.yes, count.no, count.waitlisted) == (1, 3, 0)


async def test_someone_in_line_who_paused_is_passed_over_but_keeps_their_place_in_line(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """A place goes to the first in line who can be told of it: one who sent /stop would hold
    a place without knowing, so the next gets it and they stay first in line."""
    ana, ben, cy = await followers(sim, db, seattle, 3)
    action = await limited(muster, seattle.id, 1)
    await announced_to([ana, ben, cy])
    await answers(ana, YES, HAS_PLACE)
    await answers(ben, YES, waiting(1))
    await answers(cy, YES, waiting(2))
    await types(ben, "/stop", "⏸ Paused.")
    await answers(ana, NO, SAID_NO)
    await cy.waits_for(lambda chat: bool(promotions(chat)))
    assert await place_store.in_line(db, action.id) == [ben.id]
    assert promotions(ben) == []


async def test_erasing_someone_with_a_place_promotes_and_erasure_empties_the_line(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """/deleteme of someone in line takes them out of it and out of every table; of someone
    with a place, gives it to the first in line, who is told."""
    ana, ben, cy = await followers(sim, db, seattle, 3)
    action = await limited(muster, seattle.id, 1)
    await announced_to([ana, ben, cy])
    await answers(ana, YES, HAS_PLACE)
    await answers(cy, YES, waiting(1))
    await answers(ben, YES, waiting(2))
    await erases(cy)
    assert await rows_mentioning(db, cy.id) == []
    assert await place_store.in_line(db, action.id) == [ben.id]
    await erases(ana)
    await ben.waits_for(lambda chat: bool(promotions(chat)))
    assert await rows_mentioning(db, ana.id) == []
    assert await action_store.answer_of(db, action.id, ben.id) is Answer.YES
    assert await place_store.in_line(db, action.id) == []


async def test_a_place_freed_after_the_start_goes_to_nobody(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """Once the action began, the line stays as it is: an erasure frees no place for it."""
    ana, ben = seattle_followers[:2]
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        action = await limited(app, 1, 1)
        await announced_to([ana, ben])
        await answers(ana, YES, HAS_PLACE)
        await answers(ben, YES, waiting(1))
        clock.advance(3601)
        await erases(ana)
        await sim.idle()
        assert promotions(ben) == []
        db = services_of(app).db
        assert await place_store.in_line(db, action.id) == [ben.id]
        assert await action_store.answer_of(db, action.id, ben.id) is None


# --- Simultaneous presses ----------------------------------------------------------------------

PLACE_TOLD = re.compile(r"^It's full, so you're on the waitlist: (\d+)(?:st|nd|rd|th) in line\.")


async def test_simultaneous_presses_for_the_last_place_give_it_to_exactly_one(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Forty people press I'll be there at once for the last of three places: one gets it, the
    rest are in line in some order, told their places 1 to 39, as the waitlist holds them."""
    people = await followers(sim, db, seattle, 42)
    action = await limited(muster, seattle.id, 3)
    await announced_to(people)
    for person in people[:2]:
        await answers(person, YES, HAS_PLACE)
    crowd = people[2:]
    for person in crowd:  # each press is only queued: the bot gets them in one batch
        await person.presses(YES, message_id=card(person).message_id)
    assert await sim.wait_until(lambda: all(person.callback_answers for person in crowd), 30)
    told = {person.id: person.callback_answers[-1].text or "" for person in crowd}
    placed = [person_id for person_id, text in told.items() if text == "See you there!"]
    lined = {
        person_id: int(match[1])
        for person_id, text in told.items()
        if (match := PLACE_TOLD.match(text)) is not None
    }
    assert len(placed) == 1 and len(lined) == len(crowd) - 1
    assert sorted(lined.values()) == list(range(1, len(crowd)))
    assert await place_store.in_line(db, action.id) == sorted(lined, key=lambda i: lined[i])
    count = await action_store.headcount(db, action.id)
    assert (count.yes, count.waitlisted) == (3, len(crowd) - 1)


# --- Organizers ----------------------------------------------------------------------------------


async def test_raising_the_capacity_from_myactions_promotes_and_lowering_takes_no_place(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Change places asks for a number, checks who presses it, gives new places to the line
    (who are told), and when lowered below the yes-count takes nobody's place and says so."""
    ana, ben, cy, dan = await followers(sim, db, seattle, 4)
    action = await limited(muster, seattle.id, 1, "Training")
    await announced_to([ana, ben, cy, dan])
    await answers(ana, YES, HAS_PLACE)
    for place, person in enumerate((ben, cy, dan), start=1):
        await answers(person, YES, waiting(place))
    organizer.mark_all_read()
    await organizer.says("/myactions")
    line = await organizer.receives()
    assert line.text.endswith("✅ 1 · ❌ 0 · ⏳ 3\n👥 1 place, 0 left")
    changes = ["🕒 Change time", "📍 Change place", "👥 Change places"]
    assert line.labels() == [*changes, "❌ Cancel action"]
    await ana.presses_data(ACTION_CAPACITY.data(action.id), message_id=card(ana).message_id)
    await ana.waits_for(lambda chat: len(chat.callback_answers) == 2)
    assert ana.callback_answers[-1].text == "That action is not yours to manage."

    await organizer.presses("👥 Change places")
    asked = await organizer.receives()
    assert asked.text.startswith("👥 How many people can come to Training now?")
    await organizer.says("lots")
    assert (await organizer.receives()).text.startswith("Please send the number of places")
    await organizer.says("3")
    assert (await organizer.receives()).text == (
        "👥 Training now has 3 places.\n"
        "🎉 2 people from the waitlist got a place and are being told."
    )
    for person in (ben, cy):
        await person.waits_for(lambda chat: bool(promotions(chat)))
    assert await place_store.in_line(db, action.id) == [dan.id]

    await organizer.presses("👥 Change places", message_id=line.message_id)
    await organizer.receives()
    await organizer.says("1")
    assert (await organizer.receives()).text == (
        "👥 Training now has 1 place.\n"
        "3 people already have a place, more than the new number: nobody loses theirs, and "
        "nobody new gets one until enough give theirs back."
    )
    count = await action_store.headcount(db, action.id)
    assert (count.yes, count.waitlisted) == (3, 1)
    await organizer.presses("👥 Change places", message_id=line.message_id)
    await organizer.receives()
    await organizer.says("/skip")
    assert (await organizer.receives()).text == (
        "👥 Training has no limit on places now.\n"
        "🎉 1 person from the waitlist got a place and is being told."
    )
    await dan.waits_for(lambda chat: bool(promotions(chat)))
    assert (await action_store.get(db, action.id) or action).capacity is None


async def test_rsvps_counts_the_waitlist_beside_yes_and_no(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """/rsvps shows said yes, said no and waitlisted, the places and the check-in line."""
    ana, ben, cy, dan = await followers(sim, db, seattle, 4)
    action = await limited(muster, seattle.id, 1, "Training")
    await announced_to([ana, ben, cy, dan])
    await answers(ana, YES, HAS_PLACE)
    await answers(ben, YES, waiting(1))
    await answers(cy, YES, waiting(2))
    await answers(dan, NO, SAID_NO)
    organizer.mark_all_read()
    await organizer.says(f"/rsvps {action.id}")
    lines = (await organizer.receives()).text.splitlines()
    assert lines[1] == "✅ 1 will be there · ❌ 1 can't make it · ⏳ 2 waitlisted"
    assert lines[3:] == [
        "👥 1 place, 0 left",
        "🎟 Checked in: 0 · 🙋 Said they were there: 0 · Said they couldn't: 0",
    ]


async def test_reminders_and_the_follow_up_pass_the_waitlist_by(
    sim: BotApiSimulator, database_path: Path, seattle_followers: list[SimUser]
) -> None:
    """Someone in line is not in the yes-group: no reminder, no "did you make it?"."""
    ana, ben = seattle_followers[:2]
    settings = make_settings(sim, database_path, reminder_offsets="3s", followup_after="1s")
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        action = await limited(app, 1, 1, "Training", starts_in=6)
        await announced_to([ana, ben])
        await answers(ana, YES, HAS_PLACE)
        await answers(ben, YES, waiting(1))
        await ana.waits_for(lambda chat: chat.last.text.startswith("⏰ Reminder"), timeout=10)
        assert await sim.wait_until(lambda: time.time() > action.starts_at + 1.5, 10)
        assert await services_of(app).turnout.follow_up_due() == 1
        await ana.waits_for(lambda chat: chat.last.text.endswith("did you make it?"))
        await sim.idle()
    assert [m.text for m in ben.messages if not m.text.startswith("📢")] == []


@pytest.mark.parametrize(
    ("language", "numbers", "written"),
    [
        (
            "en",
            (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111),
            "1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 23rd 101st 111th",
        ),
        ("es", (1, 2, 3), "1.º 2.º 3.º"),
        ("zh", (1, 2), "第1 第2"),
        ("vi", (1, 2), "1 2"),
        ("ar", (1, 2), "1 2"),
    ],
)
def test_a_place_in_line_is_written_by_each_languages_ordinal_rules(
    language: str, numbers: tuple[int, ...], written: str
) -> None:
    """CLDR's ordinal categories pick the catalog's text: English tells 1st, 2nd, 3rd and
    11th apart; languages that write every place alike write it one way."""
    assert " ".join(ordinal(language, number) for number in numbers) == written
