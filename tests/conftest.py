"""The test bed: the local Bot API simulator, a temporary database, and the real Application
built by build_application and polling over HTTP."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import unicodedata

# PTB 22 warns that RetryAfter.retry_after will become a timedelta unless this opts in;
# with filterwarnings=error the warning would fail any test that meets a 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pypdf import PdfReader

from bot.app import build_application
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage import organizers as organizer_store
from storage import supporters as supporter_store

TOKEN = "123456:TEST-token-that-must-never-be-logged"
ROOT = Path(__file__).resolve().parent.parent
ADMIN_ID = 42


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    """The simulator. Whatever a story does, the bot never asks Telegram for an edit that
    changes nothing (Telegram's 400 "message is not modified")."""
    simulator = BotApiSimulator(token=TOKEN)
    await simulator.start()
    yield simulator
    await simulator.stop()
    assert simulator.stats.not_modified == 0, "an edit changed nothing"


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "muster.db"


def make_settings(sim: BotApiSimulator, database_path: Path, **overrides: Any) -> Settings:
    """The tests' settings. Quiet hours are off unless a test sets QUIET_HOURS: the stories run
    on the wall clock, and at any moment it is night in some city's zone, so the default
    21:00-08:00 would make them ask "send now anyway?" depending on when the suite runs. The
    quiet-hours stories set it and fix the clock (tests/test_quiet_hours.py)."""
    values: dict[str, Any] = {
        "bot_token": SecretStr(TOKEN),
        "telegram_api_url": sim.url,
        "database_path": database_path,
        "admin_ids": frozenset({ADMIN_ID}),
        "quiet_hours": "off",
        **overrides,
    }
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    """Telegram's real pace: 25 bulk messages a second against the simulator's limit of 30."""
    return make_settings(sim, database_path)


@pytest.fixture
async def muster(settings: Settings) -> AsyncIterator[MusterApp]:
    """Muster running against the simulator, shut down gracefully after the test."""
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        yield app


@pytest.fixture
def db(muster: MusterApp) -> Database:
    """The running application's own database, for assertions on rows."""
    from bot.app import services_of

    return services_of(muster).db


@pytest.fixture
async def seattle(db: Database) -> city_store.City:
    return await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")


@pytest.fixture
async def new_york(db: Database) -> city_store.City:
    return await city_store.add(db, "new-york", "America/New_York", "New York")


@pytest.fixture
def admin(sim: BotApiSimulator) -> SimUser:
    return sim.user("Alex", lang="en", user_id=ADMIN_ID)


def pdf_text(content: bytes) -> str:
    """A PDF's text as a reader copying it would get it, one line per line. NFKC undoes
    Arabic's joining forms (the PDF draws each letter in its position's shape); pypdf puts
    right-to-left text back in reading order."""
    pages = PdfReader(io.BytesIO(content)).pages
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in pages))


async def followers(
    sim: BotApiSimulator, db: Database, city: city_store.City, count: int, lang: str = "en"
) -> list[SimUser]:
    """Supporters who started the bot earlier and follow the city, made without chatting
    (chatting 200 sign-ups through Telegram's pace would take seconds per test)."""
    people = []
    for number in range(count):
        person = sim.user(f"{city.name} follower {number}", lang=lang)
        person.seen = person.started = True
        await supporter_store.arrive(db, person.id, lang, source=None)
        await city_store.follow(db, person.id, city.id)
        people.append(person)
    return people


@pytest.fixture
async def organizer(sim: BotApiSimulator, db: Database, seattle: city_store.City) -> SimUser:
    """Olga organizes in Seattle only."""
    olga = sim.user("Olga")
    await olga.says("/start")
    await olga.receives()
    await organizer_store.promote(db, ADMIN_ID, olga.id, [seattle.id], all_cities=False)
    return olga


@pytest.fixture
async def seattle_followers(sim: BotApiSimulator, database_path: Path) -> list[SimUser]:
    """Seattle and five followers, written to the database before any application runs."""
    db = Database(database_path)
    await db.open()
    city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    people = await followers(sim, db, city, 5)
    await db.close()
    return people


def muster_env(**env: str) -> dict[str, str]:
    """The environment for a `python -m bot` a test starts: these settings over the shell's
    environment cleared of Muster's own, so the developer's shell cannot change a test."""
    ours = {name.upper() for name in Settings.model_fields}
    clean = {key: value for key, value in os.environ.items() if key not in ours}
    return {**clean, "PYTHONPATH": str(ROOT), **env}


async def spawn_muster(
    cwd: Path, env: dict[str, str], *, capture: bool = True, stdin: int | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot` as an operator starts it, while the test's simulator keeps serving;
    capture=False leaves stdout and stderr to the test runner's; `stdin` (a terminal's file
    descriptor) instead of no input at all."""
    output = asyncio.subprocess.PIPE if capture else None
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=muster_env(**env),
        stdin=asyncio.subprocess.DEVNULL if stdin is None else stdin,
        stdout=output,
        stderr=output,
    )


async def muster_process(
    sim: BotApiSimulator, settings: Settings, *, capture: bool = False, **env: str
) -> asyncio.subprocess.Process:
    """`python -m bot` against this test's simulator and database, as a process a test can
    kill; `env` adds settings (BROADCAST_RATE="25")."""
    base = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sim.url,
        "DATABASE_PATH": str(settings.database_path),
        "QUIET_HOURS": "off",  # as in make_settings: the wall clock must not change a story
    }
    if not capture:
        base["LOG_LEVEL"] = "WARNING"  # the test runner's output, kept readable
    return await spawn_muster(ROOT, {**base, **env}, capture=capture)
