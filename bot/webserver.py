"""Muster's own small HTTP server: /healthz and /metrics, and whatever else a run mode serves
beside them (the webhook)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from aiohttp import web


class CannotListen(Exception):
    """The address cannot be bound (in use, not this machine's, a port below 1024 without the
    right); the message says which and why."""


class WebServer:
    """An aiohttp Application served on one address: routes are added before start(), and
    stop() closes the listener and the connections still open."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self._app = web.Application()
        self._runner: web.AppRunner | None = None

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        if self._runner is not None:
            raise RuntimeError("routes are added before the server starts")
        self._app.add_routes(routes)

    async def start(self) -> None:
        # No access log: the webhook's path carries a secret, and a scraper's requests every
        # few seconds would drown the bot's own lines.
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except OSError as error:
            await runner.cleanup()
            # asyncio's own message repeats the address; the system's reason says it once.
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise CannotListen(f"cannot listen on {self.host}:{self._port}: {reason}") from None
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The port bound: the one asked for, or the free one port 0 picked."""
        if self._runner is None or not self._runner.addresses:
            return self._port
        return int(self._runner.addresses[0][1])
