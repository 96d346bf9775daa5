"""Webhook mode: Telegram sends each update to WEBHOOK_URL, and the reverse proxy in front
forwards it here.

An update is answered 200 only once it is written to the database's inbox, as polling
confirms nothing before that: Telegram keeps sending an update until it gets a 200, so a
crash between the two costs nothing (the next process handles what the inbox holds, and a
repeated delivery of one in hand is answered 200 and dropped). A request without the
secret_token Telegram was given is refused with 403 and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram.error import InvalidToken

from bot.botapi import BotApiClient
from bot.context import MusterApp
from bot.receiving import Receiver
from bot.updates import InHand
from storage import Database
from storage import inbox as store

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name
# Telegram's own default: at most this many requests at once from it.
CONNECTIONS = 40


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
        secret: str | None,
        allowed_updates: list[str],
        routes: Iterable[web.AbstractRouteDef] = (),
    ) -> None:
        super().__init__(app, db, in_hand)
        self._client = client
        self._url = url
        self._listen = listen
        # A fresh one at every start unless the operator chose one.
        self._secret = secret or secrets.token_urlsafe(32)
        self._allowed = allowed_updates
        self._routes = list(routes)
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
        await web.TCPSite(self._runner, host, port).start()
        self.port = self._runner.addresses[0][1]
        self._forgetting = asyncio.create_task(self._forget_handled(), name="muster-inbox")
        await self._set_webhook()
        log.info("receiving updates at %s (listening on %s:%s)", self._url, host, self.port)

    async def _set_webhook(self) -> None:
        reply = await self._client.call(
            "setWebhook",
            {
                "url": self._url,
                "secret_token": self._secret,
                "allowed_updates": self._allowed,
                "max_connections": CONNECTIONS,
            },
        )
        if reply.status in (401, 404):
            raise InvalidToken(reply.description)
        if not reply.ok:
            raise WebhookError(reply.description)

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
        """Removes the handled updates' rows, then closes the client."""
        try:
            await store.keep(self._db, (), self._in_hand.take_handled())
        finally:
            await self._client.close()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("a webhook request without the right secret token was refused")
            return web.Response(status=403)
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
        if not self._in_hand.receive_unordered(update_id):
            return web.Response()  # a repeated delivery of one in hand or handled
        try:
            await store.keep(self._db, [(update_id, json.dumps(raw))], ())
        except Exception:
            log.exception("update %s could not be recorded; Telegram will send it again", update_id)
            self._in_hand.drop(update_id)
            return web.Response(status=503)
        await self._queue(update_id, raw)
        return web.Response()

    async def _forget_handled(self) -> None:
        """Removes handled updates' rows: Telegram has had its 200 for each."""
        while True:
            await self._in_hand.finished.wait()
            self._in_hand.finished.clear()
            done = self._in_hand.take_handled()
            try:
                await store.keep(self._db, (), done)
            except Exception:
                log.exception("handled updates not yet removed from the inbox")
                self._in_hand.return_handled(done)
                await asyncio.sleep(1)
                self._in_hand.finished.set()
