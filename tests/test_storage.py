"""Storage on its own: pragmas, migrations, transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

import storage.db
from storage import Database
from storage import actions as action_store
from storage import broadcasts as broadcast_store
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.actions import Answer
from storage.broadcasts import Content
from storage.db import migrate, migrations, split_statements
from storage.supporters import Status


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(tmp_path / "nested" / "muster.db")
    await db.open()
    yield db
    await db.close()


async def test_pragmas_are_what_muster_needs(database: Database) -> None:
    """WAL, full sync, foreign keys, busy timeout and secure delete are in force."""
    expected = {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "secure_delete": 1,
    }
    for name, value in expected.items():
        row = await database.fetch_one(f"PRAGMA {name}")
        assert row is not None and row[0] == value, name


async def test_migrations_are_recorded_and_rerunning_is_a_no_op(database: Database) -> None:
    """Every migration file is applied once, in order, and recorded."""
    rows = await database.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    assert [row[0] for row in rows] == [version for version, _, _ in migrations()]
    assert await migrate(database) == []


async def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    """Closing and opening again applies nothing new and loses nothing."""
    first = Database(tmp_path / "muster.db")
    await first.open()
    await city_store.add(first, "seattle", "America/Los_Angeles", "Seattle")
    await first.close()
    second = Database(tmp_path / "muster.db")
    await second.open()
    assert [city.slug for city in await city_store.all_cities(second)] == ["seattle"]
    await second.close()


async def test_failed_transaction_rolls_back(database: Database) -> None:
    """An exception inside a transaction leaves no partial write."""
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.execute(
                "INSERT INTO cities (slug, name, timezone, created_at) VALUES ('a', 'A', 'UTC', 0)"
            )
            raise RuntimeError("boom")
    assert await city_store.all_cities(database) == []


async def test_foreign_keys_cascade_on_erase(database: Database) -> None:
    """Erasing a supporter removes their follows too."""
    city = await city_store.add(database, "seattle", "America/Los_Angeles", "Seattle")
    await supporter_store.arrive(database, 7, "en", "ref:x")
    await city_store.follow(database, 7, city.id)
    assert (await supporter_store.erase(database, 7)).erased
    assert await city_store.followed_by(database, 7) == []
    assert (await supporter_store.erase(database, 7)).erased is False


async def test_subscription_needs_a_supporter(database: Database) -> None:
    """Foreign keys are enforced: no follow for an unknown person."""
    city = await city_store.add(database, "seattle", "America/Los_Angeles", "Seattle")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        await city_store.follow(database, 999, city.id)


def test_statements_are_split_on_complete_sql() -> None:
    """Semicolons inside strings do not split a statement."""
    sql = "CREATE TABLE a (x TEXT DEFAULT ';');\n-- note; here\nCREATE TABLE b (y INTEGER);\n"
    assert len(split_statements(sql)) == 2


async def test_any_language_migration_keeps_every_row_and_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilding supporters to drop its language CHECK keeps every supporter, follow,
    organizer, delivery and answer, and erasure still cascades through the new table."""
    rebuild = next(version for version, name, _ in migrations() if name == "any_language")
    # Every other migration, so the storage functions below find the tables they write.
    before = [migration for migration in migrations() if migration[0] != rebuild]
    monkeypatch.setattr(storage.db, "migrations", lambda: before)
    old = Database(tmp_path / "muster.db")
    await old.open()
    city = await city_store.add(old, "seattle", "America/Los_Angeles", "Seattle")
    for user_id, language in ((1, "en"), (2, "es"), (3, "en")):
        await supporter_store.arrive(old, user_id, language, f"ref:{user_id}")
        await city_store.follow(old, user_id, city.id)
    await supporter_store.set_status(old, 3, Status.PAUSED)
    await organizer_store.promote(old, 1, 2, [city.id], all_cities=False)
    sent = await broadcast_store.create(old, 2, city.id, Content("hi"))
    await broadcast_store.enqueue_followers(old, sent.id)
    action = await action_store.create(old, 2, city.id, "Vigil", 2**40, "Park", "", None)
    await action_store.answer(old, action.id, 1, Answer.YES)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        await supporter_store.arrive(old, 4, "ar", None)
    rows = await every_row(old)
    await old.close()

    monkeypatch.undo()
    new = Database(tmp_path / "muster.db")
    await new.open()
    try:
        assert await every_row(new) == rows
        await supporter_store.arrive(new, 4, "ar", None)
        arabic = await supporter_store.get(new, 4)
        assert arabic is not None and arabic.language == "ar"
        # Still STRICT, and still checking the status.
        for change in ("joined_at = 'soon'", "status = 'gone'"):
            with pytest.raises(sqlite3.IntegrityError):
                async with new.transaction() as tx:
                    await tx.execute(f"UPDATE supporters SET {change} WHERE user_id = 4")  # noqa: S608
        assert (await supporter_store.erase(new, 2)).erased
        for table in ("subscriptions", "organizers", "deliveries", "rsvps"):
            left = await new.fetch_all(f"SELECT 1 FROM {table} WHERE user_id = 2")  # noqa: S608
            assert left == [], table
    finally:
        await new.close()


async def every_row(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Each table's rows, sorted, by table name (the record of migrations aside)."""
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'schema_migrations'"
    )
    return {
        name: sorted(tuple(row) for row in await db.fetch_all(f'SELECT * FROM "{name}"'))  # noqa: S608
        for (name,) in tables
    }


async def test_a_migration_leaving_references_dangling_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Foreign keys are off while migrations run, so a migration that would orphan rows is
    checked instead: it is rolled back whole, and foreign keys are on again afterwards."""
    db = Database(tmp_path / "muster.db")
    await db.open()
    city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    await supporter_store.arrive(db, 7, "en", None)
    await city_store.follow(db, 7, city.id)
    careless = (*migrations(), (9999, "careless", "DELETE FROM supporters;"))
    monkeypatch.setattr(storage.db, "migrations", lambda: careless)
    with pytest.raises(
        storage.db.StorageError, match="9999 careless leaves references dangling: 1"
    ):
        await migrate(db)
    try:
        assert await supporter_store.get(db, 7) is not None
        assert await db.fetch_all("SELECT 1 FROM schema_migrations WHERE version = 9999") == []
        assert (await db.fetch_all("PRAGMA foreign_keys"))[0][0] == 1
    finally:
        await db.close()


async def test_changes_made_together_commit_together_and_fail_alone(database: Database) -> None:
    """A storm's sign-ups share one transaction; one that breaks a rule is undone alone and
    its caller gets the error, while the others are committed."""
    await city_store.add(database, "seattle", "America/Los_Angeles", "Seattle")

    def sign_up(user_id: int) -> Callable[[sqlite3.Connection], int]:
        def work(connection: sqlite3.Connection) -> int:
            connection.execute(
                "INSERT INTO supporters (user_id, language, joined_at) VALUES (?, 'en', 0)",
                (user_id,),
            )
            # A follow of a city that does not exist breaks a foreign key, after the insert.
            city = 999 if user_id == 3 else 1
            connection.execute(
                "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, 0)",
                (user_id, city),
            )
            return user_id

        return work

    outcomes = await asyncio.gather(
        *(database.write(sign_up(n)) for n in range(1, 6)), return_exceptions=True
    )
    assert outcomes[:2] == [1, 2] and outcomes[3:] == [4, 5]
    assert isinstance(outcomes[2], sqlite3.IntegrityError)
    rows = await database.fetch_all("SELECT user_id FROM supporters ORDER BY user_id")
    assert [row[0] for row in rows] == [1, 2, 4, 5]


async def test_a_write_after_erasure_finds_no_statement_left_open(database: Database) -> None:
    """Erasure ends with a WAL checkpoint, whose result row must be read to the end: a
    statement left open makes the next grouped write fail to open its savepoint."""
    await supporter_store.arrive(database, 7, "en", None)
    assert (await supporter_store.erase(database, 7)).erased
    await supporter_store.ensure(database, 8, "en")
    assert await supporter_store.get(database, 8) is not None
