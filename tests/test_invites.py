"""Invite links that count: a supporter's own link, organizers' campaign links and /links, and
who may use them."""

from __future__ import annotations

import re

from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.cities import City
from tests.test_account import rows_mentioning

LINK = re.compile(r"https://t\.me/\S+\?start=ref-([A-Za-z0-9_-]+)")


async def invite_of(person: SimUser) -> tuple[str, str]:
    """What /invite tells the person: their code, and the reply's last line."""
    person.mark_all_read()
    await person.says("/invite")
    text = (await person.receives()).text
    found = LINK.search(text)
    assert found is not None, text
    return found[1], text.splitlines()[-1]


async def started(sim: BotApiSimulator, name: str, payload: str = "") -> SimUser:
    person = sim.user(name)
    await person.says(f"/start {payload}".strip())
    await person.receives()
    return person


async def test_newcomers_through_anas_link_count_and_a_supporter_already_here_does_not(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """Ana's /invite gives a random link of her own, the same every time; two newcomers who
    open it count, in the right plural, and Dee, signed up before, opening it counts nothing."""
    ana = await started(sim, "Ana")
    dee = await started(sim, "Dee")
    code, said = await invite_of(ana)
    assert said.endswith("Nobody has joined through it yet.")
    assert re.fullmatch(r"[A-Za-z0-9_-]{10}", code) and str(ana.id) not in code
    await started(sim, "Ben", f"ref-{code}")
    assert (await invite_of(ana)) == (code, "1 person joined through your link 🎉")
    await dee.says(f"/start ref-{code}")
    await dee.receives()
    await started(sim, "Cai", f"ref-{code}")
    assert (await invite_of(ana)) == (code, "2 people joined through your link 🎉")
    assert (await invite_of(dee))[0] != code  # everyone has a link of their own


async def test_someone_not_signed_up_is_told_to_start_first(
    sim: BotApiSimulator, db: Database
) -> None:
    """/invite from a stranger makes no link: a link needs a supporter to belong to."""
    ned = sim.user("Ned")
    await ned.says("/invite")
    assert (await ned.receives()).text.startswith("You are not signed up")
    assert await db.fetch_all("SELECT 1 FROM invite_links") == []


async def test_the_code_is_erased_with_ana_and_her_newcomers_keep_a_neutral_source(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """After Ana's /deleteme her code is in no row and no byte of the database; Ben, who came
    by her link, stays signed up, his source now "ref:erased"."""
    ana = await started(sim, "Ana")
    code, _ = await invite_of(ana)
    ben = await started(sim, "Ben", f"ref-{code}")
    await ana.says("/deleteme")
    await ana.receives()
    await ana.presses("Yes, erase everything")
    await ana.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))

    assert await rows_mentioning(db, ana.id) == []
    assert await db.fetch_all("SELECT 1 FROM invite_links") == []
    kept = await supporter_store.get(db, ben.id)
    assert kept is not None and kept.source == "ref:erased"
    for path in (db.path, db.path.with_name(db.path.name + "-wal")):
        if path.exists():
            assert code.encode() not in path.read_bytes(), path


async def test_a_campaign_link_counts_its_newcomers_under_its_name_and_follows_its_city(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """Olga's /newlink Spring flyer seattle: a newcomer who opens it follows Seattle and counts
    for it. /links shows one sign-up as "fewer than 5", then five as 5."""
    await organizer.says("/newlink Spring flyer seattle")
    made = (await organizer.receives()).text
    assert made.startswith("🔗 Campaign link Spring flyer for Seattle:")
    found = LINK.search(made)
    assert found is not None
    code = found[1]
    eve = sim.user("Eve")
    await eve.says(f"/start ref-{code}")
    assert (await eve.receives()).text == "👋 Welcome to Muster! You now follow Seattle."
    assert [city.slug for city in await city_store.followed_by(db, eve.id)] == ["seattle"]

    listed = await links_of(organizer)
    assert "🔗 Spring flyer, for Seattle\n" in listed
    assert (
        f"?start=ref-{code}\nSign-ups: fewer than 5 in the last 7 days, fewer than 5 in all"
        in listed
    )
    for number in range(4):  # four more, as if they had opened it
        await supporter_store.arrive(db, 5000 + number, "en", f"ref:{code}")
    listed = await links_of(organizer)
    assert f"?start=ref-{code}\nSign-ups: 5 in the last 7 days, 5 in all" in listed
    # Seattle's own link is listed too; nobody came by it.
    assert (
        "?start=city-seattle\nSign-ups: fewer than 5 in the last 7 days, fewer than 5 in all"
        in listed
    )


async def links_of(person: SimUser) -> str:
    person.mark_all_read()
    await person.says("/links")
    return (await person.receives()).text


async def test_links_lists_an_organizers_cities_and_admins_everything(
    sim: BotApiSimulator, admin: SimUser, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """An admin's link for New York is not in Seattle organizer Olga's /links, nor is New
    York's city link; the admin's /links has both cities and both campaign links."""
    await admin.says("/newlink Subway ads new-york")
    assert "for New York" in (await admin.receives()).text
    await organizer.says("/newlink Town hall seattle")
    await organizer.receives()
    olga_sees = await links_of(organizer)
    assert "Town hall" in olga_sees and "Seattle" in olga_sees
    assert "Subway ads" not in olga_sees and "New York" not in olga_sees
    admin_sees = await links_of(admin)
    for shown in ("Town hall", "Subway ads", "?start=city-seattle", "?start=city-new-york"):
        assert shown in admin_sees


async def test_newlink_says_what_is_wrong(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """No name, a name over 64 characters and a city Olga does not organize in each get a
    clear reply and make no link; a name with markup is kept as plain text."""
    replies = []
    for command in ("/newlink", f"/newlink {'x' * 65}", "/newlink Flyer new-york"):
        organizer.mark_all_read()
        await organizer.says(command)
        replies.append((await organizer.receives()).text)
    assert replies[0].startswith("Usage: /newlink name [city]")
    assert replies[1].startswith("A link's name can have at most 64 characters")
    assert replies[2] == "You don't organize in New York, so you cannot make a link for it."
    assert await db.fetch_all("SELECT 1 FROM invite_links") == []
    organizer.mark_all_read()
    await organizer.says("/newlink <b>Rally</b> & more")
    made = await organizer.receives()
    assert made.text.startswith("🔗 Campaign link <b>Rally</b> & more:")
    assert "&lt;b&gt;Rally&lt;/b&gt; &amp; more" in made.html


async def test_commands_for_others_get_the_unknown_command_reply(
    sim: BotApiSimulator, organizer: SimUser, seattle: City
) -> None:
    """A supporter's /newlink, /links, /qr, /export and /audit, and an organizer's /export and
    /audit, get exactly the reply of a command that does not exist."""
    unknown = "I don't know that command. Send /help to see what I can do."
    sam = await started(sim, "Sam")
    for command in ("/newlink Flyer seattle", "/links", "/qr", "/export", "/audit"):
        await sam.says(command)
        assert (await sam.receives()).text == unknown, command
    for command in ("/export", "/audit"):
        await organizer.says(command)
        assert (await organizer.receives()).text == unknown, command


async def test_help_and_menus_offer_each_role_its_new_commands(
    sim: BotApiSimulator, admin: SimUser, organizer: SimUser, seattle: City
) -> None:
    """/help lists /invite to everyone, /newlink, /links and /qr to organizers, /export and
    /audit to admins only; the command menus say the same."""
    sam = await started(sim, "Sam")
    await admin.says("/start")  # Telegram takes an admin's own menu from then on
    await admin.receives()
    helps = []
    for person in (sam, organizer, admin):
        person.mark_all_read()
        await person.says("/help")
        helps.append((await person.receives()).text)
    supporter, organizers, admins = helps
    assert "/invite: your link to invite friends" in supporter and "/newlink" not in supporter
    assert (
        all(c in organizers for c in ("/newlink", "/links", "/qr")) and "/export" not in organizers
    )
    assert "/export: daily counts" in admins and "/audit: the latest" in admins
    everyone = [command["command"] for command in sim.commands()]
    assert "invite" in everyone and "qr" not in everyone
    mine = [command["command"] for command in sim.commands({"type": "chat", "chat_id": admin.id})]
    assert {"newlink", "links", "qr", "export", "audit"} <= set(mine)
