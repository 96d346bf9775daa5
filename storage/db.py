"""The one connection to the SQLite file: pragmas, migrations and transactions."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

# Each pragma is set and then read back, since SQLite builds differ in what they accept
# (a build without WAL support silently stays in "delete" mode, for one).
PRAGMAS: tuple[tuple[str, str, object], ...] = (
    ("journal_mode", "WAL", "wal"),
    # FULL in WAL mode syncs every commit: a broadcast's recorded outcomes survive power loss,
    # not only a killed process. Commits are batched where it matters, so the cost is small.
    ("synchronous", "FULL", 2),
    ("foreign_keys", "ON", 1),
    ("busy_timeout", "5000", 5000),
    # Erasure must be real: deleted rows are overwritten with zeros, not left in free pages.
    ("secure_delete", "ON", 1),
)


T = TypeVar("T")

# A unit of work run on the database's thread: plain sqlite3 calls, no awaiting.
Work = Callable[[sqlite3.Connection], T]


class StorageError(Exception):
    """The database cannot be used as Muster needs it."""


class DatabaseUnavailable(StorageError):
    """The file at the database path cannot be created or opened; the message says why, in
    words an operator can act on by fixing DATABASE_PATH."""


class Database:
    """Owns the single aiosqlite connection; every storage function goes through it.

    One connection is shared by all coroutines, so a transaction holds a lock: otherwise two
    handlers' statements would interleave inside one another's transaction.

    Each call into aiosqlite is a trip to its thread and back (a queue hand-off and a wake-up
    of the event loop), which a storm of sign-ups pays per person. So reads are one trip per
    query, `read` runs several statements in one trip, and `write` commits every change
    waiting at that moment in one transaction and one trip (a group commit: one fsync for
    the lot, and each caller still returns only once its own change is durable).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._waiting: list[_Pending[Any]] = []
        self._committer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Opens the file, checks the pragmas and migrates; a second call does nothing."""
        if self._connection is not None:
            return
        self._make_folder()
        try:
            # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens a deferred
            # one.
            self._connection = await aiosqlite.connect(self.path, isolation_level=None)
            self._connection.row_factory = aiosqlite.Row
            # The pragmas are the first statements to touch the file, so a file that is not a
            # database, or one that cannot be written, fails here rather than in a migration.
            await self._apply_pragmas()
        except sqlite3.Error as error:
            await self.close()
            raise DatabaseUnavailable(
                f"cannot open {self.path} as an SQLite database: {error}"
            ) from error
        await migrate(self)

    def _make_folder(self) -> None:
        folder = self.path.parent
        if folder == Path():
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create the folder {folder}: {error.strerror or error}"
            ) from error

    async def close(self) -> None:
        if self._committer is not None:
            # Changes already asked for are committed, not dropped; shielded, so that a
            # cancelled close cannot cancel a batch its callers would then think was not made.
            await asyncio.shield(self._committer)
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise StorageError("the database is not open")
        return self._connection

    async def _apply_pragmas(self) -> None:
        for name, value, expected in PRAGMAS:
            await self.connection.execute_fetchall(f"PRAGMA {name} = {value}")
            rows = list(await self.connection.execute_fetchall(f"PRAGMA {name}"))
            actual = rows[0][0] if rows else None
            if actual != expected:
                raise StorageError(f"PRAGMA {name} is {actual!r}, Muster needs {expected!r}")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction. IMMEDIATE takes the write lock at once: a deferred transaction
        that upgrades to a write later fails with SQLITE_BUSY without waiting busy_timeout."""
        async with self._lock:
            connection = self.connection
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads wait for a running transaction, so they never see half of one."""
        async with self._lock:
            yield self.connection

    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.reading() as connection:
            return list(await connection.execute_fetchall(sql, parameters))

    async def fetch_one(self, sql: str, parameters: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """The first row, in one trip (a cursor would take three: execute, fetch, close)."""
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def read(self, work: Work[T]) -> T:
        """Runs several queries in one trip to the database's thread."""
        async with self._lock:
            return await self._on_thread(work)

    async def write(self, work: Work[T]) -> T:
        """Runs the change in a transaction shared with every other change waiting to be
        committed, and returns its result once that transaction is committed. A change that
        raises is rolled back alone (a savepoint), and its caller gets the exception."""
        pending: _Pending[T] = _Pending(work, asyncio.get_running_loop().create_future())
        self._waiting.append(pending)
        if self._committer is None:
            # A context of its own: the committer outlives the update that started it, and
            # must not carry that update's memo or arrival along.
            self._committer = asyncio.create_task(
                self._commit_waiting(), context=contextvars.Context()
            )
        return await pending.future

    async def change(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        """One statement, committed with the changes waiting beside it; the rows it changed."""
        values = tuple(parameters)
        return await self.write(lambda connection: connection.execute(sql, values).rowcount)

    async def _commit_waiting(self) -> None:
        # Changes that arrive while a batch is on the thread form the next batch: the group
        # grows with the load and no change ever waits for a timer.
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    async with self._lock:
                        outcomes = await self._on_thread(partial(_commit, batch=batch))
                except BaseException as error:  # the batch as a whole failed (disk full, closed)
                    for pending in batch:
                        pending.fail(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                for pending, outcome in zip(batch, outcomes, strict=True):
                    pending.settle(outcome)
        finally:
            self._committer = None
            # Left only if the committer itself was cancelled: said, not silently dropped.
            leftover, self._waiting = self._waiting, []
            for pending in leftover:
                pending.fail(StorageError("not committed: the database stopped committing"))

    async def _on_thread(self, work: Work[T]) -> T:
        # aiosqlite hands every statement to its thread through Connection._execute; handing
        # it our function runs many statements for one hand-off. The only private name of
        # aiosqlite used here (pinned in requirements.lock; tests/test_round_trips.py counts
        # the hand-offs through it).
        connection = self.connection
        result: T = await connection._execute(work, connection._conn)  # type: ignore[no-untyped-call]
        return result

    async def read_apart(self, work: Work[T]) -> T:
        """Runs a long read (a count over every supporter) on a read-only connection of its
        own, in a worker thread: in WAL mode it reads beside the bot's connection, so people's
        updates never wait behind it, nor it behind them."""
        return await asyncio.to_thread(_read_apart, self.path, work)

    async def checkpoint(self) -> None:
        """Copies the WAL into the database file and truncates it to zero bytes, so old page
        images (which may hold erased data) do not linger in the WAL file."""
        async with self.reading() as connection:
            # Its row is read to the end: a statement left open would stop the next write's
            # savepoint ("SQL statements in progress").
            await connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass(slots=True)
class _Pending(Generic[T]):
    work: Work[T]
    future: asyncio.Future[T]

    def settle(self, outcome: T | _Failed) -> None:
        if self.future.done():  # its caller was cancelled; the change is committed anyway
            return
        if isinstance(outcome, _Failed):
            self.future.set_exception(outcome.error)
        else:
            self.future.set_result(outcome)

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


@dataclass(frozen=True, slots=True)
class _Failed:
    error: Exception


def _commit(connection: sqlite3.Connection, *, batch: list[_Pending[Any]]) -> list[Any]:
    """On the database's thread: every change of the batch in one transaction, each inside a
    savepoint so that one change's error undoes that change only."""
    outcomes: list[Any] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for pending in batch:
            connection.execute("SAVEPOINT change")
            try:
                outcomes.append(pending.work(connection))
            except Exception as error:
                if not connection.in_transaction:
                    raise  # the error ended the whole transaction (disk full, say): all fail
                connection.execute("ROLLBACK TO change")
                outcomes.append(_Failed(error))
            connection.execute("RELEASE change")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def _read_apart(path: Path, work: Work[T]) -> T:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return work(connection)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise StorageError(f"cannot read {path}: {error}") from error


def now() -> int:
    """Times are stored as UTC Unix seconds."""
    return int(time.time())


async def migrate(db: Database) -> list[int]:
    """Applies the numbered SQL files not yet recorded in the database, in order."""
    connection = db.connection
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"
    )
    async with connection.execute("SELECT version FROM schema_migrations") as cursor:
        done = {row[0] for row in await cursor.fetchall()}
    pending = [(version, name, sql) for version, name, sql in migrations() if version not in done]
    if not pending:
        return []
    # Migrations run with foreign keys off, as SQLite's way of changing a table asks
    # (https://www.sqlite.org/lang_altertable.html): rebuilding a table that others refer to
    # drops it, and with them on that DROP would cascade onto the rows referring to it. The
    # pragma does nothing inside a transaction, so it is switched around them; inside, a
    # foreign_key_check refuses to commit a migration that leaves a reference dangling.
    await connection.execute("PRAGMA foreign_keys = OFF")
    try:
        for version, name, sql in pending:
            async with db.transaction() as tx:
                for statement in split_statements(sql):
                    await tx.execute(statement)
                async with tx.execute("PRAGMA foreign_key_check") as cursor:
                    dangling = list(await cursor.fetchall())
                if dangling:
                    table, rowid, parent, _ = dangling[0]
                    raise StorageError(
                        f"migration {version:04d} {name} leaves references dangling: "
                        f"{len(dangling)}, the first from {table} row {rowid} to {parent}"
                    )
                await tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, now()),
                )
            log.info("applied migration %04d %s", version, name)
    finally:
        await connection.execute("PRAGMA foreign_keys = ON")
    return [version for version, _, _ in pending]


def migrations() -> list[tuple[int, str, str]]:
    """The migration files as (version, name, sql), from files named like 0001_initial.sql."""
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        if not number.isdigit():
            raise StorageError(f"migration file {entry.name} does not start with a number")
        found.append((int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StorageError("two migration files share a number")
    return found


def split_statements(sql: str) -> list[str]:
    """Splits a migration into statements; executescript would COMMIT our transaction."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        raise StorageError(f"incomplete SQL statement in migration: {current.strip()[:60]}")
    return statements
