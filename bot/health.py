"""/healthz and /metrics: whether Muster can do its work, and what it is doing.

/healthz answers 200 with a small JSON, or 503 with the same JSON and the problems when the
database does not take a write or Telegram has answered nothing for five minutes. A bot with
nothing to say is not a dead one: after a minute without an answer, a check asks Telegram's
getMe (at most once a minute), and only silence that outlasts those probes for five minutes
counts.

/metrics is prometheus-client's text format from the application's own registry
(bot/metrics.py); the figures that live in the database are read when it is scraped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram.error import TelegramError

from bot.app import services_of
from bot.context import MusterApp
from storage import StorageError
from storage import broadcasts as broadcast_store
from storage import health as health_store
from storage import supporters as supporter_store
from storage.broadcasts import Outcome

log = logging.getLogger(__name__)

# Seconds without an answer from Telegram before a check asks getMe, and between two asks.
PROBE_AFTER = 60.0
# Seconds without an answer from Telegram that make Muster unhealthy.
SILENCE_LIMIT = 300.0
# Seconds a database check or a probe may take before it counts as failed: both together
# stay inside the Dockerfile's HEALTHCHECK timeout.
CHECK_TIMEOUT = 5.0
# Counting supporters by status reads every row (about 90 ms for a million): at most once in
# this many seconds, however often Prometheus scrapes.
SUPPORTER_COUNT_EVERY = 60.0


def routes(app: MusterApp) -> list[web.RouteDef]:
    """GET /healthz and GET /metrics for a built application (served once it is running)."""
    health = Health(app)
    return [web.get("/healthz", health.healthz), web.get("/metrics", health.metrics)]


class Health:
    def __init__(self, app: MusterApp) -> None:
        self._app = app
        self._services = services_of(app)
        self._probing = asyncio.Lock()
        self._probed_at = -math.inf  # the injected clock's time of the last getMe
        self._counting = asyncio.Lock()
        self._counted_at = -math.inf  # monotonic time of the last supporter count

    async def healthz(self, request: web.Request) -> web.Response:
        report = await self.check()
        return web.json_response(report, status=503 if report["problems"] else 200)

    async def metrics(self, request: web.Request) -> web.Response:
        try:
            await self._refresh()
        except (TimeoutError, StorageError, OSError) as error:
            # The counters are still worth serving; the gauges keep their last values.
            log.warning("metrics from the database not refreshed: %s", error)
        body = generate_latest(self._services.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def check(self) -> dict[str, Any]:
        services = self._services
        problems: list[str] = []
        database = await self._check_database()
        if database.problem is not None:
            problems.append(f"database {database.problem}")
        silent = await self._telegram_silence()
        if silent >= SILENCE_LIMIT:
            problems.append(f"telegram: no answer for {silent:.0f} s")
        scheduler = self._app.job_queue.scheduler if self._app.job_queue else None
        last_update = services.metrics.last_update_at
        return {
            "status": "failing" if problems else "ok",
            "problems": problems,
            "database": {"reachable": database.reachable, "writable": database.writable},
            "telegram": {
                "last_answer_at": _iso(services.pulse.last_heard),
                "silent_seconds": round(silent),
            },
            "last_update_at": _iso(last_update) if last_update is not None else None,
            "broadcasts_running": len(services.engine.runs),
            "scheduler": {
                "running": bool(scheduler is not None and scheduler.running),
                "jobs": self._jobs(),
            },
        }

    async def _check_database(self) -> health_store.DatabaseCheck:
        at = int(self._services.clock.now())
        try:
            return await asyncio.wait_for(health_store.check(self._services.db, at), CHECK_TIMEOUT)
        except TimeoutError:
            problem = f"no answer within {CHECK_TIMEOUT:.0f} s"
            return health_store.DatabaseCheck(reachable=False, writable=False, problem=problem)

    async def _telegram_silence(self) -> float:
        pulse = self._services.pulse
        if pulse.silent_for() >= PROBE_AFTER:
            await self._probe()
        return pulse.silent_for()

    async def _probe(self) -> None:
        """Asks Telegram's getMe, unless a check did less than a minute ago; an answer is
        noted by the transport, like every other."""
        async with self._probing:  # checks arriving together share one probe
            now = self._services.clock.now()
            if now - self._probed_at < PROBE_AFTER:
                return
            self._probed_at = now
            try:
                await asyncio.wait_for(self._app.bot.get_me(), CHECK_TIMEOUT)
            except (TelegramError, TimeoutError) as error:
                log.warning("Telegram did not answer getMe: %s", error or type(error).__name__)

    def _jobs(self) -> int:
        return len(self._app.job_queue.jobs()) if self._app.job_queue else 0

    async def _refresh(self) -> None:
        """Sets the gauges /metrics shows from the database, the engine and the scheduler."""
        services, metrics = self._services, self._services.metrics
        queue, oldest = 0, None
        for broadcast_id, started_at in (await broadcast_store.sending_since(services.db)).items():
            run = services.engine.runs.get(broadcast_id)
            # A run keeps its counts in memory; one the engine is not running (stopped by an
            # error, or just created) is counted in the database.
            pending = (
                run.counts[Outcome.PENDING]
                if run is not None
                else await broadcast_store.pending_count(services.db, broadcast_id)
            )
            queue += pending
            if pending and started_at is not None:
                oldest = started_at if oldest is None else min(oldest, started_at)
        metrics.broadcasts_running.set(len(services.engine.runs))
        metrics.broadcast_queue.set(queue)
        now = services.clock.now()
        metrics.broadcast_lag.set(0 if oldest is None else max(0.0, now - oldest))
        metrics.scheduled_jobs.set(self._jobs())
        metrics.telegram_silence.set(services.pulse.silent_for())
        await self._count_supporters()

    async def _count_supporters(self) -> None:
        async with self._counting:
            if time.monotonic() - self._counted_at < SUPPORTER_COUNT_EVERY:
                return
            counts = await supporter_store.count_by_status(self._services.db)
            for status, count in counts.items():
                self._services.metrics.supporters.labels(status.value).set(count)
            self._counted_at = time.monotonic()


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
