"""Running the Application: start-up and an orderly shutdown, shared by every run mode."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import ALLOWED_UPDATES
from bot.context import MusterApp

log = logging.getLogger(__name__)


@asynccontextmanager
async def running(app: MusterApp, *, poll_timeout: int = 10) -> AsyncIterator[MusterApp]:
    """Initialises, opens the services, polls and processes until the block exits; then stops
    polling, finishes the updates in flight and closes the services, as run_polling would."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        await updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        try:
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def run_until_signalled(app: MusterApp) -> None:
    """Long polling until SIGINT or SIGTERM, then a graceful shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(app):
        await stop.wait()
        log.info("stopping: finishing the work in flight")
