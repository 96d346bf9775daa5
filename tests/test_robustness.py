"""Odd updates and failures: the bot shrugs them off and keeps answering."""

from __future__ import annotations

import logging
import re

import pytest

from bot.context import MusterApp
from simulator.server import BotApiSimulator
from storage.cities import City


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
    await services_of(muster).db.close()
    await quinn.says("/mycities")
    assert "something went wrong" in (await quinn.receives()).text
    failures = [r for r in caplog.records if re.fullmatch(r"update \d+ failed", r.getMessage())]
    assert len(failures) == 1 and failures[0].exc_info is not None
