"""How often one update goes to the database. Each trip to aiosqlite's thread is a queue
hand-off and a wake-up of the event loop, and in a storm of sign-ups every person pays it:
/start of a newcomer costs at most 5 (the issue's bound; it costs 2), a returning
supporter's 2, and the supporter is read once per update whatever the steps that ask.
Recording updates in the inbox (bot/polling.py) is a trip per batch, not per update; it is
left out here and counted in bench/signup.py's trips per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.context import MusterApp
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage.cities import City
from tests.test_actions import announce
from tests.test_petitions import SIGNED, start_petition


@dataclass
class Trips:
    """What one stretch of a story asked of the database's thread."""

    calls: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.calls)

    @property
    def supporter_reads(self) -> int:
        return sum("FROM supporters WHERE user_id" in call for call in self.calls)


@contextmanager
def counting(db: Database) -> Iterator[Trips]:
    """Every function aiosqlite runs on its thread goes through Connection._execute: each
    call is one trip, however many statements the function runs there."""
    connection = db.connection
    trips = Trips()
    original: Callable[..., Awaitable[Any]] = connection._execute

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        if not _inbox_only(function):
            trips.calls.append(f"{getattr(function, '__qualname__', function)} {args!r:.120}")
        return await original(function, *args, **kwargs)

    connection._execute = counted  # type: ignore[method-assign,assignment]
    try:
        yield trips
    finally:
        del connection._execute


def _inbox_only(function: Any) -> bool:
    """A grouped write made only of the poller's inbox work (recording a fetched batch,
    removing handled updates): one trip per getUpdates batch of up to 100 updates, or per
    burst of handled ones, not a trip of any one update's handling. (When it shares a
    transaction with an update's own change, the trip is counted.)"""
    batch: list[Any] = getattr(function, "keywords", {}).get("batch") or []
    return bool(batch) and all(pending.work.__module__ == "storage.inbox" for pending in batch)


async def says(sim: BotApiSimulator, db: Database, person: SimUser, text: str) -> Trips:
    await sim.idle()
    with counting(db) as trips:
        await person.says(text)
        await person.receives()
        await sim.idle()
    return trips


async def test_a_newcomer_by_a_city_link_costs_two_trips(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Reading who they are, then signing up and following Seattle in one transaction (the
    list of cities is read once, by the first /start, and kept)."""
    await says(sim, db, sim.user("Ana"), "/start")
    maria = sim.user("Maria")
    trips = await says(sim, db, maria, "/start city-seattle")
    assert maria.last.text.endswith("You now follow Seattle."), maria.last.text
    assert trips.count <= 2, trips.calls
    assert trips.supporter_reads == 1, trips.calls


async def test_a_returning_supporter_costs_two_trips(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Back with /start, or with the link again: their cities are known from the same trip
    that finds them active."""
    maria = sim.user("Maria")
    await says(sim, db, maria, "/start city-seattle")
    again = await says(sim, db, maria, "/start")
    assert "Seattle" in maria.last.text
    by_link = await says(sim, db, maria, "/start city-seattle")
    assert "already follow" in maria.last.text
    for trips in (again, by_link):
        assert trips.count <= 2, trips.calls
        assert trips.supporter_reads == 1, trips.calls


async def test_an_rsvp_press_costs_three_trips(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
) -> None:
    """The action, the supporter (their language and whether they are signed up: one read
    for both), and the answer."""
    maria = sim.user("Maria")
    await says(sim, db, maria, "/start city-seattle")
    await announce(muster, organizer, seattle, 3600, "Vigil")
    await maria.waits_for(lambda chat: "Vigil" in chat.last.text)
    await sim.idle()
    with counting(db) as trips:
        await maria.presses("I'll be there")
        await maria.waits_for(lambda chat: chat.last.text.endswith("✅ I'll be there"))
        await sim.idle()
    assert trips.count <= 3, trips.calls
    assert trips.supporter_reads == 1, trips.calls


async def test_a_city_toggle_costs_two_trips(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City
) -> None:
    """Whether they are signed up, then the flip, which answers with the cities followed."""
    maria = sim.user("Maria")
    await says(sim, db, maria, "/start city-seattle")
    with counting(db) as trips:
        await maria.presses("✅ Seattle")
        await maria.waits_for(lambda chat: chat.last.labels() == ["Seattle"])
        await sim.idle()
    assert trips.count <= 2, trips.calls
    assert trips.supporter_reads == 1, trips.calls


async def test_a_sign_press_costs_two_trips(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
) -> None:
    """The supporter (signed up? their language?), then one trip that checks the petition
    and the follow, signs, and reads the count the card shows."""
    maria = sim.user("Maria")
    await says(sim, db, maria, "/start city-seattle")
    await start_petition(muster, organizer, seattle)
    await maria.waits_for(lambda chat: chat.last.labels() == ["✍️ Sign"])
    await sim.idle()
    with counting(db) as trips:
        await maria.presses("✍️ Sign")
        await maria.waits_for(lambda chat: chat.last.labels() == SIGNED)
        await sim.idle()
    assert trips.count <= 2, trips.calls
    assert trips.supporter_reads == 1, trips.calls
