"""Stories of supporters choosing the cities they follow."""

from __future__ import annotations

from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage.cities import City


async def test_pressing_a_city_toggles_it_and_edits_the_same_message(
    sim: BotApiSimulator, db: Database, seattle: City, new_york: City
) -> None:
    """The picker is one message whose marks follow each press."""
    ana = sim.user("Ana")
    await ana.says("/start")
    picker = await ana.receives()
    await ana.presses("Seattle")
    await ana.waits_for(lambda chat: chat.last.labels() == ["New York", "✅ Seattle"])
    await ana.presses("New York")
    await ana.waits_for(lambda chat: chat.last.labels() == ["✅ New York", "✅ Seattle"])
    await ana.presses("✅ Seattle")
    await ana.waits_for(lambda chat: chat.last.labels() == ["✅ New York", "Seattle"])
    assert len(ana.messages) == 1 and ana.last.message_id == picker.message_id
    assert [city.slug for city in await city_store.followed_by(db, ana.id)] == ["new-york"]
    assert len(ana.callback_answers) == 3


async def test_cities_command_marks_the_followed_ones(
    sim: BotApiSimulator, seattle: City, new_york: City
) -> None:
    """/cities shows all cities with a mark on those followed."""
    ben = sim.user("Ben")
    await ben.says("/start city-new-york")
    await ben.receives()
    await ben.says("/cities")
    assert (await ben.receives()).labels() == ["✅ New York", "Seattle"]


async def test_many_cities_are_paged(sim: BotApiSimulator, db: Database) -> None:
    """Past one page of cities the picker pages, and marks survive paging."""
    for number in range(20):
        await city_store.add(db, f"city-{number:02}", "UTC", f"City {number:02}")
    cam = sim.user("Cam")
    await cam.says("/cities")
    first = await cam.receives()
    assert len(first.labels()) == 17 and first.labels()[-1] == "Next ▶"
    await cam.presses("Next ▶")
    await cam.waits_for(lambda chat: chat.last.labels()[0] == "City 16")
    await cam.presses("City 17")
    await cam.waits_for(lambda chat: "✅ City 17" in chat.last.labels())
    assert [city.slug for city in await city_store.followed_by(db, cam.id)] == ["city-17"]


async def test_subscribe_by_slug_or_name_in_any_case(
    sim: BotApiSimulator, db: Database, seattle: City, new_york: City
) -> None:
    """/subscribe accepts the slug or the display name, whatever the case."""
    dee = sim.user("Dee")
    await dee.says("/subscribe SEATTLE")
    assert (await dee.receives()).text == "✅ You now follow Seattle."
    await dee.says("/subscribe new york")
    assert (await dee.receives()).text == "✅ You now follow New York."
    await dee.says("/subscribe Seattle")
    assert (await dee.receives()).text == "You already follow Seattle."
    assert len(await city_store.followed_by(db, dee.id)) == 2


async def test_unsubscribe(sim: BotApiSimulator, db: Database, seattle: City) -> None:
    """/unsubscribe drops the city, and says so when it was not followed."""
    eve = sim.user("Eve")
    await eve.says("/start city-seattle")
    await eve.receives()
    await eve.says("/unsubscribe seattle")
    assert (await eve.receives()).text == "You no longer follow Seattle."
    await eve.says("/unsubscribe seattle")
    assert (await eve.receives()).text == "You don't follow Seattle."
    assert await city_store.followed_by(db, eve.id) == []


async def test_unknown_or_missing_city_lists_the_known_ones(
    sim: BotApiSimulator, seattle: City, new_york: City
) -> None:
    """A wrong or missing argument gets what is expected and the known cities."""
    fay = sim.user("Fay", lang="es")
    await fay.says("/subscribe <Atlantis>")
    reply = await fay.receives()
    assert reply.text == "No conozco la ciudad «<Atlantis>». Ciudades: New York, Seattle"
    await fay.says("/unsubscribe")
    assert "Ciudades: New York, Seattle" in (await fay.receives()).text


async def test_my_cities(sim: BotApiSimulator, seattle: City, new_york: City) -> None:
    """/mycities lists the followed cities, or says there are none."""
    gus = sim.user("Gus")
    await gus.says("/mycities")
    assert "don't follow any city" in (await gus.receives()).text
    await gus.says("/subscribe seattle")
    await gus.receives()
    await gus.says("/mycities")
    assert (await gus.receives()).text == "You follow: Seattle."


async def test_a_long_list_of_known_cities_is_cut_short(sim: BotApiSimulator, db: Database) -> None:
    """With hundreds of cities, the unknown-city reply still fits one Telegram message."""
    for number in range(300):
        await city_store.add(db, f"c{number:03}", "UTC", f"A city with a long name {number:03}")
    hal = sim.user("Hal")
    await hal.says("/subscribe atlantis")
    reply = await hal.receives()
    assert reply.text.endswith(", …") and len(reply.text) < 4096


async def test_a_very_long_unknown_city_is_echoed_cut_short(
    sim: BotApiSimulator, seattle: City, new_york: City
) -> None:
    """A 4080-character argument, legal in a message, is echoed cut short, in either language,
    so the unknown-city reply with the known cities still fits one message."""
    typed = ("<Atlantis> " * 371).strip()
    assert len(typed) == 4080
    echoed = typed[:63] + "…"
    fay = sim.user("Fay", lang="es")
    gil = sim.user("Gil", lang="en")
    for command in ("/subscribe", "/unsubscribe"):
        await fay.says(f"{command} {typed}")
        assert (await fay.receives()).text == (
            f"No conozco la ciudad «{echoed}». Ciudades: New York, Seattle"
        )
        await gil.says(f"{command} {typed}")
        assert (await gil.receives()).text == (
            f"I don't know the city “{echoed}”. Known cities: New York, Seattle"
        )


async def test_names_match_in_any_case_beyond_ascii(sim: BotApiSimulator, db: Database) -> None:
    """Accented names match whatever the case, and however the accent was typed."""
    malaga = await city_store.add(db, "malaga", "Europe/Madrid", "Málaga")
    await city_store.add(db, "ostersund", "Europe/Stockholm", "Östersund")
    ivo = sim.user("Ivo")
    await ivo.says("/subscribe MÁLAGA")
    assert (await ivo.receives()).text == "✅ You now follow Málaga."
    await ivo.says("/subscribe o\N{COMBINING DIAERESIS}stersund")  # "ö" as two code points
    assert (await ivo.receives()).text == "✅ You now follow Östersund."
    await ivo.says("/unsubscribe málaga")
    assert (await ivo.receives()).text == "You no longer follow Málaga."
    assert await city_store.find(db, "MALAGA") == malaga  # the slug, in capitals
    assert [city.slug for city in await city_store.followed_by(db, ivo.id)] == ["ostersund"]
