"""`python -m bot backup` and `restore`, run as an operator runs them: as processes, beside a
bot that may be running on the same database."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage.db import migrations
from tests.conftest import followers, muster_env, muster_process

EVERY_MIGRATION = [version for version, _, _ in migrations()]


@dataclass(frozen=True)
class Finished:
    status: int
    stdout: str
    stderr: str


async def muster_command(database: Path, *arguments: str, cwd: Path) -> Finished:
    """`python -m bot <arguments>` with DATABASE_PATH set, to its end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *arguments,
        cwd=cwd,
        env=muster_env(DATABASE_PATH=str(database)),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def inspect(path: Path) -> tuple[str, list[int], int]:
    """A copy as a reader finds it: the integrity check, the migrations, the supporters."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations")]
        supporters = connection.execute("SELECT count(*) FROM supporters").fetchone()[0]
    return integrity, sorted(versions), int(supporters)


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def supporters_in(path: Path) -> int:
    return inspect(path)[2]


async def new_database(path: Path, supporters: int = 0) -> None:
    """Muster's schema, and that many supporters, as the bot would have written them."""
    db = Database(path)
    await db.open()
    if supporters:
        await db.write(
            lambda connection: connection.executemany(
                "INSERT INTO supporters (user_id, language, joined_at, source) "
                "VALUES (?, 'en', 0, ?)",
                ((number, f"ref:{'x' * 100}") for number in range(1, supporters + 1)),
            )
        )
    await db.close()


class Writer(threading.Thread):
    """Another process's worth of writes: one supporter a transaction until stopped."""

    def __init__(self, path: Path, first_id: int) -> None:
        super().__init__(name="writer", daemon=True)
        self.path, self.next_id = path, first_id
        self.written = self.mark = 0
        self.passed = threading.Event()  # set once `written` is past `mark`
        self.started_writing = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            while not self.stopping.is_set():
                connection.execute(
                    "INSERT INTO supporters (user_id, language, joined_at) VALUES (?, 'en', 0)",
                    (self.next_id,),
                )
                self.next_id += 1
                self.written += 1
                self.started_writing.set()
                if self.written > self.mark:
                    self.passed.set()
        finally:
            connection.close()

    async def writes_more(self) -> None:
        """Until one more row than now is committed."""
        self.passed.clear()
        self.mark = self.written
        assert await asyncio.to_thread(self.passed.wait, 10)


async def test_backup_while_a_writer_inserts_is_a_consistent_checked_copy(tmp_path: Path) -> None:
    """A backup taken while another connection keeps inserting opens, passes integrity_check,
    has every migration, and holds the database as of one instant: every row written before
    it began, none written after it ended."""
    live = tmp_path / "muster.db"
    await new_database(live, supporters=40_000)
    writer = Writer(live, first_id=1_000_000)
    writer.start()
    try:
        assert await asyncio.to_thread(writer.started_writing.wait, 10)
        before = 40_000 + writer.written
        finished = await muster_command(live, "backup", "nightly.db", cwd=tmp_path)
        after = 40_000 + writer.written
        await writer.writes_more()
    finally:
        writer.stopping.set()
        await asyncio.to_thread(writer.join, 10)
    assert finished.status == 0, finished.stderr
    copy = tmp_path / "nightly.db"
    line = one_line(finished.stdout)
    assert line.startswith(f"muster: backup written to nightly.db ({copy.stat().st_size:,} bytes")
    assert "integrity check ok" in line
    integrity, versions, supporters = inspect(copy)
    assert integrity == "ok" and versions == EVERY_MIGRATION
    # (+1: the row the writer had committed but not yet counted when `after` was read)
    assert before <= supporters <= after + 1, (before, supporters, after)
    assert supporters < supporters_in(live)
    assert [name for name in names_in(tmp_path) if "partial" in name] == []


async def test_backup_of_a_running_bot_and_restore_after_it_stopped(
    sim: BotApiSimulator, settings: Settings, tmp_path: Path
) -> None:
    """A running bot's database is backed up as it is; restore is refused while the bot runs
    (naming the database), and once it stopped, even killed, brings back that copy, with
    the old WAL gone and the file's mode kept."""
    live = settings.database_path
    db = Database(live)
    await db.open()
    city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    await followers(sim, db, city, 3)
    await db.close()
    bot = await muster_process(sim, settings)
    try:
        assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] > 0, 30)
        early = await signs_up(sim, "Early")
        made = await muster_command(live, "backup", "before.db", cwd=tmp_path)
        assert made.status == 0, made.stderr
        await signs_up(sim, "Late")

        refused = await muster_command(live, "restore", "before.db", cwd=tmp_path)
        assert refused.status == 1
        line = one_line(refused.stderr)
        assert line.startswith(f"muster: restore: refused: {live} is in use by a running Muster")
        assert "stop the bot first" in line
        assert supporters_in(live) == 5  # untouched
    finally:
        bot.send_signal(signal.SIGKILL)  # the hardest stop: its WAL is left behind
        await bot.wait()
    assert early.messages
    assert inspect(tmp_path / "before.db")[1:] == (EVERY_MIGRATION, 4)

    live.chmod(0o640)
    restored = await muster_command(live, "restore", "before.db", cwd=tmp_path)
    assert restored.status == 0, restored.stderr
    assert one_line(restored.stdout).startswith(f"muster: restored {live} from before.db (")
    assert [name for name in names_in(live.parent) if name.endswith(("-wal", "-shm"))] == []
    assert inspect(live) == ("ok", EVERY_MIGRATION, 4)
    assert stat.S_IMODE(live.stat().st_mode) == 0o640


async def signs_up(sim: BotApiSimulator, name: str) -> SimUser:
    person = sim.user(name)
    await person.says("/start")
    await person.receives(timeout=10)
    return person


async def test_a_second_bot_on_the_same_database_is_refused(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """While one bot runs, a second on the same database stops at once with one line naming
    the database and the first bot's process, and the first goes on."""
    first = await muster_process(sim, settings)
    try:
        assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] > 0, 30)
        second = await muster_process(sim, settings, capture=True)
        _, stderr = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        line = one_line(stderr.decode())
        assert f"DATABASE_PATH: {settings.database_path} is in use" in line
        assert f"process {first.pid}" in line
        assert first.returncode is None
        await signs_up(sim, "Still served")
    finally:
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 30) == 0


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def foreign_database(path: Path) -> Path:
    """An SQLite file that is not Muster's."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    return path


def newer_database(path: Path) -> Path:
    """Muster's schema with a migration this code does not know."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, "
            "applied_at INTEGER)"
        )
        connection.execute("INSERT INTO schema_migrations VALUES (9999, 'future', 0)")
    connection.close()
    return path


@pytest.mark.parametrize(
    ("arguments", "answer"),
    [
        ((), "backup takes one file; usage: python -m bot [backup FILE | restore FILE]"),
        (("copy.db", "again.db"), "backup takes one file"),
        ("unknown", "unknown command 'backups'"),
        (("missing/copy.db",), "cannot write missing/copy.db: the folder missing does not exist"),
        ((".",), ". is a folder; name the backup file"),
        (("live.db",), "live.db is the database itself; name another file"),
    ],
)
async def test_backup_with_a_wrong_argument_says_what_is_expected(
    tmp_path: Path, arguments: tuple[str, ...] | str, answer: str
) -> None:
    """A wrong file for `backup` is one line on stderr and status 2, and writes nothing."""
    live = tmp_path / "live.db"
    await new_database(live)
    command = ("backups",) if arguments == "unknown" else ("backup", *arguments)
    finished = await muster_command(live, *command, cwd=tmp_path)
    assert finished.status == 2
    assert answer in one_line(finished.stderr)
    assert finished.stdout == ""
    assert names_in(tmp_path) == ["live.db"]


@pytest.mark.parametrize(
    ("make", "answer"),
    [
        (
            lambda folder: folder / "nowhere.db",
            "cannot restore from given/nowhere.db: no such file",
        ),
        (lambda folder: folder, "cannot restore from given: a folder"),
        (
            lambda folder: write(folder / "notes.txt", b"not a database" * 100),
            "cannot read given/notes.txt as an SQLite database: file is not a database",
        ),
        (
            lambda folder: foreign_database(folder / "other.db"),
            "given/other.db is not a Muster database: it has no schema_migrations table",
        ),
        (
            lambda folder: newer_database(folder / "future.db"),
            "given/future.db comes from a newer Muster (migration 9999",
        ),
    ],
)
async def test_restore_of_a_wrong_file_is_refused_and_keeps_the_database(
    tmp_path: Path, make: Callable[[Path], Path], answer: str
) -> None:
    """Restoring a missing file, a folder, a file that is not an SQLite database, another
    program's database or a newer Muster's is one line and status 2, and the database
    stays as it was."""
    folder = tmp_path / "given"
    folder.mkdir()
    given = make(folder)
    live = tmp_path / "live.db"
    await new_database(live, supporters=3)
    finished = await muster_command(live, "restore", str(given.relative_to(tmp_path)), cwd=tmp_path)
    assert finished.status == 2
    assert answer in one_line(finished.stderr)
    assert inspect(live) == ("ok", EVERY_MIGRATION, 3)
    assert [name for name in names_in(tmp_path) if "partial" in name] == []


async def test_a_failed_backup_leaves_the_last_good_one_in_place(tmp_path: Path) -> None:
    """When the database cannot be copied (here: it is not a database), the backup file of
    the night before stays as it was and no partial copy is left beside it."""
    good = tmp_path / "nightly.db"
    await new_database(good, supporters=2)
    yesterday = good.read_bytes()
    broken = write(tmp_path / "muster.db", b"\x00garbage" * 1000)
    finished = await muster_command(broken, "backup", "nightly.db", cwd=tmp_path)
    assert finished.status == 2
    assert one_line(finished.stderr) == (
        f"muster: backup: cannot read {broken} as an SQLite database: file is not a database"
    )
    assert good.read_bytes() == yesterday
    assert names_in(tmp_path) == ["muster.db", "nightly.db"]


async def test_backup_without_a_database_says_so(tmp_path: Path) -> None:
    """DATABASE_PATH naming no file: nothing to back up, said in one line, status 2."""
    finished = await muster_command(tmp_path / "none.db", "backup", "copy.db", cwd=tmp_path)
    assert finished.status == 2
    assert one_line(finished.stderr) == (
        f"muster: backup: DATABASE_PATH: no database at {tmp_path / 'none.db'}, nothing to back up"
    )
    assert names_in(tmp_path) == []
