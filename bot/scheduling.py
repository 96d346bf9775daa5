"""Scheduled broadcasts: the database holds them; the JobQueue only arms timers from it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.delivery import DeliveryEngine
from bot.i18n import DEFAULT_LANGUAGE, Html, t
from storage import Database
from storage import broadcasts as store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.broadcasts import Broadcast, State

if TYPE_CHECKING:
    from bot.context import MusterContext

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

    async def _fire(self, context: MusterContext) -> None:
        """Sends a broadcast at its time, if its author may still reach its cities then: a
        grant is checked on every step, and this step comes long after the author's last."""
        if context.job is None or not isinstance(context.job.data, int):
            return
        broadcast = await store.get(self.db, context.job.data)
        if broadcast is None:
            return
        if broadcast.author_id is not None:
            reach = await context.reach_by_id(broadcast.author_id)
            target = None if broadcast.all_cities else broadcast.city_id
            if reach is None or not reach.may_reach(target):
                await self._withdrawn(broadcast)
                return
        total = await self.engine.send_now(broadcast.id)
        log.info("scheduled broadcast %s fired to %s recipients", broadcast.id, total)

    async def _withdrawn(self, broadcast: Broadcast) -> None:
        """The author lost the city (or the role) since scheduling: cancelled, and told."""
        author_id = broadcast.author_id
        withdrawn = await store.cancel_scheduled(
            self.db, broadcast.id, None, reason="broadcast.withdrawn"
        )
        if author_id is None or not withdrawn:
            return
        log.warning("scheduled broadcast %s cancelled: its author lost its city", broadcast.id)
        language = await self._language_of(author_id)
        if broadcast.all_cities:
            where: str = Html(t(language, "all_cities"))
        else:
            city = await city_store.by_id(self.db, broadcast.city_id or 0)
            where = city.name if city else "?"
        await self._tell(author_id, t(language, "broadcast_withdrawn", id=broadcast.id, city=where))

    async def _missed(self, broadcast: Broadcast) -> None:
        if not await store.mark_missed(self.db, broadcast.id):
            return
        log.warning("scheduled broadcast %s missed its time", broadcast.id)
        if broadcast.author_id is None:
            return
        language = await self._language_of(broadcast.author_id)
        await self._tell(broadcast.author_id, t(language, "broadcast_missed", id=broadcast.id))

    async def _language_of(self, user_id: int) -> str:
        supporter = await supporter_store.get(self.db, user_id)
        return supporter.language if supporter else DEFAULT_LANGUAGE

    async def _tell(self, author_id: int, text: str) -> None:
        try:
            await self.bot.send_message(author_id, text)
        except TelegramError as error:
            log.info("could not tell %s about a scheduled broadcast: %s", author_id, error)
