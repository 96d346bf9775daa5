"""Long polling that loses no update a crash interrupts.

python-telegram-bot's Updater asks for the next updates from the id after the last one it
fetched, which tells Telegram to forget every fetched update before any is handled: a process
killed in a storm of sign-ups loses the ones it held. Here each batch is written to the
database's inbox (storage/inbox.py) before the next getUpdates confirms it, and an update's
row goes once it is handled; a process that starts handles what the last one left there
first. Handling is therefore at least once: an update handled just before a kill, whose row
was not yet removed, is handled again after the restart (/start, a follow, an RSVP and a
signature come out the same; the person may read a second reply).

Holding the updates in the database rather than in Telegram's queue lets the bot fetch past
one that is slow to handle: a person flooding the bot, whose updates wait their turn one at
a time, holds back nobody else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

from telegram.error import InvalidToken

from bot.botapi import BotApiClient, TransportError
from bot.context import MusterApp
from bot.receiving import Receiver
from bot.updates import InHand
from storage import Database
from storage import inbox as store

log = logging.getLogger(__name__)

# Telegram's getUpdates gives at most 100 updates a call.
BATCH = 100


class Poller(Receiver):
    def __init__(
        self,
        app: MusterApp,
        client: BotApiClient,
        db: Database,
        in_hand: InHand,
        *,
        timeout: int,
        allowed_updates: list[str],
        on_fatal: Callable[[BaseException], None],
    ) -> None:
        super().__init__(app, db, in_hand)
        self._client = client
        self._timeout = timeout
        self._allowed = allowed_updates
        self._on_fatal = on_fatal
        self._tasks: list[asyncio.Task[None]] = []
        self._confirmed_below = 0  # the offset of the last getUpdates sent

    async def start(self) -> None:
        """Queues what a previous process left unhandled, then starts fetching."""
        await self._client.open()
        await store.forget_marks(self._db)
        await self._replay()
        # A webhook left set by another deployment would make getUpdates fail (409).
        reply = await self._client.call("deleteWebhook", {})
        if not reply.ok:
            log.warning("deleteWebhook failed: %s", reply.description)
        self._tasks = [
            asyncio.create_task(self._poll(), name="muster-polling"),
            asyncio.create_task(self._forget_handled(), name="muster-inbox"),
        ]

    async def stop(self) -> None:
        """Stops fetching; the updates in hand are still handled by the application."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def close(self) -> None:
        """Removes the handled updates' rows and tells Telegram they were received (so that
        the next process does not fetch them again), then closes the client."""
        try:
            if self._in_hand.newest:
                confirm = {"offset": self._in_hand.newest + 1, "limit": 1, "timeout": 0}
                with contextlib.suppress(TransportError):
                    await self._client.call("getUpdates", confirm)
            await store.keep(self._db, (), self._in_hand.take_handled())
        finally:
            await self._client.close()

    async def _poll(self) -> None:
        failures = 0
        while True:
            await self._room_for_more()
            try:
                await self._fetch_and_queue()
                failures = 0
            except InvalidToken as error:
                log.error("Telegram rejects the token (getUpdates); stopping")
                self._on_fatal(error)
                return
            except Exception as error:
                failures += 1
                delay = getattr(error, "retry_after", None) or min(2.0**failures, 30.0)
                log.warning("getUpdates failed (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)

    async def _fetch_and_queue(self) -> None:
        offset = self._in_hand.newest + 1  # confirms the batches recorded before
        payload = {
            "offset": offset,
            "limit": BATCH,
            "timeout": self._timeout,
            "allowed_updates": self._allowed,
        }
        self._confirmed_below = offset
        try:
            reply = await self._client.call("getUpdates", payload, within=self._timeout + 10)
        except TransportError as error:
            raise _Retry(str(error)) from None
        if reply.status in (401, 404):
            raise InvalidToken(reply.description)
        if not reply.ok or not isinstance(reply.result, list):
            raise _Retry(reply.description, reply.retry_after)
        newest = self._in_hand.newest
        fresh = [
            raw
            for raw in reply.result
            if isinstance(raw, dict) and int(raw.get("update_id", 0)) > newest
        ]
        # Recorded before it is taken in hand: the next getUpdates confirms what is in hand,
        # so a batch the database refused is fetched again, not confirmed unrecorded.
        received = [(raw["update_id"], json.dumps(raw)) for raw in fresh]
        await store.keep(self._db, received, ())
        for raw in fresh:
            if self._in_hand.receive(int(raw["update_id"])):
                await self._queue(raw["update_id"], raw)

    async def _forget_handled(self) -> None:
        """Removes handled updates' rows as soon as Telegram has been told it may forget them
        (a getUpdates with a later offset has gone out): the sooner a row goes, the fewer
        updates a crash makes the next process handle a second time (a conversation step
        taken twice would read one answer as the next)."""
        while True:
            await self._in_hand.finished.wait()
            self._in_hand.finished.clear()
            done = self._in_hand.take_handled(below=self._confirmed_below)
            try:
                await store.keep(self._db, (), done)
            except Exception:
                log.exception("handled updates not yet removed from the inbox")
                self._in_hand.return_handled(done)
            if self._in_hand.has_handled():
                await asyncio.sleep(0.05)  # those above the offset wait for the next getUpdates
                self._in_hand.finished.set()


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = after
