"""Webhook mode: Telegram sends each update to WEBHOOK_URL, and the reverse proxy in front
forwards it here.

An update is answered 200 only once it is written to the database's inbox, as polling
confirms nothing before that: Telegram keeps sending an update until it gets a 200, so a
crash between the two costs nothing (the next process handles what the inbox holds). The
inbox is also the judge of repeats: a handled update's row stays a day, emptied, so a
delivery Telegram repeats (after a lost answer, a proxy's timeout, a restart) is answered
200 and dropped; two copies arriving together are told apart by the one insert that wins.
A request without the secret_token Telegram was given is refused with 403 and changes
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram.error import InvalidToken

from bot.botapi import BotApiClient, Reply, TransportError
from bot.context import MusterApp
from bot.receiving import Receiver
from bot.updates import InHand
from storage import Database
from storage import inbox as store

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name
# Telegram's own default: at most this many requests at once from it.
CONNECTIONS = 40
# Telegram keeps an undelivered update for a day: a repeat can come that late.
REMEMBER = 24 * 3600
# setWebhook is tried this long (Telegram busy, the network down) before start-up fails.
SETTING_UP = 60.0


def default_secret(token: str) -> str:
    """The secret_token when WEBHOOK_SECRET is not set: derived from the bot's token, so it
    stays the same across restarts (a delivery Telegram retries across one is not refused)
    and tells nothing about the token."""
    return hashlib.sha256(b"muster webhook secret\n" + token.encode()).hexdigest()


class WebhookError(Exception):
    """Telegram refused the webhook (its reason names what is wrong with WEBHOOK_URL)."""


class WebhookReceiver(Receiver):
    def __init__(
        self,
        app: MusterApp,
        client: BotApiClient,
        db: Database,
        in_hand: InHand,
        *,
        url: str,
        listen: tuple[str, int],
        secret: str,
        allowed_updates: list[str],
        routes: Iterable[web.AbstractRouteDef] = (),
        on_contact: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(app, db, in_hand)
        self._client = client
        self._url = url
        self._listen = listen
        self._secret = secret
        self._allowed = allowed_updates
        self._routes = list(routes)
        self._on_contact = on_contact  # a request with the secret: Telegram is there
        self._runner: web.AppRunner | None = None
        self._forgetting: asyncio.Task[None] | None = None
        self.port = 0  # bound, once started

    async def start(self) -> None:
        """Handles what a previous process left, serves, then tells Telegram where to send."""
        await self._client.open()
        await self._replay()
        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post(urlsplit(self._url).path or "/", self._receive)
        server.router.add_routes(self._routes)
        self._runner = web.AppRunner(server, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        host, port = self._listen
        try:
            await web.TCPSite(self._runner, host, port).start()
            self.port = self._runner.addresses[0][1]
            self._forgetting = asyncio.create_task(self._forget_handled(), name="muster-inbox")
            await self._set_webhook()
        except BaseException:
            await self.stop()
            raise
        log.info("receiving updates at %s (listening on %s:%s)", self._url, host, self.port)

    async def _set_webhook(self) -> None:
        """Tells Telegram where to send. A refusal (400: the URL is wrong) or a rejected
        token ends start-up; Telegram busy (429, 5xx) or out of reach is tried again for a
        minute."""
        payload = {
            "url": self._url,
            "secret_token": self._secret,
            "allowed_updates": self._allowed,
            "max_connections": CONNECTIONS,
        }
        deadline = time.monotonic() + SETTING_UP
        delay = 1.0
        while True:
            try:
                reply: Reply | None = await self._client.call("setWebhook", payload)
            except TransportError as error:
                reply, reason = None, str(error)
            if reply is not None:
                if reply.ok:
                    return
                if reply.status in (401, 404):
                    raise InvalidToken(reply.description)
                if reply.status < 500 and reply.status != 429:
                    raise WebhookError(reply.description)
                reason = reply.description
            if time.monotonic() + delay > deadline:
                raise RuntimeError(f"setWebhook: Telegram did not answer ({reason})")
            log.warning("setWebhook failed (%s); trying again in %.0f s", reason, delay)
            await asyncio.sleep(max(delay, reply.retry_after or 0) if reply else delay)
            delay = min(delay * 2, 15.0)

    async def stop(self) -> None:
        """Stops accepting updates (Telegram keeps the next ones until the bot is back);
        those in hand are still handled by the application."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._forgetting is not None:
            self._forgetting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._forgetting
            self._forgetting = None

    async def close(self) -> None:
        """Marks the handled updates, then closes the client."""
        try:
            await self._mark(self._in_hand.take_handled())
        finally:
            await self._client.close()

    async def _mark(self, handled: list[int]) -> None:
        now = int(time.time())
        await store.mark_handled(self._db, handled, now, now - REMEMBER)

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("a webhook request without the right secret token was refused")
            return web.Response(status=403)
        self._on_contact()
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            return web.Response(status=400, text="no update_id")
        return await self._take(update_id, raw)

    async def _take(self, update_id: int, raw: dict[str, Any]) -> web.Response:
        await self._room_for_more()
        try:
            fresh = await store.record(self._db, update_id, json.dumps(raw))
        except Exception:
            log.exception("update %s could not be recorded; Telegram will send it again", update_id)
            return web.Response(status=503)
        # Only the copy whose insert won is handled; the inbox answers for the others (in
        # hand, or handled and marked), so each is 200 and changes nothing.
        if fresh and self._in_hand.receive_unordered(update_id):
            await self._queue(update_id, raw)
        return web.Response()

    async def _forget_handled(self) -> None:
        """Empties handled updates' rows, keeping their ids a day to know repeats."""
        while True:
            await self._in_hand.finished.wait()
            self._in_hand.finished.clear()
            done = self._in_hand.take_handled()
            try:
                await self._mark(done)
            except Exception:
                log.exception("handled updates not yet removed from the inbox")
                self._in_hand.return_handled(done)
                await asyncio.sleep(1)
                self._in_hand.finished.set()
