"""Webhook mode: Telegram sends each update to WEBHOOK_URL; Muster answers 200 only once the
update is recorded, refuses requests without its secret, and switches modes at start-up."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application, services_of
from bot.runtime import running
from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookError, default_secret
from simulator.driver import SimUser
from simulator.server import BotApiSimulator
from storage import Database
from storage import cities as city_store
from storage import inbox as inbox_store
from storage import supporters as supporter_store
from tests.conftest import TOKEN, make_settings, muster_process

NO_CITIES = "No cities have been added yet. Check back soon."  # /start's answer, no city yet


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def webhook_settings(sim: BotApiSimulator, database_path: Path, **overrides: object) -> Settings:
    """Settings for webhook mode: Telegram (the simulator) posts to a local port."""
    port = free_port()
    return make_settings(
        sim,
        database_path,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_listen=f"127.0.0.1:{port}",
        **overrides,
    )


async def test_a_supporter_is_answered_through_the_webhook(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """With WEBHOOK_URL set, Muster registers it with a secret and never polls; a newcomer's
    /start reaches it through the webhook and is answered."""
    settings = webhook_settings(sim, database_path)
    async with running(build_application(settings, TOKEN)):
        assert sim.webhook_url == settings.webhook_url
        assert sim.webhook_secret == default_secret(TOKEN) != TOKEN
        ana = sim.user("Ana")
        await ana.says("/start")
        assert (await ana.receives()).text == NO_CITIES
        await sim.idle()
        # The webhook's server answers /healthz and /metrics too (HTTP_PORT is not used).
        base = (settings.webhook_url or "").removesuffix("/telegram/hook")
        async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as health:
            assert health.status == 200
            assert (await health.json())["status"] == "ok"
    assert sim.stats.requests["getUpdates"] == 0
    assert sim.stats.updates_confirmed == sim.stats.updates_enqueued


async def test_a_request_without_the_secret_is_refused_and_changes_nothing(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A forged update posted to the webhook, with a wrong secret or none, gets 403: nobody
    is signed up, nothing is recorded, nothing is sent. The operator's WEBHOOK_SECRET is the
    one Telegram is given."""
    settings = webhook_settings(sim, database_path, webhook_secret="operator-chosen_secret")
    mallory = sim.user("Mallory")
    forged = {
        "update_id": 777,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": mallory.id, "type": "private", "first_name": "Mallory"},
            "from": {"id": mallory.id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with running(build_application(settings, TOKEN)) as app:
        assert sim.webhook_secret == "operator-chosen_secret"
        url = settings.webhook_url or ""
        async with aiohttp.ClientSession() as session:
            for headers in ({SECRET_HEADER: "guessed"}, {}):
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
            async with session.post(url, data="not json", headers={SECRET_HEADER: ""}) as response:
                assert response.status == 403
        await sim.idle()
        db = services_of(app).db
        assert await supporter_store.get(db, mallory.id) is None
        assert await inbox_store.waiting(db) == []
    assert mallory.messages == []
    assert sim.stats.sends_delivered == 0


async def test_switching_modes_at_start_up_sets_or_deletes_the_webhook(
    sim: BotApiSimulator, database_path: Path, settings: Settings
) -> None:
    """Polling deletes a webhook left by webhook mode, and webhook mode sets it again;
    either way the supporter is answered."""
    ana = sim.user("Ana")
    webhook = webhook_settings(sim, database_path)
    for mode in (webhook, settings, webhook):
        async with running(build_application(mode, TOKEN), poll_timeout=1):
            assert sim.webhook_url == (mode.webhook_url or "")
            ana.mark_all_read()
            await ana.says("/start")
            await ana.receives()
            await sim.idle()


async def test_sigkill_mid_storm_in_webhook_mode_loses_no_sign_up(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """120 newcomers' /start reach a webhook-mode process that is killed when a third have
    their answer. Whatever it had acknowledged was in its inbox, and Telegram sends the rest
    again: after a restart everyone is signed up and answered."""
    settings = webhook_settings(sim, database_path)
    db = Database(settings.database_path)
    await db.open()
    await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
    await db.close()
    process = await muster_process(
        sim,
        settings,
        WEBHOOK_URL=settings.webhook_url or "",
        WEBHOOK_LISTEN=settings.webhook_listen,
        BROADCAST_RATE="25",
    )
    people = [sim.user(f"Newcomer {number}") for number in range(120)]
    try:
        assert await sim.wait_until(lambda: bool(sim.webhook_url), 30)
        for person in people:
            await person.says("/start city-seattle")
        assert await sim.wait_until(lambda: answered(people) >= 40, 30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    acknowledged = sim.stats.updates_confirmed
    print(f"killed with {acknowledged} acknowledged and {answered(people)} answered")
    assert acknowledged > answered(people), "the kill came while acknowledged updates waited"
    async with running(build_application(settings, TOKEN)) as app:
        assert await sim.wait_until(lambda: answered(people) == len(people), 60)
        db = services_of(app).db
        for person in people:
            assert await supporter_store.get(db, person.id) is not None
            assert [city.slug for city in await city_store.followed_by(db, person.id)] == [
                "seattle"
            ]


async def test_a_delivery_telegram_repeats_after_a_restart_is_handled_once(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """Ana's /start is handled; the bot restarts; Telegram, whose 200 got lost, delivers the
    same update again (with the same secret, derived from the token): it is answered 200
    and Ana gets no second reply."""
    settings = webhook_settings(sim, database_path)
    ana = sim.user("Ana")
    async with running(build_application(settings, TOKEN)):
        await ana.says("/start")
        await ana.receives()
        await sim.idle()
    said = ana._last_own_message
    assert said is not None
    update = {"update_id": sim.stats.updates_delivered_up_to, "message": sim.message_json(said)}
    async with running(build_application(settings, TOKEN)):
        headers = {SECRET_HEADER: sim.webhook_secret}
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.post(
                    settings.webhook_url or "", json=update, headers=headers
                ) as response:
                    assert response.status == 200
        await sim.idle()
    assert len(ana.messages) == 1


async def test_set_webhook_is_tried_again_when_telegram_is_busy_and_refused_when_wrong(
    sim: BotApiSimulator, database_path: Path
) -> None:
    """A 429 or 500 from setWebhook at start-up is tried again; a 400 (Telegram refusing
    the URL) stops start-up with WebhookError, and nothing is left listening."""
    settings = webhook_settings(sim, database_path)
    sim.fail_next("setWebhook", 500, "Internal Server Error")
    async with running(build_application(settings, TOKEN)):
        assert sim.webhook_url == settings.webhook_url
    sim.fail_next("setWebhook", 400, "Bad Request: bad webhook: IP address is not allowed")
    with pytest.raises(WebhookError, match="IP address is not allowed"):
        async with running(build_application(settings, TOKEN)):
            pass
    with socket.socket() as probe:  # the port is free again
        probe.bind(settings.webhook_address)


def answered(people: list[SimUser]) -> int:
    return sum(bool(person.messages) for person in people)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("webhook_url", "ftp://example.org", "WEBHOOK_URL: expected the public https:// URL"),
        ("webhook_secret", "has spaces", "WEBHOOK_SECRET: expected 1 to 256 characters"),
        ("webhook_listen", "8080", "WEBHOOK_LISTEN: expected host:port"),
    ],
)
def test_a_wrong_webhook_setting_is_named(variable: str, value: str, expected: str) -> None:
    """Each webhook setting, given wrong, is refused with its name and what is expected;
    Telegram itself only pushes to https."""
    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match=expected):
        load_settings(**{variable: value})
    with pytest.raises(SettingsError, match="WEBHOOK_URL: Telegram sends updates to https"):
        load_settings(webhook_url="http://example.org/hook")
