"""Stories of people who send too much at once: they are told once and ignored for a minute,
and nobody else waits for them."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.flood import Flood, FloodControl
from bot.gate import GatedOrder
from bot.runtime import running
from bot.settings import Settings
from simulator.server import BotApiSimulator
from storage import cities as city_store
from storage.cities import City
from tests.conftest import TOKEN

NOTICE = (
    "⏳ That is a lot of messages at once. I'll ignore what you send for a minute; you can "
    "write again after that."
)


def your_id(user_id: int) -> str:
    return f"Your Telegram user id is {user_id}."


@pytest.fixture
def clock() -> ManualClock:
    """Stands still unless a story moves it: a burst is all at one instant."""
    return ManualClock()


@pytest.fixture
async def muster(settings: Settings, clock: ManualClock) -> AsyncIterator[MusterApp]:
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        yield app


async def test_a_flooder_is_answered_twenty_times_told_once_then_ignored_for_a_minute(
    sim: BotApiSimulator,
    muster: MusterApp,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Thirty messages in a burst: the first twenty (FLOOD_LIMIT) are answered, then one
    notice, then nothing until a minute has passed; it is logged once, without the text."""
    caplog.set_level(logging.INFO)
    eve = sim.user("Eve")
    for number in range(30):
        await eve.says(f"/myid {number}")
    await eve.waits_for(lambda chat: len(chat.messages) == 21, timeout=10)
    await sim.idle()
    assert [message.text for message in eve.messages] == [your_id(eve.id)] * 20 + [NOTICE]
    clock.advance(59)
    await eve.says("/myid")
    await sim.idle()
    assert len(eve.messages) == 21
    clock.advance(2)
    await eve.says("/myid")
    assert (await eve.receives()).text == your_id(eve.id)
    await sim.idle()
    assert len(eve.messages) == 22
    logged = [record.getMessage() for record in caplog.records if record.name == "handlers.guard"]
    assert len(logged) == 1 and "ignored for 60 s" in logged[0]
    assert "/myid" not in logged[0] and str(eve.id) not in logged[0]


async def test_others_are_answered_at_once_while_a_flooder_waits_for_their_replies(
    sim: BotApiSimulator, muster: MusterApp
) -> None:
    """Telegram lets the bot answer Eve's chat about once a second, so her twenty answers
    take twenty seconds; Bob, writing after all thirty of hers, is answered within a couple
    of seconds, long before her backlog drains. What she sent past the limit is not held
    either: it is done with as it arrives."""
    sim.per_chat_limit = 1
    eve, bob = sim.user("Eve"), sim.user("Bob")
    for _ in range(30):
        await eve.says("/myid")
    asked = time.monotonic()
    await bob.says("/myid")
    assert (await bob.receives(timeout=10)).text == your_id(bob.id)
    assert time.monotonic() - asked < 3.0
    # Her twenty answers and the notice take about 21 s at a message a second: most wait.
    assert len(eve.messages) < 21
    processor = muster.update_processor
    assert isinstance(processor, GatedOrder)
    # In hand: at most her twenty, the notice's update and Bob's own, finishing. Her nine
    # ignored ones are gone already, not waiting behind the rest of hers.
    assert len(processor.in_hand) <= 22
    sim.per_chat_limit = None  # the rest of her backlog goes out at once: the story is told
    await eve.waits_for(lambda chat: len(chat.messages) == 21, timeout=20)
    await sim.idle()
    assert eve.messages[-1].text == NOTICE and len(eve.messages) == 21


async def test_button_presses_count_and_get_an_empty_answer_while_ignored(
    sim: BotApiSimulator, muster: MusterApp, seattle: City
) -> None:
    """Presses count like messages: /cities and 24 presses of Seattle make 25 updates; the
    first 19 presses toggle the city (so it ends followed), the 20th press over the limit
    brings the notice, and every press is answered, those ignored with no text."""
    dee = sim.user("Dee")
    await dee.says("/cities")
    picker = await dee.receives()
    button = picker.button("Seattle")
    assert button is not None and button.callback_data is not None
    for _ in range(24):
        await dee.presses_data(button.callback_data, picker.message_id)
    await dee.waits_for(lambda chat: len(dee.callback_answers) == 24, timeout=10)
    await dee.waits_for(lambda chat: chat.last.text == NOTICE, timeout=10)
    await sim.idle()
    db = services_of(muster).db
    assert await city_store.followed_by(db, dee.id) == [seattle]  # 19 toggles: odd
    assert [answer.text for answer in dee.callback_answers[19:]] == [None] * 5
    assert [message.text for message in dee.messages].count(NOTICE) == 1


async def test_admins_are_never_ignored(sim: BotApiSimulator, muster: MusterApp) -> None:
    """An admin banning a wave of trolls sends many commands at once: all are answered."""
    alex = sim.user("Alex", user_id=42)  # ADMIN_IDS in the test settings
    for _ in range(25):
        await alex.says("/myid")
    await alex.waits_for(lambda chat: len(chat.messages) == 25, timeout=10)
    await sim.idle()
    assert NOTICE not in [message.text for message in alex.messages]


def test_memory_holds_only_people_active_in_the_last_ten_seconds() -> None:
    """A storm of 20,000 different people leaves nothing behind once ten quiet seconds
    pass, and a flooder is forgotten once their minute is over."""
    clock = ManualClock()
    flood = FloodControl(limit=20, clock=clock)
    for user_id in range(20_000):
        assert flood.count(user_id) is Flood.CALM
    assert flood.tracked() == 20_000
    flooder = 99_999
    outcomes = [flood.count(flooder) for _ in range(21)]
    assert outcomes == [Flood.CALM] * 20 + [Flood.STARTS]
    assert flood.count(flooder) is Flood.IGNORED
    clock.advance(10)
    assert flood.count(20_001) is Flood.CALM
    assert flood.tracked() == 2  # the newcomer, and the flooder still ignored
    clock.advance(50)
    assert flood.count(flooder) is Flood.CALM
    assert flood.tracked() == 1


def test_the_window_slides() -> None:
    """Twenty updates, then one more just over ten seconds after the first, is no flood; one
    more within ten seconds of the second is."""
    clock = ManualClock()
    flood = FloodControl(limit=20, clock=clock)
    for _ in range(20):
        assert flood.count(7) is Flood.CALM
        clock.advance(0.5)
    # The first is now exactly ten seconds old: out of the window.
    assert flood.count(7) is Flood.CALM
    assert flood.count(7) is Flood.STARTS
