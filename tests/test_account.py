"""Stories of supporters managing their own account: language, help, blocking, erasure."""

from __future__ import annotations

import time

from bot.context import MusterApp
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.actions import Answer
from storage.broadcasts import Content
from storage.cities import City
from storage.supporters import Status
from tests.conftest import ADMIN_ID


async def test_language_switch_changes_every_later_reply(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """/language with a press on Español makes the bot answer in Spanish from then on."""
    ivy = sim.user("Ivy", lang="en")
    await ivy.says("/start")
    await ivy.receives()
    await ivy.says("/language")
    await ivy.receives()
    await ivy.presses("Español")
    await ivy.waits_for(lambda chat: chat.last.text == "Listo: te escribiré en español.")
    await ivy.says("/mycities")
    assert "Aún no sigues" in (await ivy.receives()).text
    supporter = await supporter_store.get(db, ivy.id)
    assert supporter is not None and supporter.language == "es"


async def test_help_lists_admin_commands_only_for_admins(
    sim: BotApiSimulator, admin: SimUser, seattle: City
) -> None:
    """/help shows /addcity to an admin and hides it from a supporter."""
    jo = sim.user("Jo")
    await jo.says("/help")
    supporter_help = await jo.receives()
    assert "/deleteme" in supporter_help.text and "/addcity" not in supporter_help.text
    await admin.says("/help")
    assert "/addcity" in (await admin.receives()).text


async def test_blocking_marks_unreachable_and_start_restores(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """A supporter who blocks the bot is unreachable until they /start again."""
    kai = sim.user("Kai")
    await kai.says("/start city-seattle")
    await kai.receives()
    await kai.blocks()
    await sim.idle()
    supporter = await supporter_store.get(db, kai.id)
    assert supporter is not None and supporter.status is Status.UNREACHABLE
    assert await city_store.follower_count(db, seattle.id) == 0
    await kai.says("/start")
    assert "alerts are on again" in (await kai.receives()).text
    assert await city_store.follower_count(db, seattle.id) == 1


async def test_deleteme_cancel_keeps_everything(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """Pressing No on the confirmation erases nothing."""
    lou = sim.user("Lou")
    await lou.says("/start city-seattle")
    await lou.receives()
    await lou.says("/deleteme")
    await lou.receives()
    await lou.presses("No, keep it")
    await lou.waits_for(lambda chat: chat.last.text == "Nothing was erased.")
    assert await supporter_store.get(db, lou.id) is not None


async def test_deleteme_leaves_no_trace_in_tables_or_file_bytes(
    sim: BotApiSimulator, db: Database, seattle: City, new_york: City
) -> None:
    """After /deleteme the user id is in no table and the referral code is in no byte of the
    database or its WAL."""
    referral = "unique-ref-code-7f3a9c"
    mia = sim.user("Mia", user_id=987654321)
    other = sim.user("Other")
    await mia.says(f"/start ref-{referral}")
    await mia.receives()
    await mia.presses("Seattle")
    await mia.presses("New York")
    await mia.waits_for(lambda chat: chat.last.labels() == ["✅ New York", "✅ Seattle"])
    await other.says("/start city-seattle")
    await other.receives()
    # What an organizer leaves behind: a promotion, an action, an answer, a broadcast.
    await organizer_store.promote(db, ADMIN_ID, mia.id, [seattle.id], all_cities=False)
    action = await action_store.create(db, mia.id, seattle.id, "Vigil", 2**40, "Park", "", None)
    await action_store.answer(db, action.id, mia.id, Answer.YES)
    sent = await broadcast_store.create(db, mia.id, seattle.id, Content("hi"))
    await broadcast_store.set_progress_message(db, sent.id, mia.id, 1)
    await broadcast_store.enqueue_followers(db, sent.id)

    await mia.says("/deleteme")
    confirm = await mia.receives()
    assert confirm.labels() == ["Yes, erase everything", "No, keep it"]
    await mia.presses("Yes, erase everything")
    await mia.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))

    assert await rows_mentioning(db, mia.id) == []
    assert await supporter_store.get(db, other.id) is not None
    for path in (db.path, db.path.with_name(db.path.name + "-wal")):
        if path.exists():
            assert referral.encode() not in path.read_bytes(), path


async def rows_mentioning(db: Database, value: int) -> list[str]:
    """Every table.column that holds the value, found by asking each column of each table."""
    found = []
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        columns = await db.fetch_all(f"SELECT name FROM pragma_table_info('{table}')")  # noqa: S608
        for (column,) in columns:
            hits = await db.fetch_all(
                f'SELECT 1 FROM "{table}" WHERE "{column}" = ?',  # noqa: S608
                (value,),
            )
            if hits:
                found.append(f"{table}.{column}")
    return found


async def test_deleteme_of_a_stranger_says_there_was_nothing(
    sim: BotApiSimulator, seattle: City
) -> None:
    """Erasing when nothing is stored says so rather than pretending."""
    ned = sim.user("Ned")
    await ned.says("/deleteme")
    await ned.receives()
    await ned.presses("Yes, erase everything")
    await ned.waits_for(lambda chat: "nothing to erase" in chat.last.text)


async def test_deleteme_resets_an_organizers_menu_but_an_admin_keeps_theirs(
    sim: BotApiSimulator, admin: SimUser, seattle: City
) -> None:
    """Erasure takes an organizer's own menu with the rest, while an admin (made one by
    ADMIN_IDS, not by a row) keeps the admin menu in both languages."""
    olga = sim.user("Olga")
    await olga.says("/start")
    await olga.receives()
    await admin.says("/start")
    await admin.receives()
    await admin.says(f"/promote {olga.id} seattle")
    await admin.receives()
    await olga.receives()
    for person in (olga, admin):
        await person.says("/deleteme")
        await person.receives()
        await person.presses("Yes, erase everything")
        await person.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))
    for language in ("", "es"):
        assert sim.commands({"type": "chat", "chat_id": olga.id}, language) == []
        kept = sim.commands({"type": "chat", "chat_id": ADMIN_ID}, language)
        assert {"addcity", "broadcast", "start"} <= {command["command"] for command in kept}


async def test_old_buttons_pressed_after_erasure_bring_nobody_back(
    sim: BotApiSimulator, db: Database, seattle: City, muster: MusterApp
) -> None:
    """Mia erased her data; the city picker, language buttons and an action card still sit
    in her chat. Pressing them records nothing and tells her /start signs her up again."""
    mia = sim.user("Mia", lang="es")
    await mia.says("/start")
    await mia.receives()
    await mia.says("/language")
    await mia.waits_for(lambda chat: "English" in chat.last.labels())
    action = await action_store.create(
        db, None, seattle.id, "Vigil", int(time.time()) + 3600, "Park", "", None
    )
    await mia.says(f"/start action-{action.id}")
    await mia.waits_for(lambda chat: "Ahí estaré" in chat.last.labels())
    await mia.says("/deleteme")
    await mia.waits_for(lambda chat: "Sí, borrar todo" in chat.last.labels())
    await mia.presses("Sí, borrar todo")
    await mia.waits_for(lambda chat: chat.last.text.startswith("🗑"))

    start_first = "No estás registrado (o borraste tus datos). Envía /start para registrarte."
    for label in ("Ahí estaré", "Seattle", "English"):
        assert await alert_for(sim, mia, label) == start_first
    assert await rows_mentioning(db, mia.id) == []
    mia.mark_all_read()
    await mia.says("/start")
    await mia.receives()
    assert await supporter_store.get(db, mia.id) is not None


async def alert_for(sim: BotApiSimulator, person: SimUser, label: str) -> str | None:
    """What the bot answers to a press on the button labelled `label`."""
    answered = len(person.callback_answers)
    await person.presses(label)
    await sim.wait_until(lambda: len(person.callback_answers) > answered, 5)
    return person.callback_answers[-1].text


async def test_erasure_speaks_the_supporters_language_to_the_end(
    sim: BotApiSimulator, db: Database, seattle: City
) -> None:
    """A Spanish supporter is asked, answered and told it is done in Spanish, the last word
    included (read before their row, language and all, is gone)."""
    eva = sim.user("Eva", lang="es")
    await eva.says("/start city-seattle")
    await eva.receives()
    await eva.says("/deleteme")
    asked = await eva.receives()
    assert asked.labels() == ["Sí, borrar todo", "No, conservarlo"]
    await eva.presses("No, conservarlo")
    await eva.waits_for(lambda chat: chat.last.text == "No se borró nada.")
    await eva.says("/deleteme")
    await eva.receives()
    await eva.presses("Sí, borrar todo")
    await eva.waits_for(
        lambda chat: chat.last.text.startswith("🗑 Hecho. Todo lo tuyo está borrado")
    )
    assert await supporter_store.get(db, eva.id) is None
