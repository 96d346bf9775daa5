"""Stories of an admin adding cities, and of others who must not."""

from __future__ import annotations

from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store


async def test_admin_adds_a_city(admin: SimUser, db: Database) -> None:
    """/addcity with slug, time zone and a multi-word name creates the city."""
    await admin.says("/addcity washington-dc America/New_York Washington, D.C.")
    assert (await admin.receives()).text == (
        "Added Washington, D.C. (washington-dc, America/New_York)."
    )
    city = await city_store.find(db, "washington-dc")
    assert city is not None and city.name == "Washington, D.C."


async def test_admin_gets_clear_replies_for_bad_arguments(admin: SimUser, db: Database) -> None:
    """Missing arguments, a bad slug, an unknown zone and a duplicate each say what is wrong."""
    await admin.says("/addcity seattle")
    assert (await admin.receives()).text.startswith("Usage: /addcity slug timezone name")
    await admin.says("/addcity Seattle! America/Los_Angeles Seattle")
    assert "is not a valid slug" in (await admin.receives()).text
    await admin.says("/addcity seattle Mars/Olympus_Mons Seattle")
    assert "not a time zone I know" in (await admin.receives()).text
    await admin.says("/addcity seattle ../../etc/passwd Seattle")
    assert "not a time zone I know" in (await admin.receives()).text
    await admin.says("/addcity seattle America/Los_Angeles Seattle")
    await admin.receives()
    await admin.says("/addcity seattle America/Los_Angeles Seattle again")
    assert "exists already" in (await admin.receives()).text
    assert len(await city_store.all_cities(db)) == 1


async def test_non_admin_cannot_add_a_city_nor_learn_the_command_exists(
    sim: BotApiSimulator, db: Database
) -> None:
    """A supporter's /addcity gets exactly the unknown-command reply."""
    mallory = sim.user("Mallory")
    await mallory.says("/addcity seattle America/Los_Angeles Seattle")
    refused = await mallory.receives()
    await mallory.says("/nosuchcommand")
    assert refused.text == (await mallory.receives()).text
    assert await city_store.all_cities(db) == []


async def test_city_names_are_bounded(admin: SimUser, db: Database) -> None:
    """A display name too long for buttons and alerts is refused with the limit."""
    await admin.says("/addcity longname UTC " + "x" * 65)
    assert "under 64 characters" in (await admin.receives()).text
    assert await city_store.all_cities(db) == []


async def test_a_very_long_slug_or_zone_is_echoed_cut_short(admin: SimUser, db: Database) -> None:
    """A slug or time zone thousands of characters long gets its usual reply, quoting it cut
    short, rather than a reply too long for Telegram."""
    slug, zone = "X" * 4000, "Mars/" + "x" * 4000
    await admin.says(f"/addcity {slug} UTC Atlantis")
    assert (await admin.receives()).text.startswith(f"“{'X' * 63}…” is not a valid slug")
    await admin.says(f"/addcity atlantis {zone} Atlantis")
    assert (await admin.receives()).text.startswith(
        f"“Mars/{'x' * 58}…” is not a time zone I know."
    )
    assert await city_store.all_cities(db) == []
