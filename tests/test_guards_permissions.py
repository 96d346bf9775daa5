"""Who may act on a city's broadcasts, checked on every button press: Stop and Unschedule
belong to those who may reach the broadcast's city, and Send now or Schedule on a draft ask
again whether its author still may."""

from __future__ import annotations

import time

from bot.app import services_of
from bot.context import MusterApp
from simulator.driver import CallbackAnswer, SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import organizers as organizer_store
from storage.broadcasts import Content, Outcome, State
from storage.cities import City
from tests.conftest import ADMIN_ID, followers

NOT_YOURS = "That broadcast is not yours to manage."
NOT_YOUR_CITY = "You may not broadcast to that city."
RALLY = "Rally at the Amazon warehouse, 6pm."


async def answer_to(person: SimUser, press: str) -> CallbackAnswer:
    """The bot's answer to that button press of the person's."""
    await person.waits_for(
        lambda chat: any(a.callback_query_id == press for a in chat.callback_answers)
    )
    return next(a for a in person.callback_answers if a.callback_query_id == press)


async def compose(organizer: SimUser, city: str) -> None:
    """The organizer goes from /broadcast to the preview with its Send now and Schedule."""
    organizer.mark_all_read()
    await organizer.says("/broadcast")
    picker = await organizer.receives()
    await organizer.presses(city, message_id=picker.message_id)
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send the message"))
    await organizer.says(RALLY)
    await organizer.waits_for(lambda chat: "📣 Send now" in chat.last.labels())


async def moved_to(db: Database, organizer: SimUser, city: City) -> None:
    """The admin takes the organizer's cities away and grants this one instead."""
    await organizer_store.demote(db, ADMIN_ID, organizer.id)
    await organizer_store.promote(db, ADMIN_ID, organizer.id, [city.id], all_cities=False)


async def test_the_stop_button_of_another_citys_broadcast_is_refused(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Olga, organizer for Seattle, forging the Stop button of New York's broadcast while it
    goes out is told it is not hers, and New York's followers all get it."""
    people = await followers(sim, db, new_york, 40)
    engine = services_of(muster).engine
    broadcast = await broadcast_store.create(db, ADMIN_ID, new_york.id, Content(RALLY))
    await engine.send_now(broadcast.id)
    assert await sim.wait_until(lambda: any(person.messages for person in people), 5)
    press = await organizer.presses_data(f"bc:stop:{broadcast.id}")
    answer = await answer_to(organizer, press)
    assert (answer.text, answer.show_alert) == (NOT_YOURS, True)
    await engine.wait(broadcast.id)
    finished = await broadcast_store.get(db, broadcast.id)
    assert finished is not None and finished.state is State.DONE
    assert (await broadcast_store.counts(db, broadcast.id))[Outcome.SENT] == 40
    assert all(len(person.messages) == 1 for person in people)


async def test_the_unschedule_button_of_another_citys_broadcast_is_refused(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Olga, organizer for Seattle, forging the Unschedule button of a broadcast scheduled
    for New York is told it is not hers, and it stays scheduled."""
    scheduled = await broadcast_store.create(
        db, ADMIN_ID, new_york.id, Content(RALLY), send_at=int(time.time()) + 3600
    )
    await services_of(muster).broadcasts.arm(scheduled)
    press = await organizer.presses_data(f"bc:unschedule:{scheduled.id}")
    answer = await answer_to(organizer, press)
    assert (answer.text, answer.show_alert) == (NOT_YOURS, True)
    still = await broadcast_store.get(db, scheduled.id)
    assert still is not None and still.state is State.SCHEDULED


async def test_send_now_on_a_draft_for_a_city_taken_away_sends_nothing(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Moved from Seattle to New York while previewing a broadcast to Seattle, Olga is refused
    Send now with the reason, and nobody in Seattle gets anything."""
    people = await followers(sim, db, seattle, 3)
    await compose(organizer, "Seattle")
    await moved_to(db, organizer, new_york)
    press = await organizer.presses("📣 Send now")
    answer = await answer_to(organizer, press)
    assert (answer.text, answer.show_alert) == (NOT_YOUR_CITY, True)
    await sim.idle()
    assert await broadcast_store.recent(db) == []
    assert all(person.messages == [] for person in people)


async def test_schedule_on_a_draft_for_a_city_taken_away_is_refused(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """Moved from Seattle to New York while previewing a broadcast to Seattle, Olga is refused
    Schedule with the reason rather than asked when, and a time she types schedules nothing."""
    await compose(organizer, "Seattle")
    choices = organizer.last
    await moved_to(db, organizer, new_york)
    press = await organizer.presses("🕒 Schedule")
    answer = await answer_to(organizer, press)
    assert (answer.text, answer.show_alert) == (NOT_YOUR_CITY, True)
    await organizer.says("2030-05-01 18:00")
    await sim.idle()
    assert choices.edited == 0 and "📣 Send now" in choices.labels()
    assert await broadcast_store.in_state(db, State.SCHEDULED) == []
