"""Scheduled broadcasts: the database holds them; the JobQueue only arms timers from it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.delivery import DeliveryEngine
from bot.i18n import t
from storage import Database
from storage import broadcasts as store
from storage import supporters as supporter_store
from storage.broadcasts import Broadcast, State

log = logging.getLogger(__name__)


def job_name(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}"


def arm_once(job_queue: JobQueue[Any], name: str, when: int, callback: Any, data: int) -> None:
    """A one-off timer at a UTC Unix time. Arming a name again replaces the old timer, so a
    plan is never armed twice."""
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    job_queue.run_once(
        callback,
        when=datetime.fromtimestamp(when, UTC),
        data=data,
        name=name,
        # APScheduler drops a job that starts over a second late unless told otherwise;
        # lateness is judged by MISSED_GRACE, not by the scheduler.
        job_kwargs={"misfire_grace_time": None},
    )


class BroadcastScheduler:
    def __init__(
        self,
        db: Database,
        engine: DeliveryEngine,
        job_queue: JobQueue[Any],
        bot: Bot,
        grace: timedelta,
    ) -> None:
        self.db = db
        self.engine = engine
        self.job_queue = job_queue
        self.bot = bot
        self.grace = grace

    async def start(self) -> None:
        """Re-arms every scheduled broadcast; one whose time passed while the bot was down
        goes out if it is less than MISSED_GRACE late, and is reported missed otherwise."""
        for broadcast in await store.in_state(self.db, State.SCHEDULED):
            await self.arm(broadcast)

    async def arm(self, broadcast: Broadcast) -> None:
        if broadcast.send_at is None:
            return
        late = time.time() - broadcast.send_at
        if late > self.grace.total_seconds():
            await self._missed(broadcast)
            return
        arm_once(
            self.job_queue, job_name(broadcast.id), broadcast.send_at, self._fire, broadcast.id
        )

    def disarm(self, broadcast_id: int) -> None:
        for job in self.job_queue.get_jobs_by_name(job_name(broadcast_id)):
            job.schedule_removal()

    async def _fire(self, context: Any) -> None:
        broadcast_id = context.job.data
        total = await self.engine.send_now(broadcast_id)
        log.info("scheduled broadcast %s fired to %s recipients", broadcast_id, total)

    async def _missed(self, broadcast: Broadcast) -> None:
        if not await store.mark_missed(self.db, broadcast.id):
            return
        log.warning("scheduled broadcast %s missed its time", broadcast.id)
        if broadcast.author_id is None:
            return
        author = await supporter_store.get(self.db, broadcast.author_id)
        language = author.language if author else "en"
        try:
            await self.bot.send_message(
                broadcast.author_id, t(language, "broadcast_missed", id=broadcast.id)
            )
        except TelegramError as error:
            log.info("could not tell the author of broadcast %s: %s", broadcast.id, error)
