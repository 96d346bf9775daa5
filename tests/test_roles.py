"""Stories of admins naming organizers, and of organizers staying within their cities."""

from __future__ import annotations

from collections.abc import Callable

from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database, audit
from storage import organizers as organizer_store
from storage.cities import City


async def test_admin_promotes_lists_and_demotes_an_organizer(
    sim: BotApiSimulator, admin: SimUser, db: Database, seattle: City, new_york: City
) -> None:
    """/promote grants cities by slug and tells the person; /organizers shows it; /demote
    takes it back; each step is in the audit log."""
    nora = sim.user("Nora", user_id=5550001)
    await nora.says("/start")
    await nora.receives()
    await admin.says(f"/promote {nora.id} seattle NEW-YORK")
    assert (await admin.receives()).text == f"{nora.id} is now an organizer for: New York, Seattle."
    assert "You are now an organizer for: New York, Seattle." in (await nora.receives()).text
    scope = {"type": "chat", "chat_id": nora.id}
    assert "broadcast" in [command["command"] for command in sim.commands(scope=scope)]
    await admin.says("/organizers")
    assert f"{nora.id}: New York, Seattle" in (await admin.receives()).text
    await admin.says(f"/demote {nora.id}")
    assert (await admin.receives()).text == f"{nora.id} is no longer an organizer."
    assert await organizer_store.get(db, nora.id) is None
    assert sim.commands(scope=scope) == []
    actions = [(entry.action, entry.actor_id, entry.subject_id) for entry in await audit.recent(db)]
    assert ("promote", admin.id, nora.id) in actions
    assert ("demote", admin.id, nora.id) in actions


async def test_promote_all_cities(
    sim: BotApiSimulator, admin: SimUser, db: Database, seattle: City
) -> None:
    """/promote <id> all grants every city, including ones added later."""
    omar = sim.user("Omar")
    await omar.says("/start")
    await omar.receives()
    await admin.says(f"/promote {omar.id} all")
    assert (await admin.receives()).text.endswith("organizer for: all cities.")
    organizer = await organizer_store.get(db, omar.id)
    assert organizer is not None and organizer.may_reach(None) and organizer.may_reach(999)


async def test_promote_refuses_strangers_usernames_and_unknown_cities(
    sim: BotApiSimulator, admin: SimUser, db: Database, seattle: City
) -> None:
    """Only ids of people who started the bot, and only known city slugs, are accepted."""
    await admin.says("/promote 777 seattle")
    assert "has not started the bot" in (await admin.receives()).text
    await admin.says("/promote @someone seattle")
    assert (await admin.receives()).text.startswith("Usage: /promote user_id")
    pia = sim.user("Pia")
    await pia.says("/start")
    await pia.receives()
    await admin.says(f"/promote {pia.id} seattle atlantis")
    assert "Unknown cities: atlantis. Known slugs: seattle" in (await admin.receives()).text
    await admin.says("/demote")
    assert (await admin.receives()).text.startswith("Usage: /demote user_id")
    assert await organizer_store.everyone(db) == []


async def test_non_admins_get_the_unknown_command_reply_for_role_commands(
    sim: BotApiSimulator, organizer: SimUser, db: Database
) -> None:
    """An organizer cannot promote anyone, not even themselves, nor see who organizes."""
    unknown = "I don't know that command. Send /help to see what I can do."
    for command in (f"/promote {organizer.id} all", f"/demote {organizer.id}", "/organizers"):
        await organizer.says(command)
        assert (await organizer.receives()).text == unknown
    found = await organizer_store.get(db, organizer.id)
    assert found is not None and not found.all_cities


async def test_organizer_sees_only_their_cities_and_forged_presses_are_refused(
    sim: BotApiSimulator, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """The city picker offers only reachable cities; forged data for another city, or for
    all cities, gets an alert and changes nothing."""
    await organizer.says("/broadcast")
    picker = await organizer.receives()
    assert picker.labels() == ["Seattle", "Cancel"]
    forgeries = (f"bc:city:{new_york.id}", "bc:city:all", "bc:city:999", "bc:city:../x")
    for forged in forgeries:
        answered = len(organizer.callback_answers)
        await organizer.presses_data(forged, message_id=picker.message_id)
        await organizer.waits_for(more_answers_than(answered))
    refusals = organizer.callback_answers
    assert all(a.text == "You may not broadcast to that city." and a.show_alert for a in refusals)
    assert organizer.last.text == picker.text  # still asking for a city
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("Now send the message"))


async def test_supporter_cannot_start_a_broadcast(sim: BotApiSimulator, seattle: City) -> None:
    """/broadcast from a supporter looks like any unknown command."""
    sam = sim.user("Sam")
    await sam.says("/broadcast")
    assert "I don't know that command" in (await sam.receives()).text
    await sam.says("/broadcasts")
    assert "I don't know that command" in (await sam.receives()).text


def more_answers_than(seen: int) -> Callable[[SimUser], bool]:
    return lambda chat: len(chat.callback_answers) > seen


async def test_an_admin_who_also_organizes_keeps_the_admin_menu(
    sim: BotApiSimulator, admin: SimUser, seattle: City
) -> None:
    """Promoting or demoting an admin leaves their admin commands where they are."""
    scope = {"type": "chat", "chat_id": admin.id}
    await admin.says("/start")
    await admin.receives()
    await admin.says(f"/promote {admin.id} seattle")
    await admin.receives()
    assert "addcity" in [command["command"] for command in sim.commands(scope=scope)]
    await admin.says(f"/demote {admin.id}")
    await admin.receives()
    assert "addcity" in [command["command"] for command in sim.commands(scope=scope)]


async def test_a_long_unknown_slug_is_quoted_cut_short(
    sim: BotApiSimulator, admin: SimUser, seattle: City
) -> None:
    """A slug of 4000 characters gets the unknown-cities reply, not an error."""
    pia = sim.user("Pia")
    await pia.says("/start")
    await pia.receives()
    await admin.says(f"/promote {pia.id} {'x' * 4000}")
    reply = (await admin.receives()).text
    assert reply.startswith("Unknown cities: " + "x" * 63 + "…")
    assert reply.endswith("Known slugs: seattle")
