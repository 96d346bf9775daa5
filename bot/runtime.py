"""Running the Application: start-up and an orderly shutdown, shared by every run mode."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import ALLOWED_UPDATES, services_of
from bot.botapi import BotApiClient
from bot.context import MusterApp
from bot.polling import Poller
from bot.updates import PerChatOrder

log = logging.getLogger(__name__)


@asynccontextmanager
async def running(app: MusterApp, *, poll_timeout: int = 10) -> AsyncIterator[MusterApp]:
    """Initialises, opens the services, polls and processes until the block exits; then stops
    polling, finishes the updates in flight, confirms them to Telegram and closes the
    services, as run_polling would."""
    try:
        await app.initialize()
    except BaseException:
        # A rejected token fails here, and python-telegram-bot then leaves its transport
        # open: closed here, so the process ends with one line, not aiohttp's complaints.
        await app.bot.request.shutdown()
        raise
    try:
        if app.post_init:
            await app.post_init(app)
        poller = _poller(app, poll_timeout)
        await poller.start()
        try:
            await app.start()
            try:
                yield app
            finally:
                await poller.stop()
                if app.running:
                    await app.stop()
                    if app.post_stop:
                        await app.post_stop(app)
        finally:
            await poller.close()
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def _poller(app: MusterApp, poll_timeout: int) -> Poller:
    processor = app.update_processor
    if not isinstance(processor, PerChatOrder):
        raise RuntimeError("the application was not built by build_application")
    client = BotApiClient(services_of(app).settings.telegram_api_url, app.bot.token)
    return Poller(
        app, client, processor.in_hand, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
    )


async def run_until_signalled(app: MusterApp) -> None:
    """Long polling until SIGINT or SIGTERM, then a graceful shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(app):
        await stop.wait()
        log.info("stopping: finishing the work in flight")
