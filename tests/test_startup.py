"""Start-up failures stop Muster with one line on stderr and never a traceback or the token:
status 2 when a setting is to blame (a token Telegram rejects, a database path that cannot be
used), 1 for anything else."""

from __future__ import annotations

import asyncio
import os
import pty
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.server import BotApiSimulator
from tests.conftest import TOKEN, spawn_muster

WRONG_TOKEN = "654321:WRONG-token-that-must-never-be-printed"


@dataclass(frozen=True)
class Exit:
    status: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.strip().splitlines()

    def shows(self, secret: str) -> bool:
        """Whether the secret appears in any letter case (some messages change it)."""
        return secret.lower() in (self.stdout + self.stderr).lower()


async def start_muster(sim: BotApiSimulator, tmp_path: Path, **env: str) -> Exit:
    """python -m bot against the simulator, as an operator would start it; the simulator keeps
    serving meanwhile, so the process is awaited rather than run blocking."""
    defaults = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sim.url,
        "DATABASE_PATH": str(tmp_path / "muster.db"),
    }
    return await run_muster(tmp_path, **(defaults | env))


async def run_muster(tmp_path: Path, **env: str) -> Exit:
    """python -m bot with these settings, and how it ended."""
    return await run_muster_in(tmp_path, env, terminal=False)


async def run_muster_in(tmp_path: Path, env: dict[str, str], *, terminal: bool) -> Exit:
    """python -m bot with these settings, and, for the simulator chat, a terminal."""
    keyboard, screen = pty.openpty() if terminal else (None, None)
    process = await spawn_muster(tmp_path, env, stdin=screen)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:  # it did not stop by itself: the test fails, no orphan
            process.kill()
            await process.wait()
        for descriptor in (keyboard, screen):
            if descriptor is not None:
                os.close(descriptor)
    assert process.returncode is not None
    return Exit(process.returncode, stdout.decode(), stderr.decode())


async def test_token_telegram_rejects_exits_2_naming_bot_token(
    sim: BotApiSimulator, tmp_path: Path
) -> None:
    """A token Telegram rejects stops start-up with status 2 and one line naming BOT_TOKEN."""
    result = await start_muster(sim, tmp_path, BOT_TOKEN=WRONG_TOKEN)
    assert result.status == 2
    assert result.lines == [
        "muster: BOT_TOKEN: rejected by Telegram (check the token from @BotFather)"
    ]
    assert not result.shows(WRONG_TOKEN)
    assert not result.shows(WRONG_TOKEN.split(":")[1])


async def test_rejected_token_is_not_logged_even_at_debug(
    sim: BotApiSimulator, tmp_path: Path
) -> None:
    """At DEBUG every request URL is logged, yet the rejected token still appears nowhere."""
    result = await start_muster(sim, tmp_path, BOT_TOKEN=WRONG_TOKEN, LOG_LEVEL="DEBUG")
    assert result.status == 2
    assert "getMe" in result.stderr  # the logs did see the request
    assert result.lines[-1].startswith("muster: BOT_TOKEN: rejected by Telegram")
    assert not result.shows(WRONG_TOKEN.split(":")[1])


def not_a_database(tmp_path: Path) -> Path:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list: bread, milk\n" * 100)
    return notes


def under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("not a folder")
    return tmp_path / "notes.txt" / "muster.db"


@pytest.mark.parametrize(
    ("make_path", "reason"),
    [
        (lambda tmp_path: Path("/proc/nope/muster.db"), "cannot create the folder /proc/nope"),
        (under_a_file, "cannot create the folder"),
        (not_a_database, "as an SQLite database: file is not a database"),
    ],
    ids=["root-cannot-be-created", "parent-is-a-file", "file-is-not-a-database"],
)
async def test_unusable_database_path_exits_2_naming_database_path(
    sim: BotApiSimulator, tmp_path: Path, make_path: object, reason: str
) -> None:
    """A database that cannot be created or opened stops start-up with status 2 and one line
    naming DATABASE_PATH and why."""
    assert callable(make_path)
    path = make_path(tmp_path)
    result = await start_muster(sim, tmp_path, DATABASE_PATH=str(path))
    assert result.status == 2
    assert len(result.lines) == 1, result.stderr
    assert result.lines[0].startswith("muster: DATABASE_PATH: ") and reason in result.lines[0]
    assert not result.shows(TOKEN)


async def test_unusable_database_path_in_the_simulator_exits_2(tmp_path: Path) -> None:
    """Without a token the built-in simulator starts, and the same database check applies."""
    env = {"DATABASE_PATH": "/proc/nope/muster.db"}
    result = await run_muster_in(tmp_path, env, terminal=True)
    assert result.status == 2
    assert result.lines == [
        "muster: DATABASE_PATH: cannot create the folder /proc/nope: No such file or directory"
    ]


async def test_any_other_start_up_error_exits_1_in_one_redacted_line(
    sim: BotApiSimulator, tmp_path: Path
) -> None:
    """An error no setting explains stops start-up with status 1 and one line, with the token
    blanked even when the error quotes it."""
    # python-telegram-bot capitalizes this description, turning the token into lower case.
    sim.fail_next("getMe", status=400, description=f"Bad Request: token {TOKEN} is unwell")
    result = await start_muster(sim, tmp_path)
    assert result.status == 1
    assert len(result.lines) == 1, result.stderr
    assert result.lines[0].startswith("muster: BadRequest: Token <token> is unwell")
    assert "Traceback" not in result.stderr
    assert not result.shows(TOKEN)
