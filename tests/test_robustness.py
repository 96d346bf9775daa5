"""Odd updates and failures: the bot shrugs them off and keeps answering."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest
from telegram.error import InvalidToken

from bot.app import build_application
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from simulator.server import BotApiSimulator
from storage import Database
from storage import health as health_store
from storage.cities import City
from tests.conftest import TOKEN


async def test_barrage_of_odd_updates_does_not_break_the_bot(
    sim: BotApiSimulator, seattle: City, caplog: pytest.LogCaptureFixture
) -> None:
    """Stickers, photos, edits, group chatter, unknown commands and huge texts are handled
    calmly, and /start still works afterwards."""
    pat = sim.user("Pat")
    group = sim.group("Organizers chat")
    await pat.says("hello there")
    assert "I only understand commands" in (await pat.receives()).text
    await pat.sends_sticker()
    await pat.receives()
    await pat.sends_photo(caption="look")
    await pat.receives()
    await pat.edits_last_message("/start")
    await pat.says_in(group, "/start")
    await pat.says_in(group, "/addcity x UTC X")
    await pat.says("/frobnicate")
    assert "I don't know that command" in (await pat.receives()).text
    await pat.says("é" * 5000)
    await pat.receives()
    await pat.presses_data("city:toggle:999999:0")
    await pat.presses_data("city:toggle:not-a-number")
    await pat.presses_data("something-else-entirely")
    await pat.presses_data("rsvp:" + "9" * 40 + ":y")
    await pat.presses_data("bc:stop:99999999999999999999999")
    await pat.sends_raw(
        {
            "poll": {
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            }
        }
    )
    await pat.says("/start")
    assert "Welcome to Muster" in (await pat.receives()).text
    await sim.idle()
    assert group.messages == []
    assert len(pat.callback_answers) == 5
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failing_handler_is_logged_with_its_update_id_and_the_user_told(
    sim: BotApiSimulator, muster: MusterApp, seattle: City, caplog: pytest.LogCaptureFixture
) -> None:
    """When storage fails mid-update, the error handler logs the update id and apologises."""
    from bot.app import services_of

    quinn = sim.user("Quinn")
    # The table /mycities reads is gone: the update is received and recorded, its handler
    # fails. (With the whole database down the update is not even recorded, so it stays with
    # Telegram and comes again later: nothing to apologise for, and nothing lost.)
    await services_of(muster).db.change("DROP TABLE subscriptions")
    await quinn.says("/mycities")
    assert "something went wrong" in (await quinn.receives()).text
    failures = [r for r in caplog.records if re.fullmatch(r"update \d+ failed", r.getMessage())]
    assert len(failures) == 1 and failures[0].exc_info is not None


async def test_one_person_flooding_the_bot_holds_back_nobody_else(
    sim: BotApiSimulator, muster: MusterApp, seattle: City
) -> None:
    """Eve sends 120 messages in a burst; Telegram lets the bot answer her about once a
    second, so hers take minutes. Bob, writing after all of them, is answered at once: the
    bot fetches past updates that wait their turn (they are held in its inbox, not left
    unconfirmed at Telegram, whose getUpdates would give the same 100 again and again)."""
    sim.per_chat_limit = 1
    eve, bob = sim.user("Eve"), sim.user("Bob")
    for _ in range(120):
        await eve.says("/myid")
    asked = time.monotonic()
    await bob.says("/myid")
    await bob.receives(timeout=10)
    assert time.monotonic() - asked < 3.0
    sim.per_chat_limit = None  # Eve's last replies go out at once: the story is told


async def test_a_token_revoked_while_running_stops_the_bot_cleanly(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """Telegram starts refusing the token (revoked in @BotFather): polling stops, the stop
    event is set as SIGTERM would, and InvalidToken comes out once everything is closed."""
    stop = asyncio.Event()
    with pytest.raises(InvalidToken):
        async with running(build_application(settings, TOKEN), poll_timeout=1, stop=stop):
            sim.token = "123456:another-token"
            async with asyncio.timeout(10):
                await stop.wait()


async def test_an_update_the_bot_cannot_read_is_skipped_and_nothing_else_lost(
    sim: BotApiSimulator,
    db: Database,
    muster: MusterApp,
    seattle: City,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram sends something python-telegram-bot cannot read: it is logged and skipped,
    its row leaves the inbox, polling goes on and the next person is answered."""
    sim.enqueue_update({"message": "not a message"})
    pat = sim.user("Pat")
    await pat.says("/start")
    assert "Welcome to Muster" in (await pat.receives()).text
    await sim.idle()
    assert any(
        re.fullmatch(r"update \d+ could not be read; skipped", r.getMessage())
        for r in caplog.records
    )
    assert await db.fetch_all("SELECT update_id FROM inbox") == []


async def test_updates_the_database_cannot_record_stay_with_telegram(
    sim: BotApiSimulator, db: Database, muster: MusterApp
) -> None:
    """While the database refuses writes, Ana's /start is fetched but not recorded, so the
    next getUpdates does not confirm it: it stays with Telegram. Once the database takes
    writes again, it is fetched again and answered."""
    ana = sim.user("Ana")
    await health_store.refuse_writes(db, True)
    try:
        await ana.says("/start")
        fetched = sim.stats.requests["getUpdates"]
        assert await sim.wait_until(lambda: sim.stats.requests["getUpdates"] >= fetched + 2, 10)
        assert sim.stats.updates_confirmed < sim.stats.updates_enqueued
        assert ana.messages == []
    finally:
        await health_store.refuse_writes(db, False)
    await ana.receives(timeout=15)
    await sim.idle()
    assert sim.stats.updates_confirmed == sim.stats.updates_enqueued
