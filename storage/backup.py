"""Copies of the database file: an online backup while the bot writes, and a restore.

Plain sqlite3 here, not the bot's aiosqlite connection: these run in their own process
(`python -m bot backup|restore`), beside a bot that may be running in another.

A copy is made in one step of SQLite's online backup API (`Connection.backup` with every
page at once), not page by page with pauses. A step-wise backup starts over whenever
another connection writes to the source between two steps, and the bot writes every 0.2 s
while a broadcast goes out, so on a busy bot it might never finish. One step reads one
snapshot in one read transaction; in WAL mode that blocks none of the bot's writes (they go
to the WAL meanwhile), and the copy is the database as of that instant.

Every copy is written under a temporary name beside its destination and renamed into place
only after `PRAGMA integrity_check` passed on it, so a failed copy never stands under the
real name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.db import StorageError, migrations

# What SQLite keeps beside a database file; stale ones would be read into a restored file.
SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(StorageError):
    """The copy could not be made or failed its check; the message says why."""


class UnusableFile(BackupError):
    """A file named on the command line or in DATABASE_PATH cannot be used as asked (missing,
    a folder, not an SQLite database, not Muster's): fixed by naming another."""


@dataclass(frozen=True, slots=True)
class Copy:
    """A checked copy: where it is, its size in bytes and pages, and its schema version."""

    path: Path
    size: int
    pages: int
    schema: int


def back_up(database: Path, target: Path) -> Copy:
    """Copies the live database to target, checked, replacing what target held."""
    _must_be_file(database, "no database at")
    if target.is_dir():
        raise UnusableFile(f"{target} is a folder; name the backup file, like {target}/muster.db")
    if not target.parent.is_dir():
        raise UnusableFile(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.exists() and target.resolve() == database.resolve():
        raise UnusableFile(f"{target} is the database itself; name another file")
    with _connected(database, "rw") as source:
        return _copy_into(source, target, database)


def restore(backup: Path, database: Path) -> Copy:
    """Replaces the database with a checked copy of backup. The caller holds the database's
    lock (no bot is running on it)."""
    _must_be_file(backup, "no backup at")
    database.parent.mkdir(parents=True, exist_ok=True)
    # The backup is only read; copying it (rather than renaming it) leaves it for next time.
    with _connected(backup, "ro") as source:
        return _copy_into(source, database, backup, before_rename=_take_place_of)


def _must_be_file(path: Path, missing: str) -> None:
    if path.is_dir():
        raise UnusableFile(f"{path} is a folder, not an SQLite file")
    if not path.exists():
        raise UnusableFile(f"{missing} {path}")
    if not os.access(path, os.R_OK):
        raise UnusableFile(f"cannot read {path}: permission denied")


@contextlib.contextmanager
def _connected(path: Path, mode: str) -> Iterator[sqlite3.Connection]:
    # A URI with mode=rw or ro never creates a file where there was none.
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
    except sqlite3.Error as error:
        raise UnusableFile(f"cannot open {path}: {error}") from error
    try:
        yield connection
    finally:
        connection.close()


def _copy_into(
    source: sqlite3.Connection,
    target: Path,
    source_path: Path,
    before_rename: Callable[[Path, Path], None] | None = None,
) -> Copy:
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(descriptor)
    partial = Path(name)
    try:
        _copy(source, partial, source_path)
        copy = check(partial, source_path)
        if before_rename is not None:
            before_rename(partial, target)
        os.replace(partial, target)
        _sync_folder(target.parent)
        return Copy(target, copy.size, copy.pages, copy.schema)
    finally:
        for leftover in (partial, *(Path(f"{partial}{side}") for side in SIDE_FILES)):
            leftover.unlink(missing_ok=True)


def _copy(source: sqlite3.Connection, partial: Path, source_path: Path) -> None:
    destination = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(destination)  # pages=-1: every page in one step (see above)
        # One self-contained file: no -wal to carry along, and it opens on a read-only mount.
        destination.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlite3.Error as error:
        if error.sqlite_errorname.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            raise UnusableFile(
                f"cannot read {source_path} as an SQLite database: {error}"
            ) from error
        raise BackupError(f"cannot copy {source_path} into {partial.parent}: {error}") from error
    finally:
        destination.close()
    with partial.open("rb+") as written:
        os.fsync(written.fileno())


def check(path: Path, named: Path | None = None) -> Copy:
    """Opens the file read-only and checks it is a sound Muster database: integrity_check
    passes, and it has the migrations table with no migration this code does not know."""
    shown = named or path
    with _connected(path, "ro") as connection:
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise UnusableFile(
                    f"{shown} fails SQLite's integrity check: {'; '.join(problems[:3])}"
                )
            schema = _schema_version(connection, shown)
            pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
        except sqlite3.DatabaseError as error:
            raise UnusableFile(f"cannot read {shown} as an SQLite database: {error}") from error
    return Copy(path, path.stat().st_size, pages, schema)


def _schema_version(connection: sqlite3.Connection, shown: Path) -> int:
    found = connection.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if found is None:
        raise UnusableFile(f"{shown} is not a Muster database: it has no schema_migrations table")
    applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
    known = {version for version, _, _ in migrations()}
    if applied - known:
        raise UnusableFile(
            f"{shown} comes from a newer Muster (migration {max(applied):04d}; "
            f"this one knows up to {max(known):04d})"
        )
    return max(applied, default=0)


def _take_place_of(copy: Path, database: Path) -> None:
    """Readies the restored copy to replace the database. It keeps the old file's owner and
    mode (a restore run as root must not leave a file the bot's user cannot open). The old
    database's WAL, shared memory and journal go before the copy takes its name: left beside
    it, SQLite would replay the old WAL's pages into the restored database."""
    if database.exists():
        old = database.stat()
        os.chmod(copy, old.st_mode & 0o777)
        if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            os.chown(copy, old.st_uid, old.st_gid)
    for side in SIDE_FILES:
        Path(f"{database}{side}").unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power loss only once the folder is synced."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
