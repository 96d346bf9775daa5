"""Storage on its own: pragmas, migrations, transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.db import migrate, migrations, split_statements


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
    assert await supporter_store.erase(database, 7)
    assert await city_store.followed_by(database, 7) == []
    assert await supporter_store.erase(database, 7) is False


async def test_subscription_needs_a_supporter(database: Database) -> None:
    """Foreign keys are enforced: no follow for an unknown person."""
    city = await city_store.add(database, "seattle", "America/Los_Angeles", "Seattle")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        await city_store.follow(database, 999, city.id)


def test_statements_are_split_on_complete_sql() -> None:
    """Semicolons inside strings do not split a statement."""
    sql = "CREATE TABLE a (x TEXT DEFAULT ';');\n-- note; here\nCREATE TABLE b (y INTEGER);\n"
    assert len(split_statements(sql)) == 2
