"""Stories of petitions: an organizer starts one, supporters sign it in one tap, and the count
is exact whatever they press, withdraw or erase."""

from __future__ import annotations

import asyncio
import csv
import io
import time

import pytest

from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from domain.petitions import PetitionPlan
from simulator.driver import SimUser
from simulator.server import BotApiSimulator, FileInfo
from storage import Database
from storage import petitions as petition_store
from storage import supporters as supporter_store
from storage.broadcasts import Content
from storage.cities import City
from storage.petitions import Petition, PetitionState, Signing, Tally, milestone_between
from tests.conftest import ADMIN_ID, TOKEN, followers, pdf_text
from tests.test_broadcast import writes
from views.exports import counts_csv

SIGNED = ["Signed ✅", "🔔 Tell me how it goes"]  # the card's buttons once signed
DEMAND_TEXT = "Stop sharing our data with ICE & end the contract"
DEMAND_ENTITIES = [{"type": "bold", "offset": 13, "length": 8}]
DEMAND = "Stop sharing <b>our data</b> with ICE &amp; end the contract"  # as text_html gives it


async def start_petition(
    app: MusterApp, author: SimUser, city: City | None, goal: int = 100
) -> Petition:
    """A petition published the way /newpetition's Publish now does it."""
    plan = PetitionPlan(city.id if city else None, "Drop the contract", DEMAND, "Amazon", goal)
    petition, _ = await services_of(app).petitions.publish_new(author.id, plan)
    return petition


async def count(db: Database, petition: Petition) -> int:
    now = await petition_store.get(db, petition.id)
    assert now is not None
    return now.signatures


async def test_organizer_starts_a_petition_for_seattle(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, new_york: City
) -> None:
    """/newpetition walks through scope, title, demand (formatting kept), target, goal and
    whether to ask for names, shows the card as followers will see it, and Publish now
    announces it with the Sign button and a share link to Seattle's followers only."""
    seattle_people = await followers(sim, db, seattle, 3)
    new_york_people = await followers(sim, db, new_york, 2)
    await organizer.says("/newpetition")
    scope = await organizer.receives()
    assert scope.labels() == ["Seattle", "Cancel"]  # Olga organizes in Seattle only
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text.startswith("What is the petition"))
    organizer.mark_all_read()
    await organizer.says("Drop the contract")
    assert (await organizer.receives()).text.startswith("What does it demand?")
    await writes(sim, organizer, DEMAND_TEXT, DEMAND_ENTITIES)
    assert (await organizer.receives()).text.startswith("Who is it addressed to?")
    await organizer.says("Amazon")
    await organizer.receives()
    await organizer.says("a lot")
    assert "whole number" in (await organizer.receives()).text
    await organizer.says("250,000")
    assert (await organizer.receives()).text.startswith("Should signers be asked for a name")
    await organizer.presses("🔢 No, count signatures only")
    card = await organizer.receives()
    assert card.text.startswith("✍️ Drop the contract\nTo: Amazon\n\nStop sharing our data")
    assert DEMAND in card.html
    assert "0 signatures of 250000 (0%)" in card.text
    assert (await organizer.receives()).text.startswith("☝️ This is how 3 followers")
    await organizer.presses("📢 Publish now")
    await organizer.waits_for(lambda chat: "is being announced to 3 followers" in chat.last.text)
    (petition,) = await petition_store.open_in(db, None)
    assert f"start=petition-{petition.id}" in organizer.last.text
    for person in seattle_people:
        await person.waits_for(lambda chat: bool(chat.messages))
        assert person.last.labels() == ["✍️ Sign"]
        assert f"start=petition-{petition.id}" in person.last.text
    await sim.idle()
    assert all(person.messages == [] for person in new_york_people)


async def test_signing_counts_once_however_often_pressed(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Ana presses Sign three times, twice before the first is answered: one signature, the
    card says Signed ✅ with the count, and the presses after the first say so."""
    (ana,) = await followers(sim, db, seattle, 1)
    petition = await start_petition(muster, organizer, seattle)
    await ana.waits_for(lambda chat: bool(chat.messages))
    await ana.presses("✍️ Sign")
    await ana.presses("✍️ Sign")
    await sim.idle()
    await ana.presses("Signed ✅")
    await sim.idle()
    assert await count(db, petition) == 1
    assert ana.last.labels() == SIGNED
    assert "1 signature of 100 (1%)" in ana.last.text
    assert [answer.text for answer in ana.callback_answers] == [
        "Signed ✅ Thank you!",
        "You have signed this already: it counts once.",
        "You have signed this already: it counts once.",
    ]


async def test_forged_closed_and_outside_presses_record_nothing(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """A press for a petition that does not exist, one for a city the person does not follow,
    and one on a closed petition: nothing is recorded, and each is told why."""
    (ana,) = await followers(sim, db, seattle, 1)
    (ned,) = await followers(sim, db, new_york, 1)
    petition = await start_petition(muster, organizer, seattle)
    await ana.waits_for(lambda chat: bool(chat.messages))
    await ned.says("/help")
    await ned.receives()
    await ned.presses_data(f"pet:sign:{petition.id}")
    await ned.presses_data("pet:sign:999999")
    await ned.presses_data("pet:sign:1x")
    await sim.idle()
    assert [answer.text for answer in ned.callback_answers] == [
        "This petition is for the followers of Seattle. Follow it with /cities to sign.",
        "I don't know that petition.",
        "I don't know that petition.",
    ]
    await services_of(muster).petitions.close(organizer.id, petition)
    await ana.presses("✍️ Sign")
    await sim.idle()
    assert (ana.callback_answers[-1].text or "").startswith("This petition is closed")
    assert ana.last.labels() == ["🔒 Closed"]
    assert await count(db, petition) == 0


async def test_a_petition_link_signs_up_a_newcomer_and_follows_its_city(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """/start petition-<id> registers the newcomer, follows Seattle and shows the card with
    its Sign button; unknown and closed petitions get a clear reply."""
    petition = await start_petition(muster, organizer, seattle)
    closed = await start_petition(muster, organizer, seattle)
    await services_of(muster).petitions.close(organizer.id, closed)
    zoe = sim.user("Zoe")
    await zoe.says(f"/start petition-{petition.id}")
    card = await zoe.receives()
    assert card.text.startswith("✍️ Drop the contract") and card.labels() == ["✍️ Sign"]
    supporter = await supporter_store.get(db, zoe.id)
    assert supporter is not None and supporter.source == f"petition:{petition.id}"
    await zoe.presses("✍️ Sign")
    await zoe.waits_for(lambda chat: chat.last.labels() == SIGNED)
    assert await count(db, petition) == 1
    await zoe.says("/start petition-424242")
    assert (await zoe.receives()).text == "I don't know that petition."
    await zoe.says(f"/start petition-{closed.id}")
    assert (await zoe.receives()).text.startswith("This petition is closed")


async def test_withdrawing_and_erasure_take_the_signature_off_the_count(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """/mysignatures lists what Ana signed with a Withdraw button; withdrawing lowers the
    count. Ben's /deleteme takes his signature with everything else."""
    ana, ben = await followers(sim, db, seattle, 2)
    petition = await start_petition(muster, organizer, seattle)
    for person in (ana, ben):
        await person.waits_for(lambda chat: bool(chat.messages))
        await person.presses("✍️ Sign")
        await person.waits_for(lambda chat: chat.last.labels() == SIGNED)
    assert await count(db, petition) == 2
    ana.mark_all_read()
    await ana.says("/mysignatures")
    listed = await ana.receives()
    assert listed.text == f"✍️ #{petition.id} Drop the contract"
    await ana.presses("Withdraw my signature")
    await ana.waits_for(lambda chat: "is withdrawn" in chat.last.text)
    assert await count(db, petition) == 1
    await ana.says("/mysignatures")
    assert (await ana.receives()).text == "You have not signed any petition."
    ben.mark_all_read()
    await ben.says("/deleteme")
    await ben.receives()
    await ben.presses("Yes, erase everything")
    await ben.waits_for(lambda chat: chat.last.text.startswith("🗑 Done."))
    assert await count(db, petition) == 0
    rows = await db.fetch_all("SELECT * FROM signatures WHERE user_id = ?", (ben.id,))
    assert rows == []


async def test_organizers_see_counts_by_city_and_close(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    admin: SimUser,
    seattle: City,
    new_york: City,
) -> None:
    """An admin's petition for every city: /petitions shows the total, each city's count and
    the last day's; Export sends those counts as a CSV (audited, no names, no ids); Close
    asks first, then takes no more signatures."""
    seattle_people = await followers(sim, db, seattle, 2)
    new_york_people = await followers(sim, db, new_york, 1)
    await admin.says("/start")
    await admin.receives()
    petition = await start_petition(muster, admin, None, goal=10)
    for person in seattle_people + new_york_people:
        await person.waits_for(lambda chat: bool(chat.messages))
        await person.presses("✍️ Sign")
    await sim.idle()
    admin.mark_all_read()
    await admin.says("/petitions")
    summary = await admin.receives()
    assert summary.text == (
        f"✍️ #{petition.id} Drop the contract\n"
        "3 signatures of 10 (30%), 3 in the last 24 hours\n"
        "  Seattle: 2 signatures\n"
        "  New York: 1 signature"
    )
    await admin.presses("📄 Export")
    (csv_caption, csv_file), (pdf_caption, pdf_file) = await documents(sim, admin, 2)
    assert csv_caption.startswith(f"📄 Petition #{petition.id} Drop the contract to Amazon: 3")
    assert csv_file.name.startswith(f"petition-{petition.id}-")
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows == [["City", "Signatures"], ["Seattle", "2"], ["New York", "1"], ["Total", "3"]]
    assert pdf_caption.startswith(f"🖨 Petition #{petition.id} Drop the contract to Amazon")
    assert pdf_file.name.endswith(".pdf") and pdf_file.content.startswith(b"%PDF")
    printed = pdf_text(pdf_file.content)
    day = time.strftime("%B %-d, %Y", time.gmtime())
    for line in [
        f"Petition #{petition.id}",
        "Drop the contract",
        "To: Amazon",
        DEMAND_TEXT,
        f"3 signatures as of {day}",
        "Goal: 10 signatures (30% reached)",
        "Seattle 2",
        "New York 1",
        "Total 3",
        "This petition did not ask for names",
    ]:
        assert line in printed
    for person in seattle_people + new_york_people:
        assert str(person.id) not in printed
    entries = await db.fetch_all(
        "SELECT action, actor_id FROM audit_log WHERE action LIKE 'petition.export.%'"
    )
    assert sorted(tuple(entry) for entry in entries) == [
        ("petition.export.csv", admin.id),
        ("petition.export.pdf", admin.id),
    ]
    await admin.presses("🔒 Close")
    await admin.waits_for(lambda chat: chat.last.text.startswith("Close petition"))
    await admin.presses("Yes, close it")
    await admin.waits_for(lambda chat: chat.last.text == f"Petition #{petition.id} is closed.")
    admin.mark_all_read()
    await admin.says("/petitions")
    assert (await admin.receives()).text == "No open petitions in your cities."


async def test_simultaneous_signatures_are_counted_exactly(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Five hundred people, each signing twice at once: the unique key, not a read before the
    write, keeps it at five hundred, and the count equals the rows."""
    people = await followers(sim, db, seattle, 500)
    petition = await start_petition(muster, organizer, seattle)
    petitions = services_of(muster).petitions
    signed = await asyncio.gather(
        *(petitions.sign(person.id, petition.id) for person in people for _ in range(2))
    )
    outcomes = [each.outcome for each in signed]
    assert outcomes.count(Signing.SIGNED) == 500
    assert outcomes.count(Signing.ALREADY) == 500
    rows = await db.fetch_one(
        "SELECT count(*) FROM signatures WHERE petition_id = ?", (petition.id,)
    )
    assert rows is not None and rows[0] == 500 == await count(db, petition)


def told(person: SimUser, words: str) -> int:
    return sum(words in message.text for message in person.messages)


async def test_milestones_are_told_once_and_the_goal_to_those_who_asked(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    organizer: SimUser,
    admin: SimUser,
    seattle: City,
) -> None:
    """A goal of four: 25%, 50%, 75% and 100% reach the author and the admin once each, a
    withdrawal and a new signature do not tell 50% again, and past the goal the next tenth
    that was passed is told. Only the signer who asked hears that the goal was reached."""
    people = await followers(sim, db, seattle, 5)
    await admin.says("/start")
    await admin.receives()
    petition = await start_petition(muster, organizer, seattle, goal=4)
    for person in people:
        await person.waits_for(lambda chat: bool(chat.messages))
    first, second, *rest = people
    await first.presses("✍️ Sign")
    await first.waits_for(lambda chat: chat.last.labels() == SIGNED)
    await first.presses("🔔 Tell me how it goes")
    await first.waits_for(lambda chat: "🔕 No news, thanks" in chat.last.labels())
    await second.presses("✍️ Sign")
    await second.waits_for(lambda chat: chat.last.labels() == SIGNED)
    await services_of(muster).petitions.withdraw(second.id, petition.id)
    await second.presses("Signed ✅")  # the card he pressed before: signs again
    for person in rest:
        await person.presses("✍️ Sign")
        await sim.idle()
    await organizer.waits_for(lambda chat: told(chat, "passed 120%") == 1, timeout=10)
    await sim.idle()
    for person in (organizer, admin):
        for percent in (25, 50, 75, 100, 120):
            assert told(person, f"passed {percent}% of its goal") == 1, (person.id, percent)
    assert told(first, "reached its goal of 4 signatures") == 1
    assert told(second, "reached its goal") == 0
    assert await count(db, petition) == 5


async def test_a_milestone_reached_before_a_crash_is_told_after_the_restart(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """The signature that reached 50% was committed, and the process died before the message
    went out: the next start-up tells it, and the one after does not tell it again."""
    olga = seattle_followers[0]
    db = Database(settings.database_path)
    await db.open()
    city = await db.fetch_one("SELECT id FROM cities")
    assert city is not None
    petition = await petition_store.create(db, olga.id, city[0], "Drop it", "Now.", "Amazon", 4)
    await petition_store.announce(db, petition, Content("✍️ Drop it"))
    for person in seattle_followers[:2]:
        signed = await petition_store.sign(db, petition.id, person.id)
        assert signed.outcome is Signing.SIGNED
    assert signed.milestone == 50
    await db.close()
    for _ in range(2):
        async with running(build_application(settings, TOKEN), poll_timeout=1):
            await olga.waits_for(lambda chat: told(chat, "passed 50%") >= 1, timeout=10)
            await sim.idle()
    assert told(olga, "passed 50% of its goal: 2 signatures of 4") == 1
    assert told(olga, "passed 25%") == 1


async def test_names_are_asked_kept_as_plain_text_or_skipped(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """A petition that collects names asks each new signer for one in the next message and
    shows it back as it will be printed: plain text, control characters dropped, cut at
    100. /skip counts the signature without a name; later text is not taken as a name."""
    ana, ben = await followers(sim, db, seattle, 2)
    services = services_of(muster)
    plan = PetitionPlan(seattle.id, "Drop the contract", DEMAND, "Amazon", 100, True)
    petition, _ = await services.petitions.publish_new(organizer.id, plan)
    for person in (ana, ben):
        await person.waits_for(lambda chat: bool(chat.messages))
        assert "Signers may add their name to the list handed to Amazon." in person.last.text
        person.mark_all_read()
        await person.presses("✍️ Sign")
        asked = await person.receives()
        assert asked.text.startswith("Would you add your name to the list handed to Amazon?")
    await ana.says("  <b>Ana</b>\u202e   María " + "x" * 200)
    kept = await ana.receives()
    assert kept.text.startswith("Thank you. On the list for Amazon: <b>Ana</b> María xxx")
    assert "<b>Ana</b>" not in kept.html  # shown as text, not as formatting
    await ben.says("/skip")
    assert (
        await ben.receives()
    ).text == "Your signature on Drop the contract counts, without a name."
    await ben.says("Ben")
    assert (await ben.receives()).text.startswith("I only understand commands")
    rows = await db.fetch_all(
        "SELECT user_id, name FROM signatures WHERE petition_id = ? ORDER BY user_id",
        (petition.id,),
    )
    names = {row[0]: row[1] for row in rows}
    assert names[ben.id] is None
    assert names[ana.id] == ("<b>Ana</b> María " + "x" * 200)[:100]
    assert await count(db, petition) == 2


async def test_the_printable_list_has_each_name_in_its_script_under_its_city(
    sim: BotApiSimulator, db: Database, muster: MusterApp, admin: SimUser, seattle: City
) -> None:
    """Export of a petition that collected names: the PDF lists every name as given, in
    Spanish, Vietnamese, Arabic and Chinese alike (markup printed as typed), under its
    city, counts the people who gave none, and shows no Telegram id."""
    given = ["María José Núñez", "Nguyễn Thị Ánh Tuyết", "محمد عبد الله", "李小龙", "<b>Ana</b>"]
    people = await followers(sim, db, seattle, len(given) + 1)
    await admin.says("/start")
    await admin.receives()
    plan = PetitionPlan(None, "Drop the contract", DEMAND, "Amazon", 100, True)
    await services_of(muster).petitions.publish_new(admin.id, plan)
    for person, name in zip(people, [*given, "/skip"], strict=True):
        await person.waits_for(lambda chat: bool(chat.messages))
        person.mark_all_read()
        await person.presses("✍️ Sign")
        await person.receives()  # would they add their name?
        await person.says(name)
        await person.receives()
    admin.mark_all_read()
    await admin.says("/petitions")
    await admin.receives()
    await admin.presses("📄 Export")
    _, (_, pdf_file) = await documents(sim, admin, 2)
    printed = pdf_text(pdf_file.content)
    assert "Seattle: 6 signatures" in printed
    for name in given:
        assert name in printed, name
    assert "and 1 person who signed without giving a name." in printed
    for person in people:
        assert str(person.id) not in printed


async def documents(
    sim: BotApiSimulator, person: SimUser, count: int
) -> list[tuple[str, FileInfo]]:
    """The last `count` documents the bot sent the person (caption and file), once they
    have all arrived."""
    await person.waits_for(
        lambda chat: sum(m.kind == "document" for m in chat.messages) >= count, timeout=60
    )
    sent = [m for m in person.messages if m.kind == "document"][-count:]
    found = []
    for message in sent:
        file = sim.file((message.media or {})["document"]["file_id"])
        assert file is not None
        found.append((message.caption, file))
    return found


async def test_a_petition_published_later_takes_no_signature_before_its_time(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """Publish at… in three seconds: until then followers get nothing, its link says it is not
    published yet and a forged Sign records nothing. A restart in between re-arms it from the
    database; at its time the followers get the card."""
    ana = seattle_followers[0]
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        services = services_of(app)
        city = await services.cities.find("seattle")
        assert city is not None
        plan = PetitionPlan(city.id, "Drop the contract", DEMAND, "Amazon", 100)
        at = int(time.time()) + 3
        petition = await services.petitions.schedule_new(ADMIN_ID, plan, at)
        zoe = sim.user("Zoe")
        await zoe.says(f"/start petition-{petition.id}")
        assert (await zoe.receives()).text.startswith("This petition is not published yet")
        await zoe.presses_data(f"pet:sign:{petition.id}")
        await sim.idle()
        assert (zoe.callback_answers[-1].text or "").startswith("This petition is not published")
    assert ana.messages == []
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await ana.waits_for(lambda chat: bool(chat.messages), timeout=10)
        assert ana.last.text.startswith("✍️ Drop the contract")
        assert time.time() >= at
        assert await count(services_of(app).db, petition) == 0


async def test_publish_at_from_the_conversation(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City
) -> None:
    """The preview's Publish at… asks for a local time in the city's zone and schedules it;
    /petitions then says when it will be announced."""
    await followers(sim, db, seattle, 1)
    await organizer.says("/newpetition")
    await organizer.receives()
    await organizer.presses("Seattle")
    for answer in ("Drop the contract", "End it.", "Amazon", "100"):
        await organizer.waits_for(lambda chat: chat.last.from_user_id is None)
        await organizer.says(answer)
    await organizer.waits_for(lambda chat: "🔢 No, count signatures only" in chat.last.labels())
    await organizer.presses("🔢 No, count signatures only")
    await organizer.waits_for(lambda chat: "🕒 Publish at…" in chat.last.labels())
    await organizer.presses("🕒 Publish at…")
    await organizer.waits_for(lambda chat: "America/Los_Angeles" in chat.last.text)
    await organizer.says("2030-05-01 18:00")
    await organizer.waits_for(lambda chat: "will be announced" in chat.last.text)
    (petition,) = await petition_store.unannounced(db)
    assert organizer.last.text.startswith(f"Petition #{petition.id} will be announced")
    assert petition.publish_at is not None and not petition.announced
    organizer.mark_all_read()
    await organizer.says("/petitions")
    summary = await organizer.receives()
    assert summary.text.endswith("🕒 Not announced yet: it will be Wed 1 May, 18:00 PDT.")


def test_a_city_name_a_spreadsheet_would_run_is_kept_as_text() -> None:
    """A formula in a cell (a city named "=HYPERLINK(...)") reaches the spreadsheet as text."""
    tally = Tally(total=3, by_city={1: 2, 2: 1}, last_day=0)
    names: dict[int | None, str] = {1: '=HYPERLINK("http://x")', 2: "Málaga"}
    rows = list(csv.reader(io.StringIO(counts_csv(tally, names, "es").decode("utf-8-sig"))))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "2"]
    assert rows[2] == ["Málaga", "1"]


@pytest.mark.parametrize(
    ("before", "after", "goal", "reached"),
    [
        (24, 25, 100, 25),
        (25, 26, 100, None),
        (99, 100, 100, 100),
        (100, 101, 100, None),
        (109, 110, 100, 110),
        (0, 1, 1, 100),  # a goal of one: the signature that reaches it says 100%
        (1, 2, 1, 200),  # past the goal, the highest tenth passed
        (3, 4, 3, 130),
        (62_499, 62_500, 250_000, 25),
        (249_999, 250_000, 1, 25_000_000),  # in constant time, however far past the goal
    ],
)
def test_milestones_fall_on_quarters_then_tenths(
    before: int, after: int, goal: int, reached: int | None
) -> None:
    assert milestone_between(before, after, goal) == reached


async def test_review_findings_on_petitions_stay_fixed(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """Withdrawing from a closed petition changes nothing (its count may be delivered); a
    supporter's forged Close learns nothing; once the goal is reached, 'Tell me how it goes'
    is no longer offered; a name is taken for the last petition that asked, and only for
    ten minutes."""
    ana, ben = await followers(sim, db, seattle, 2)
    services = services_of(muster)
    small = await start_petition(muster, organizer, seattle, goal=1)
    await ana.waits_for(lambda chat: bool(chat.messages))
    await ana.presses("✍️ Sign")
    await ana.waits_for(lambda chat: chat.last.labels() == ["Signed ✅"])  # goal reached
    await services.petitions.close(organizer.id, small)
    await ben.waits_for(lambda chat: bool(chat.messages))
    await ben.presses_data(f"pet:close!:{small.id}")
    ana.mark_all_read()
    await ana.says("/mysignatures")
    await ana.receives()
    await ana.presses("Withdraw my signature")
    await sim.idle()
    assert (ana.callback_answers[-1].text or "").startswith("This petition is closed")
    assert ben.callback_answers[-1].text == "That petition is not in your cities."
    assert await count(db, small) == 1

    def names_plan(title: str) -> PetitionPlan:
        return PetitionPlan(seattle.id, title, DEMAND, title, 100, True)

    first, _ = await services.petitions.publish_new(organizer.id, names_plan("Amazon"))
    second, _ = await services.petitions.publish_new(organizer.id, names_plan("Boeing"))
    for petition in (first, second):
        signed = await services.petitions.sign(ben.id, petition.id)
        assert signed.outcome is Signing.SIGNED
    assert await services.petitions.asking_name(ben.id) == await petition_store.get(db, second.id)
    await db.change(
        "UPDATE signatures SET signed_at = signed_at - 601 WHERE user_id = ?", (ben.id,)
    )
    assert await services.petitions.asking_name(ben.id) is None


async def test_an_overdue_petition_whose_author_lost_the_city_is_closed_not_announced(
    sim: BotApiSimulator, settings: Settings, seattle_followers: list[SimUser]
) -> None:
    """Its time passed while the bot was down, and its author is no organizer any more: the
    start-up closes it instead of announcing it, as its timer would have."""
    ana, former = seattle_followers[:2]
    db = Database(settings.database_path)
    await db.open()
    city = await db.fetch_one("SELECT id FROM cities")
    assert city is not None
    petition = await petition_store.create(
        db, former.id, city[0], "Drop it", "Now.", "Amazon", 4, publish_at=int(time.time()) - 60
    )
    await db.close()
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        await sim.idle()
        closed = await petition_store.get(services_of(app).db, petition.id)
    assert ana.messages == []
    assert closed is not None and closed.state is PetitionState.CLOSED
    assert former.last.text.startswith("⚠️ Your petition “Drop it” was not announced")


async def test_tell_me_how_it_goes_is_for_signers_and_only_until_the_goal(
    sim: BotApiSimulator, db: Database, muster: MusterApp, organizer: SimUser, seattle: City
) -> None:
    """A forged press from someone who did not sign records nothing. Ben's card offers 'Tell
    me how it goes'; by the time he presses it, Ana's signature has reached the goal, so he
    is told so and the button goes."""
    ana, ben, cy = await followers(sim, db, seattle, 3)
    petition = await start_petition(muster, organizer, seattle, goal=2)
    for person in (ana, ben, cy):
        await person.waits_for(lambda chat: bool(chat.messages))
    await ben.presses("✍️ Sign")
    await ben.waits_for(lambda chat: chat.last.labels() == SIGNED)
    await cy.presses_data(f"pet:follow:{petition.id}:yes")
    await sim.idle()
    assert (cy.callback_answers[-1].text or "") == "Sign the petition first."
    await ana.presses("✍️ Sign")
    await ana.waits_for(lambda chat: chat.last.labels() == ["Signed ✅"])
    await ben.presses("🔔 Tell me how it goes")
    await ben.waits_for(lambda chat: chat.last.labels() == ["Signed ✅"])
    reached = "It has reached its goal already: thank you for signing!"
    assert ben.callback_answers[-1].text == reached
    rows = await db.fetch_all("SELECT user_id FROM signatures WHERE follow_up = 1")
    assert rows == []
