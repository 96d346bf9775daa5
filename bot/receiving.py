"""What the two ways of receiving updates share (bot/polling.py asks Telegram for them,
bot/webhook.py is sent them): what a crashed process left in the inbox is handled first,
each update is parsed on its own and queued for the application, and a storm waits outside
once enough are in hand."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update

from bot.context import MusterApp
from bot.updates import InHand
from storage import Database
from storage import inbox as store

log = logging.getLogger(__name__)

# Updates in hand past which receiving waits: the back-pressure of a storm, so the bot holds
# no more than it is working through (20,000 sign-ups at once stay in Telegram's queue).
IN_HAND = 1_000


class Receiver:
    def __init__(self, app: MusterApp, db: Database, in_hand: InHand) -> None:
        self._app = app
        self._db = db
        self._in_hand = in_hand

    async def _replay(self) -> None:
        """Queues what a previous process received and did not finish."""
        for update_id, body in await store.waiting(self._db):
            if self._in_hand.receive(update_id):
                log.info("handling update %s, left unhandled by the last process", update_id)
                await self._queue(update_id, json.loads(body))

    async def _queue(self, update_id: int, raw: dict[str, Any]) -> None:
        try:
            update = Update.de_json(raw, self._app.bot)
        except Exception:
            log.exception("update %s could not be read; skipped", update_id)
            self._in_hand.handled(update_id)
            return
        await self._app.update_queue.put(update)

    async def _room_for_more(self) -> None:
        while len(self._in_hand) > IN_HAND:
            self._in_hand.changed.clear()
            await self._in_hand.changed.wait()
