"""Retention: who got an old broadcast becomes a count, old audit entries go, and nothing a
broadcast still needs is touched. The clock is moved instead of waiting for 30 days."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.app import RETENTION_INTERVAL, RETENTION_JOB, build_application, services_of
from bot.clock import ManualClock
from bot.runtime import running
from domain.retention import Retention, Swept
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.broadcasts import Content, Counts, Outcome, State
from tests.conftest import ADMIN_ID, TOKEN, followers, make_settings

DAY = 24 * 3600
BLOCKED = b"bot was blocked by the user"  # Telegram's reason, kept in a blocked recipient's row


def rows_of(database_path: Path, broadcast_id: int) -> int:
    """Rows per recipient the broadcast still has, read from the file as another reader."""
    with sqlite3.connect(database_path) as connection:
        found = connection.execute(
            "SELECT count(*) FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        ).fetchone()
    return int(found[0])


def audit_entries(database_path: Path) -> int:
    with sqlite3.connect(database_path) as connection:
        return int(connection.execute("SELECT count(*) FROM audit_log").fetchone()[0])


async def organizer_of(sim: BotApiSimulator, db: Database, city: city_store.City) -> SimUser:
    """Olga, who organizes in the city, made without chatting."""
    olga = sim.user("Olga")
    olga.seen = olga.started = True
    await supporter_store.arrive(db, olga.id, "en", source=None)
    await organizer_store.promote(db, ADMIN_ID, olga.id, [city.id], all_cities=False)
    return olga


async def listed(olga: SimUser) -> str:
    """What /broadcasts shows Olga now."""
    olga.mark_all_read()
    await olga.says("/broadcasts")
    return (await olga.receives()).text


def as_dict(counts: Counts) -> dict[Outcome, int]:
    return {outcome: count for outcome, count in counts.by_outcome.items() if count}


async def test_an_old_broadcast_is_folded_at_start_up_and_lists_the_same_counts(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A broadcast finished more than DELIVERY_RETENTION ago loses its rows per recipient at
    the next start-up, zeroed on disk, while /broadcasts shows the same sent, total and
    failed counts; the sweep is armed to run daily after that."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        city = await city_store.add(services.db, "seattle", "America/Los_Angeles", "Seattle")
        people = await followers(sim, services.db, city, 4)
        olga = await organizer_of(sim, services.db, city)
        people[0].blocked = True  # blocked without the bot having been told
        sent = (await services.broadcasts.send(olga.id, city.id, Content("Rally at noon"))).id
        await services.engine.wait(sent)
        before = await listed(olga)
    assert f"#{sent} · Seattle · done · sent 3/4 · failed 1" in before
    assert rows_of(database_path, sent) == 4

    clock.advance(31 * DAY)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        assert rows_of(database_path, sent) == 0
        for path in (database_path, Path(f"{database_path}-wal")):
            if path.exists():
                assert BLOCKED not in path.read_bytes(), path
        assert await listed(olga) == before
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name(RETENTION_JOB)
        assert job.job.trigger.interval == RETENTION_INTERVAL == timedelta(days=1)


async def test_only_broadcasts_finished_longer_ago_than_the_retention_are_folded(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """At 29 days nothing is folded; at 31 days a done and a cancelled broadcast are, in
    batches, to the same counts; a broadcast still sending keeps every row at any age; a
    second pass changes nothing."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        db = services.db
        city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
        await followers(sim, db, city, 5)
        olga = await organizer_of(sim, db, city)
        done = (await services.broadcasts.send(olga.id, city.id, Content("Vigil at 8"))).id
        await services.engine.wait(done)
        cancelled = (await broadcast_store.create(db, olga.id, city.id, Content("Never"))).id
        await broadcast_store.enqueue_followers(db, cancelled)
        await broadcast_store.finish(db, cancelled, State.CANCELLED, olga.id)
        # Listed and marked sending, but never launched: to retention it is mid-delivery.
        sending = (await broadcast_store.create(db, olga.id, city.id, Content("March"))).id
        await broadcast_store.enqueue_followers(db, sending)
        ids = (done, cancelled, sending)
        counts = {id_: as_dict(await broadcast_store.counts(db, id_)) for id_ in ids}
        assert counts == {
            done: {Outcome.SENT: 5},
            cancelled: {Outcome.CANCELLED: 5},
            sending: {Outcome.PENDING: 5},
        }
        # Two rows a batch, so each broadcast takes three.
        retention = Retention(
            db, clock, services.engine, timedelta(days=30), timedelta(days=365), batch=2
        )

        clock.advance(29 * DAY)
        assert await retention.sweep() == Swept()
        assert [rows_of(database_path, id_) for id_ in ids] == [5, 5, 5]

        clock.advance(2 * DAY)
        assert await retention.sweep() == Swept(broadcasts=2, deliveries=10)
        assert [rows_of(database_path, id_) for id_ in ids] == [0, 0, 5]
        assert {id_: as_dict(await broadcast_store.counts(db, id_)) for id_ in ids} == counts

        clock.advance(400 * DAY)
        swept = await retention.sweep()  # the audit entries are old enough to go by now
        assert (swept.broadcasts, swept.deliveries) == (0, 0)
        assert rows_of(database_path, sending) == 5
        assert {id_: as_dict(await broadcast_store.counts(db, id_)) for id_ in ids} == counts


async def test_audit_entries_go_once_older_than_the_audit_retention(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """The audit log keeps its entries for AUDIT_RETENTION (365 days by default) and the
    daily sweep deletes them once they are older."""
    clock = ManualClock()
    settings = make_settings(sim, database_path)
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        city = await city_store.add(services.db, "seattle", "America/Los_Angeles", "Seattle")
        olga = await organizer_of(sim, services.db, city)  # a promotion: audited
        await broadcast_store.create(services.db, olga.id, city.id, Content("Soon"), 10**10)
        written = audit_entries(database_path)
        assert written == 2

        clock.advance(364 * DAY)
        assert await services.retention.sweep() == Swept()
        assert audit_entries(database_path) == written

        clock.advance(2 * DAY)
        assert await services.retention.sweep() == Swept(audit_entries=written)
        assert audit_entries(database_path) == 0


async def test_audit_retention_follows_its_setting(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """AUDIT_RETENTION=7d keeps a week of audit log, and DELIVERY_RETENTION=2d folds after
    two days."""
    clock = ManualClock()
    settings = make_settings(sim, database_path, audit_retention="7d", delivery_retention="2d")
    async with running(build_application(settings, TOKEN, clock=clock), poll_timeout=1) as app:
        services = services_of(app)
        city = await city_store.add(services.db, "seattle", "America/Los_Angeles", "Seattle")
        await followers(sim, services.db, city, 2)
        olga = await organizer_of(sim, services.db, city)
        sent = (await services.broadcasts.send(olga.id, city.id, Content("Tomorrow"))).id
        await services.engine.wait(sent)
        written = audit_entries(database_path)

        clock.advance(3 * DAY)
        assert await services.retention.sweep() == Swept(broadcasts=1, deliveries=2)
        clock.advance(5 * DAY)
        assert await services.retention.sweep() == Swept(audit_entries=written)
