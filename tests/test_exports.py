"""Admins' exports and the audit log: daily counts per city and sign-ups per link as CSV,
counts only, small groups hidden, every export audited; /audit shows the latest entries."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import audit as audit_store
from storage import broadcasts as broadcast_store
from storage import links as link_store
from storage import retention as retention_store
from storage import supporters as supporter_store
from storage import turnout as turnout_store
from storage.actions import Answer
from storage.broadcasts import Content, Outcome, Result, State
from storage.cities import City
from tests.conftest import ADMIN_ID, followers
from tests.test_petitions import documents

FEW = "fewer than 5"


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a byte order mark, for spreadsheets
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_export_gives_todays_counts_per_city_and_sign_ups_per_link_without_ids(
    sim: BotApiSimulator, db: Database, admin: SimUser, seattle: City, new_york: City
) -> None:
    """Today six people followed Seattle, a broadcast reached them all (its rows since folded
    into counts), five said yes and one no, five checked in, then one paused. /export's
    daily CSV says so, the groups under five as "fewer than 5"; the links CSV counts the city
    link and a campaign link, its name kept from running as a formula. No id anywhere."""
    people = await followers(sim, db, seattle, 6)
    sent = await broadcast_store.create(db, None, seattle.id, Content("Rally!"))
    await broadcast_store.enqueue_followers(db, sent.id)
    results = [Result(person.id, Outcome.SENT, message_id=1) for person in people]
    await broadcast_store.record(db, sent.id, results)
    await broadcast_store.finish(db, sent.id, State.DONE, None)
    assert await retention_store.fold(db, sent.id, 100) == 6
    action = await action_store.create(db, None, seattle.id, "Vigil", 2**40, "Park", "", None)
    for number, person in enumerate(people):
        await action_store.answer(db, action.id, person.id, Answer.YES if number else Answer.NO)
        if number:
            await turnout_store.check_in(db, action.id, person.id, int(time.time()))
    await supporter_store.set_status(db, people[0].id, supporter_store.Status.PAUSED)
    link = await link_store.create_campaign(db, ADMIN_ID, '=HYPERLINK("evil")', seattle.id)
    for number in range(5):
        await supporter_store.arrive(db, 7000 + number, "en", f"ref:{link.code}")
    await supporter_store.arrive(db, 7100, "en", "city:seattle")

    await admin.says("/export")
    (daily_caption, daily), (links_caption, links) = await documents(sim, admin, 2)
    assert daily_caption.startswith("📊 Daily counts per city up to ")
    assert links_caption.startswith("🔗 Sign-ups per link on ")
    today = datetime.now(UTC).date().isoformat()
    daily_rows = rows_of(daily.content)
    assert daily_rows[0] == [
        "Day (UTC)",
        "City",
        "New followers",
        "Paused",
        "Unreachable",
        "Broadcasts",
        "Messages delivered",
        "RSVPs yes",
        "RSVPs no",
        "Check-ins",
    ]
    assert [today, "Seattle", "6", FEW, FEW, "1", "6", "5", FEW, "5"] in daily_rows
    assert [today, "New York", FEW, FEW, FEW, "0", FEW, FEW, FEW, FEW] in daily_rows

    link_rows = rows_of(links.content)
    assert link_rows[0] == [
        "Link",
        "Kind",
        "City",
        "Sign-ups in all",
        "Last 7 days",
        "Last 30 days",
    ]
    assert ["Seattle", "City link", "Seattle", FEW, FEW, FEW] in link_rows
    assert ['\'=HYPERLINK("evil")', "Campaign link", "Seattle", "5", "5", "5"] in link_rows
    assert ["", "Personal invite links, together", "", FEW, FEW, FEW] in link_rows

    ids = {str(person.id) for person in people} | {str(ADMIN_ID)}
    cells = {cell for rows in (daily_rows, link_rows) for row in rows for cell in row}
    assert not cells & ids


async def test_every_export_is_in_the_audit_log_with_who_took_it(
    sim: BotApiSimulator, db: Database, admin: SimUser, seattle: City
) -> None:
    """One /export writes two audit entries, one per file, by the admin who asked."""
    await admin.says("/export")
    await documents(sim, admin, 2)
    entries = await audit_store.recent(db, 10)
    taken = [
        (entry.action, entry.actor_id) for entry in entries if entry.action.startswith("export.")
    ]
    assert sorted(taken) == [("export.daily", ADMIN_ID), ("export.links", ADMIN_ID)]


async def test_audit_shows_the_last_twenty_entries_newest_first_within_one_message(
    sim: BotApiSimulator, db: Database, admin: SimUser, seattle: City
) -> None:
    """25 long entries: /audit shows the 20 newest, newest first, with who (an id, or Muster
    for the system), what and when in UTC, markup in details shown as typed, the whole within
    Telegram's 4096 characters."""
    for number in range(25):
        async with db.transaction() as tx:
            actor = None if number == 24 else ADMIN_ID
            detail = f"<script>{number}</script> " + "x" * 300
            await audit_store.record(tx, actor, f"test.entry{number}", 1234, detail)
    await admin.says("/audit")
    shown = await admin.receives()
    lines = shown.text.splitlines()
    assert lines[0] == "📜 Audit log: the last 20 entries, newest first (times in UTC)"
    assert len(lines) == 21 and len(shown.text) <= 4096
    assert (
        "· Muster, or someone since erased · test.entry24 user=1234 <script>24</script> x"
        in lines[1]
    )
    assert f"· {ADMIN_ID} · test.entry23 user=1234 <script>23</script>" in lines[2]
    assert "test.entry5 " in lines[-1] and "test.entry4 " not in shown.text
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert all(line.startswith(today) for line in lines[1:])
    assert "&lt;script&gt;" in shown.html
