"""Stories of supporters signing up with /start, with and without deep links."""

from __future__ import annotations

from bot.context import MusterApp
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.cities import City
from storage.supporters import Status


async def test_newcomer_is_registered_and_shown_the_city_picker(
    sim: BotApiSimulator, db: Database, seattle: City, new_york: City
) -> None:
    """A first /start stores the person and offers every city as a button."""
    maria = sim.user("Maria", lang="en")
    await maria.says("/start")
    welcome = await maria.receives()
    assert "Welcome to Muster" in welcome.text
    assert welcome.labels() == ["New York", "Seattle"]
    supporter = await supporter_store.get(db, maria.id)
    assert supporter is not None
    assert (supporter.language, supporter.status, supporter.source) == ("en", Status.ACTIVE, None)


async def test_spanish_speaker_is_greeted_in_spanish(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """Telegram's es-* language code makes Spanish the supporter's language."""
    lucia = sim.user("Lucía", lang="es-MX")
    await lucia.says("/start")
    assert "Bienvenida/o a Muster" in (await lucia.receives()).text
    supporter = await supporter_store.get(db, lucia.id)
    assert supporter is not None and supporter.language == "es"


async def test_city_deep_link_follows_the_city_at_once(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """/start city-seattle registers the supporter, follows Seattle and records the source."""
    ana = sim.user("Ana", lang="es")
    await ana.says("/start city-seattle")
    reply = await ana.receives()
    assert "Ahora sigues Seattle" in reply.text
    assert reply.labels() == ["✅ Seattle"]
    assert [city.slug for city in await city_store.followed_by(db, ana.id)] == ["seattle"]
    supporter = await supporter_store.get(db, ana.id)
    assert supporter is not None and supporter.source == "city:seattle"


async def test_referral_deep_link_records_where_the_supporter_came_from(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """/start ref-<code> stores the code as the source, once, at first contact."""
    omar = sim.user("Omar")
    await omar.says("/start ref-amazon_petition-2026")
    await omar.receives()
    await omar.says("/start ref-somewhere-else")
    await omar.receives()
    supporter = await supporter_store.get(db, omar.id)
    assert supporter is not None and supporter.source == "ref:amazon_petition-2026"


async def test_unknown_payloads_are_ignored(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """An unknown city, a malformed referral or junk payload is treated as a plain /start."""
    for number, payload in enumerate(["city-atlantis", "ref-<script>", "x" * 64, "city-"]):
        person = sim.user(f"Person {number}")
        await person.says(f"/start {payload}")
        assert "Welcome to Muster" in (await person.receives()).text
        supporter = await supporter_store.get(db, person.id)
        assert supporter is not None and supporter.source is None
        assert await city_store.followed_by(db, person.id) == []


async def test_returning_supporter_sees_their_cities(
    sim: BotApiSimulator, seattle: City, new_york: City
) -> None:
    """A second /start lists the followed cities instead of the welcome."""
    kim = sim.user("Kim")
    await kim.says("/start city-seattle")
    await kim.receives()
    await kim.says("/start")
    assert (await kim.receives()).text.startswith("Welcome back! You follow: Seattle.")


async def test_returning_supporter_with_no_cities_is_pointed_to_the_picker(
    sim: BotApiSimulator, seattle: City
) -> None:
    """A supporter following nothing is told how to pick cities."""
    kim = sim.user("Kim")
    await kim.says("/start")
    await kim.receives()
    await kim.says("/start")
    assert "/cities" in (await kim.receives()).text


async def test_stop_pauses_and_start_resumes(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """/stop pauses a supporter; /start makes them active again and says so."""
    lee = sim.user("Lee")
    await lee.says("/start city-seattle")
    await lee.receives()
    await lee.says("/stop")
    assert "Paused" in (await lee.receives()).text
    assert (await supporter_store.get(db, lee.id)).status is Status.PAUSED  # type: ignore[union-attr]
    assert await city_store.follower_count(db, seattle.id) == 0
    await lee.says("/start")
    assert "alerts are on again" in (await lee.receives()).text
    assert await city_store.follower_count(db, seattle.id) == 1


async def test_a_paused_supporter_coming_back_through_a_link_is_told_alerts_are_on(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """Lee paused, then taps a city link: he hears his alerts are on again, then the link's
    answer."""
    lee = sim.user("Lee")
    await lee.says("/start city-seattle")
    await lee.receives()
    await lee.says("/stop")
    await lee.receives()
    await lee.says("/start city-seattle")
    assert (await lee.receives()).text == "Welcome back: your alerts are on again."
    assert (await lee.receives()).text == "You already follow Seattle."
    assert (await supporter_store.get(db, lee.id)).status is Status.ACTIVE  # type: ignore[union-attr]


async def test_start_without_any_city_says_none_exist_yet(
    sim: BotApiSimulator, muster: MusterApp
) -> None:
    """Before an admin adds a city, a newcomer is told to check back."""
    zoe = sim.user("Zoe")
    await zoe.says("/start")
    reply = await zoe.receives()
    assert "No cities have been added yet" in reply.text
    assert reply.labels() == []
