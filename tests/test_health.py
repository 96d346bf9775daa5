"""Stories of an operator watching Muster: /healthz says whether it can work (the database
takes writes, Telegram answers), /metrics what it is doing, and neither says about whom."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_application, services_of
from bot.clock import ManualClock
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings, SettingsError, load_settings
from bot.webserver import WebServer
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import broadcasts as broadcast_store
from storage import health as health_store
from storage import supporters as supporter_store
from storage.broadcasts import Content
from storage.cities import City
from storage.supporters import Status
from tests.conftest import ROOT, TOKEN, followers, make_settings
from tests.test_broadcast import compose


def free_port() -> int:
    """A port nobody listens on now, for HTTP_PORT (which takes no 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(sim: BotApiSimulator, database_path: Path) -> Settings:
    """The conftest's settings, with /healthz and /metrics served on a free port."""
    return make_settings(sim, database_path, http_port=free_port())


async def get(settings: Settings, path: str) -> tuple[int, str]:
    url = f"http://{settings.http_host}:{settings.http_port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def healthz(settings: Settings) -> tuple[int, dict[str, Any]]:
    status, body = await get(settings, "/healthz")
    return status, json.loads(body)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(settings: Settings) -> tuple[str, Samples]:
    """/metrics as Prometheus reads it: the text, and each sample's value by name and labels."""
    status, text = await get(settings, "/metrics")
    assert status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_healthz_answers_200_with_what_the_bot_is_doing(
    sim: BotApiSimulator, muster: MusterApp, admin: SimUser, settings: Settings
) -> None:
    """On a running bot /healthz answers 200: database reachable and writable, when the last
    update was handled, no broadcast running, the scheduler armed with its jobs."""
    await admin.says("/start")
    await admin.receives()
    await sim.idle()  # its handling has ended
    status, report = await healthz(settings)
    assert status == 200, report
    assert report["status"] == "ok" and report["problems"] == []
    assert report["database"] == {"reachable": True, "writable": True}
    assert report["last_update_at"].endswith("+00:00")
    assert report["telegram"]["silent_seconds"] < 60
    assert report["broadcasts_running"] == 0
    assert report["scheduler"]["running"] is True and report["scheduler"]["jobs"] >= 1


async def test_healthz_turns_503_when_the_database_refuses_writes(
    sim: BotApiSimulator, db: Database, muster: MusterApp, settings: Settings
) -> None:
    """When SQLite refuses every change, as with a read-only file, /healthz answers 503
    naming the database, and 200 again once writes are taken."""
    await health_store.refuse_writes(db, True)
    try:
        # The drill is real: an ordinary change fails as it would on a read-only file.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await supporter_store.ensure(db, 7, "en")
        status, report = await healthz(settings)
        assert status == 503
        assert report["status"] == "failing"
        assert report["database"] == {"reachable": True, "writable": False}
        assert report["problems"] == ["database not writable: attempt to write a readonly database"]
    finally:
        await health_store.refuse_writes(db, False)
    status, report = await healthz(settings)
    assert status == 200 and report["problems"] == []


async def test_healthz_turns_503_after_five_minutes_without_an_answer_from_telegram(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """A quiet bot is probed with getMe once a minute at most; only when Telegram has
    answered nothing for five minutes does /healthz answer 503, and one answer heals it."""
    clock = ManualClock()
    app = build_application(settings, TOKEN, clock=clock)
    async with running(app, poll_timeout=1):
        assert (await healthz(settings))[0] == 200
        # Telegram stops answering: connections drop (the getMe probes twice only).
        sim.fail_next("getUpdates", status=0, count=10_000)
        sim.fail_next("getMe", status=0, count=2)
        # The long poll in flight may still bring an answer; the next one is refused.
        assert await sim.wait_until(lambda: sim.stats.errors[502] >= 1, 5)
        probes = sim.stats.requests["getMe"]

        clock.advance(61)  # a quiet minute: probed, no answer, still healthy
        status, report = await healthz(settings)
        assert status == 200 and report["telegram"]["silent_seconds"] == 61
        assert sim.stats.requests["getMe"] == probes + 1

        clock.advance(30)  # probed less than a minute ago: not asked again
        assert (await healthz(settings))[0] == 200
        assert sim.stats.requests["getMe"] == probes + 1

        clock.advance(210)  # five minutes and a second of silence, the probe unanswered
        status, report = await healthz(settings)
        assert status == 503
        assert report["problems"] == ["telegram: no answer for 301 s"]
        assert report["database"]["writable"] is True
        assert sim.stats.requests["getMe"] == probes + 2

        clock.advance(60)  # the next probe is answered
        status, report = await healthz(settings)
        assert status == 200 and report["telegram"]["silent_seconds"] == 0


async def test_metrics_count_a_broadcasts_sends_and_updates_by_type_and_never_whom(
    sim: BotApiSimulator, db: Database, organizer: SimUser, seattle: City, settings: Settings
) -> None:
    """A broadcast to three followers, one of whom blocked the bot unnoticed, shows as 2 sent
    and 1 blocked; updates are counted by type, supporters by status; and no label of any
    metric carries a user id or anything anyone wrote."""
    ana, ben, cal, zoe = await followers(sim, db, seattle, 4)
    await zoe.blocks()  # Telegram tells the bot: she gets nothing from now on
    await sim.idle()
    blocked = await supporter_store.get(db, zoe.id)
    assert blocked is not None and blocked.status is Status.UNREACHABLE
    ben.blocked = True  # blocked without the bot having been told
    await compose(sim, organizer, "Seattle")  # /broadcast, a city press, the message
    await organizer.presses("📣 Send now")
    await organizer.waits_for(lambda chat: "delivered to 2 of 3" in chat.last.text, timeout=10)
    await sim.idle()  # the last press's handling has ended

    text, samples = await scrape(settings)
    assert value(samples, "muster_sends_total", outcome="sent") == 2
    assert value(samples, "muster_sends_total", outcome="blocked") == 1
    assert value(samples, "muster_sends_total", outcome="failed") == 0
    assert value(samples, "muster_sends_total", outcome="throttled") == 0
    handled = {
        kind: value(samples, "muster_updates_handled_total", type=kind)
        for kind in ("command", "message", "callback_query", "my_chat_member")
    }
    # Olga's /start and /broadcast, her rally message, her two presses; Zoe's block.
    assert handled == {"command": 2, "message": 1, "callback_query": 2, "my_chat_member": 1}
    assert value(samples, "muster_update_handling_seconds_count", type="command") == 2
    assert value(samples, "muster_supporters", status="active") == 3  # Olga, Ana, Cal
    assert value(samples, "muster_supporters", status="unreachable") == 2  # Ben, Zoe
    assert value(samples, "muster_supporters", status="paused") == 0
    assert value(samples, "muster_broadcast_queue_depth") == 0
    assert value(samples, "muster_scheduled_jobs") >= 1

    people = (organizer, ana, ben, cal, zoe)
    label_names = {name for _, labels in samples for name, _ in labels}
    assert label_names <= {"type", "outcome", "status", "le"}
    label_values = {label for _, labels in samples for _, label in labels}
    assert not {str(person.id) for person in people} & label_values
    assert not any("Rally" in label or "Seattle" in label for label in label_values)
    assert "Rally" not in text and "seattle" not in text.lower()


async def test_queue_depth_and_lag_show_a_broadcast_held_up_by_telegram(
    sim: BotApiSimulator, db: Database, muster: MusterApp, seattle: City, settings: Settings
) -> None:
    """While a broadcast sits out Telegram's 429, /metrics shows it running with its
    recipients still waiting and the 429 counted, and /healthz counts it as running."""
    await followers(sim, db, seattle, 30)
    sim.fail_next("sendMessage", status=429, description="Too Many Requests", retry_after=5)
    broadcast = await broadcast_store.create(db, None, seattle.id, Content("Strike at noon"))
    await services_of(muster).engine.send_now(broadcast.id)
    assert await sim.wait_until(lambda: sim.stats.rejected_429 == 1, 5)

    _, samples = await scrape(settings)
    assert value(samples, "muster_broadcasts_running") == 1
    assert 20 <= value(samples, "muster_broadcast_queue_depth") <= 30
    assert 0 <= value(samples, "muster_broadcast_lag_seconds") < 60
    assert value(samples, "muster_sends_total", outcome="throttled") == 1
    assert (await healthz(settings))[1]["broadcasts_running"] == 1


async def test_the_dockerfile_healthcheck_passes_on_200_and_fails_on_503(
    db: Database, muster: MusterApp, settings: Settings
) -> None:
    """The image's HEALTHCHECK command, run as Docker runs it, exits 0 while /healthz says
    200 and 1 once the database refuses writes."""
    command = healthcheck_command()

    async def exit_status() -> int:
        check = await asyncio.create_subprocess_exec(
            *command,
            env={"HTTP_PORT": str(settings.http_port), "PATH": ""},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return await asyncio.wait_for(check.wait(), 30)

    assert await exit_status() == 0
    await health_store.refuse_writes(db, True)
    try:
        assert await exit_status() == 1
    finally:
        await health_store.refuse_writes(db, False)


def healthcheck_command() -> list[str]:
    """The exec form after HEALTHCHECK's CMD in the Dockerfile, with this interpreter."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    cmd = next(line for line in lines[start:] if line.strip().startswith("CMD "))
    program, *arguments = json.loads(cmd.strip().removeprefix("CMD "))
    assert program == "python"
    return [sys.executable, *arguments]


async def test_web_server_serves_its_routes_on_a_free_port_until_stopped() -> None:
    """Port 0 picks a free port, routes must be added before the start, and a stopped
    server refuses connections."""

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    server = WebServer("127.0.0.1", 0)
    server.add_routes([web.get("/hello", hello)])
    await server.start()
    try:
        assert server.port > 0
        url = f"http://127.0.0.1:{server.port}/hello"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert await response.text() == "hello"
        with pytest.raises(RuntimeError, match="before the server starts"):
            server.add_routes([web.get("/late", hello)])
    finally:
        await server.stop()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url)


@pytest.mark.parametrize("port", ["0", "65536", "-1", "8080x", "http"])
def test_a_wrong_http_port_is_named(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    """HTTP_PORT takes a TCP port from 1 to 65535 and says so."""
    monkeypatch.setenv("HTTP_PORT", port)
    with pytest.raises(SettingsError, match=r"^HTTP_PORT: expected a TCP port from 1 to 65535"):
        load_settings(_env_file=None)


def test_http_settings_default_to_off_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset (or empty), HTTP_PORT serves nothing; HTTP_HOST is loopback unless told."""
    monkeypatch.delenv("HTTP_PORT", raising=False)
    monkeypatch.delenv("HTTP_HOST", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.http_port is None and settings.http_host == "127.0.0.1"
    monkeypatch.setenv("HTTP_PORT", "")
    assert load_settings(_env_file=None).http_port is None
    monkeypatch.setenv("HTTP_PORT", "9100")
    monkeypatch.setenv("HTTP_HOST", "0.0.0.0")
    settings = load_settings(_env_file=None)
    assert settings.http_port == 9100 and settings.http_host == "0.0.0.0"
    monkeypatch.setenv("HTTP_HOST", "http://0.0.0.0")
    with pytest.raises(SettingsError, match=r"^HTTP_HOST: expected an address"):
        load_settings(_env_file=None)


@pytest.fixture
async def occupied_port() -> AsyncIterator[int]:
    """A port something else listens on."""
    server = WebServer("127.0.0.1", 0)
    await server.start()
    yield server.port
    await server.stop()


async def test_a_port_in_use_stops_start_up_naming_http_port(
    sim: BotApiSimulator, tmp_path: Path, occupied_port: int
) -> None:
    """When HTTP_PORT is taken, start-up stops with status 2 and a last line naming it."""
    from tests.test_startup import start_muster

    result = await start_muster(sim, tmp_path, HTTP_PORT=str(occupied_port))
    assert result.status == 2
    assert result.lines[-1] == (
        f"muster: HTTP_HOST/HTTP_PORT: cannot listen on 127.0.0.1:{occupied_port}: "
        "Address already in use"
    )
    assert "Traceback" not in result.stderr
