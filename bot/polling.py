"""Long polling that confirms an update to Telegram only once it has been handled.

python-telegram-bot's Updater asks for the next updates from the id after the last one it
fetched, which tells Telegram to forget every fetched update before any is handled: a process
killed in a storm of sign-ups loses the ones it held. Here the offset is the oldest update
still in hand (bot.updates.InHand), so after a crash Telegram sends those again. Handling is
therefore at least once: an update handled just before a kill, and not yet confirmed, is
handled again after the restart (/start, a follow and an RSVP come out the same; the person
may read a second welcome).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update

from bot.botapi import BotApiClient, TransportError
from bot.context import MusterApp
from bot.updates import InHand

log = logging.getLogger(__name__)

# A handler in hand longer than this no longer holds back the offset (see InHand.oldest).
PATIENCE = 60.0
# Telegram's getUpdates gives at most 100 updates a call. Each call sends again every update
# still in hand, so the next call waits until at most half a batch is: every update then
# crosses the wire about twice, not once per handler that finishes.
BATCH = 100
ROOM = BATCH // 2
# While updates are in hand Telegram answers at once with them (they are not confirmed), so
# the long poll cannot wait for news; it asks again this often, or as soon as one is handled.
RECHECK = 0.1


class TokenRejected(Exception):
    """Telegram answered 401 or 404 to getUpdates: the token is wrong or revoked."""


class Poller:
    """Fetches updates with a client of its own (raw JSON: the updates Telegram sends again
    because they are still in hand are skipped before python-telegram-bot parses anything)."""

    def __init__(
        self,
        app: MusterApp,
        client: BotApiClient,
        in_hand: InHand,
        *,
        timeout: int,
        allowed_updates: list[str],
        patience: float = PATIENCE,
    ) -> None:
        self._app = app
        self._client = client
        self._in_hand = in_hand
        self._timeout = timeout
        self._allowed = allowed_updates
        self._patience = patience
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._client.open()
        # A webhook left set by another deployment would make getUpdates fail (409).
        await self._client.call("deleteWebhook", {})
        self._task = asyncio.create_task(self._poll(), name="muster-polling")

    async def stop(self) -> None:
        """Stops fetching; the updates in hand are still handled by the application."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def close(self) -> None:
        """Tells Telegram which updates were handled since the last fetch, as a stopping
        process must (otherwise the next one would handle them again), and closes."""
        if self._in_hand.newest:
            offset = self._in_hand.oldest(self._patience)
            with contextlib.suppress(TransportError):
                await self._client.call("getUpdates", {"offset": offset, "limit": 1, "timeout": 0})
        await self._client.close()

    async def _poll(self) -> None:
        failures = 0
        while True:
            await self._room_for_more()
            try:
                fresh = await self._fetch()
                failures = 0
            except TokenRejected:
                log.error("Telegram rejects the token (getUpdates); stopping")
                self._app.stop_running()
                return
            except _Retry as retry:
                failures += 1
                delay = retry.after or min(2.0**failures, 30.0)
                log.warning("getUpdates failed (%s); retrying in %.0f s", retry, delay)
                await asyncio.sleep(delay)
                continue
            if fresh:
                for update in fresh:
                    await self._app.update_queue.put(update)
            elif len(self._in_hand):
                await self._one_handled()

    async def _fetch(self) -> list[Update]:
        payload = {
            "offset": self._in_hand.oldest(self._patience),
            "limit": BATCH,
            "timeout": self._timeout,
            "allowed_updates": self._allowed,
        }
        try:
            reply = await self._client.call("getUpdates", payload, within=self._timeout + 10)
        except TransportError as error:
            raise _Retry(str(error)) from None
        if reply.status in (401, 404):
            raise TokenRejected(reply.description)
        if not reply.ok or not isinstance(reply.result, list):
            raise _Retry(reply.description, reply.retry_after)
        fresh = []
        for raw in reply.result:
            # Those still in hand come again, unconfirmed: only the new ones are parsed.
            if isinstance(raw, dict) and self._in_hand.receive(int(raw.get("update_id", 0))):
                fresh.append(Update.de_json(raw, self._app.bot))
        return fresh

    async def _room_for_more(self) -> None:
        # The timeout notices handlers passing `patience` too, which sets no event.
        while self._in_hand.busy(self._patience) > ROOM:
            await self._one_handled(within=1.0)

    async def _one_handled(self, within: float = RECHECK) -> None:
        self._in_hand.changed.clear()
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation
        # that arrives as the event is set, and stop() would wait for ever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._in_hand.changed.wait()


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after
