"""The test bed: the local Bot API simulator, a temporary database, and the real Application
built by build_application and polling over HTTP."""

from __future__ import annotations

import os

# PTB 22 warns that RetryAfter.retry_after will become a timedelta unless this opts in;
# with filterwarnings=error the warning would fail any test that meets a 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import build_application
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from bot.simulator.driver import SimUser
from bot.simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store

TOKEN = "123456:TEST-token-that-must-never-be-logged"
ADMIN_ID = 42


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    simulator = BotApiSimulator(token=TOKEN)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "muster.db"


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    return Settings(
        bot_token=SecretStr(TOKEN),
        telegram_api_url=sim.url,
        database_path=database_path,
        admin_ids=frozenset({ADMIN_ID}),
        _env_file=None,  # type: ignore[call-arg]
    )


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
