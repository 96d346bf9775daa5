"""Running the Application: start-up and an orderly shutdown, shared by every run mode."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot import health
from bot.app import ALLOWED_UPDATES, services_of
from bot.botapi import BotApiClient
from bot.context import MusterApp
from bot.polling import Poller
from bot.runlock import holding
from bot.updates import PerChatOrder
from bot.webhook import WebhookReceiver, default_secret
from bot.webserver import WebServer

log = logging.getLogger(__name__)


@asynccontextmanager
async def running(
    app: MusterApp, *, poll_timeout: int = 10, stop: asyncio.Event | None = None
) -> AsyncIterator[MusterApp]:
    """Initialises, opens the services, polls and processes until the block exits; then stops
    polling, finishes the updates in flight, confirms them to Telegram and closes the
    services, as run_polling would. Telegram refusing the token while polling sets `stop`
    and is raised as InvalidToken once everything is closed. /healthz and /metrics are
    served from before the first update until the services close: on HTTP_PORT when
    polling, on the webhook's own server in webhook mode. The database's lock is held
    throughout (bot/runlock.py): a second bot on the same database raises DatabaseInUse."""
    with holding(services_of(app).db.path):
        async with _running(app, poll_timeout, stop) as running_app:
            yield running_app


@asynccontextmanager
async def _running(
    app: MusterApp, poll_timeout: int, stop: asyncio.Event | None
) -> AsyncIterator[MusterApp]:
    try:
        await app.initialize()
    except BaseException:
        # A rejected token fails here, and python-telegram-bot then leaves its transport
        # open: closed here, so the process ends with one line, not aiohttp's complaints.
        await app.bot.request.shutdown()
        raise
    fatal: list[BaseException] = []

    def on_fatal(error: BaseException) -> None:
        fatal.append(error)
        if stop is not None:
            stop.set()

    server: WebServer | None = None
    try:
        if app.post_init:
            await app.post_init(app)
        server = await _serve_health(app)
        receiver = _receiver(app, poll_timeout, on_fatal)
        try:
            await receiver.start()
            await app.start()
            try:
                yield app
            finally:
                try:
                    await receiver.stop()
                finally:
                    if app.running:
                        await app.stop()
        finally:
            await receiver.close()
    finally:
        # First: a check must not read services half closed (and call the database broken).
        if server is not None:
            await server.stop()
        # Deliveries finish and close their client, after a start that failed half-way too.
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
    if fatal:
        raise fatal[0]


async def _serve_health(app: MusterApp) -> WebServer | None:
    """A server of its own for /healthz and /metrics when polling with HTTP_PORT set; in
    webhook mode the webhook's server has them (and HTTP_PORT is not used)."""
    settings = services_of(app).settings
    if settings.http_port is None or settings.webhook_url:
        return None
    server = WebServer(settings.http_host, settings.http_port)
    server.add_routes(health.routes(app))
    await server.start()
    log.info("/healthz and /metrics on http://%s:%s", settings.http_host, server.port)
    return server


def _receiver(
    app: MusterApp, poll_timeout: int, on_fatal: Callable[[BaseException], None]
) -> Poller | WebhookReceiver:
    """A webhook when WEBHOOK_URL is set, else long polling; each sets or deletes the
    webhook at start, so switching modes is a restart."""
    processor = app.update_processor
    if not isinstance(processor, PerChatOrder):
        raise RuntimeError("the application was not built by build_application")
    services = services_of(app)
    settings = services.settings
    client = BotApiClient(settings.telegram_api_url, app.bot.token, pulse=services.pulse)
    if settings.webhook_url:
        secret = settings.webhook_secret
        return WebhookReceiver(
            app,
            client,
            services.db,
            processor.in_hand,
            url=settings.webhook_url,
            listen=settings.webhook_address,
            secret=secret.get_secret_value() if secret else default_secret(app.bot.token),
            allowed_updates=ALLOWED_UPDATES,
            routes=health.routes(app),
            on_contact=services.pulse.heard,
        )
    return Poller(
        app,
        client,
        services.db,
        processor.in_hand,
        timeout=poll_timeout,
        allowed_updates=ALLOWED_UPDATES,
        on_fatal=on_fatal,
    )


async def run_until_signalled(app: MusterApp) -> None:
    """Long polling until SIGINT or SIGTERM, then a graceful shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(app, stop=stop):
        await stop.wait()
        log.info("stopping: finishing the work in flight")
