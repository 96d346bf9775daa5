"""Broadcasts: sending one now, planning one for later, and what happens at its time. The
database holds every plan; the JobQueue only arms timers from it, and saving a plan arms it
here, so no caller can forget to."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import DEFAULT_LANGUAGE, Html, t
from bot.scheduling import arm_once, disarm
from domain.organizers import Reach
from storage import Database
from storage import broadcasts as store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.broadcasts import Broadcast, Content, Counts, State

log = logging.getLogger(__name__)

TimerContext = CallbackContext[Any, Any, Any, Any]


def job_name(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}"


class Broadcasts:
    def __init__(
        self,
        db: Database,
        engine: DeliveryEngine,
        reach: Reach,
        job_queue: JobQueue[Any],
        bot: Bot,
        clock: Clock,
        grace: timedelta,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.job_queue = job_queue
        self.bot = bot
        self.clock = clock
        self.grace = grace

    async def start(self) -> None:
        """Re-arms every scheduled broadcast; one whose time passed while the bot was down
        goes out if it is less than MISSED_GRACE late, and is reported missed otherwise."""
        for broadcast in await store.in_state(self.db, State.SCHEDULED):
            await self.arm(broadcast)

    async def send(self, author_id: int, city_id: int | None, content: Content) -> tuple[int, int]:
        """Records the broadcast with its recipients and starts delivering: (id, recipients)."""
        broadcast = await store.create(self.db, author_id, city_id, content)
        return broadcast.id, await self.engine.send_now(broadcast.id)

    async def schedule(
        self, author_id: int, city_id: int | None, content: Content, send_at: int
    ) -> Broadcast:
        """Records the plan and arms its timer."""
        broadcast = await store.create(self.db, author_id, city_id, content, send_at)
        await self.arm(broadcast)
        return broadcast

    async def unschedule(self, actor_id: int, broadcast_id: int) -> bool:
        """Cancels a plan and its timer; False when it was no longer waiting."""
        if not await store.cancel_scheduled(self.db, broadcast_id, actor_id):
            return False
        disarm(self.job_queue, job_name(broadcast_id))
        return True

    async def stop(self, actor_id: int, broadcast_id: int) -> bool:
        """The Cancel button of a broadcast going out; False when it was not going out."""
        return await self.engine.cancel(broadcast_id, actor_id)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await store.get(self.db, broadcast_id)

    async def audience(self, city_id: int | None) -> int:
        """How many supporters a broadcast to this city (None: every city) would reach now."""
        return await store.audience_size(self.db, city_id)

    async def recent(self, organizer_id: int | None) -> list[tuple[Broadcast, Counts]]:
        """The latest ten broadcasts with their counts; with organizer_id, only those to
        that organizer's cities."""
        found = await store.recent(self.db, limit=10, organizer_id=organizer_id)
        return [(broadcast, await store.counts(self.db, broadcast.id)) for broadcast in found]

    async def waiting(self) -> list[Broadcast]:
        """The scheduled broadcasts, soonest first."""
        return await store.in_state(self.db, State.SCHEDULED)

    async def may_manage(self, user_id: int, broadcast: Broadcast) -> bool:
        return await self.reach.may_manage(user_id, broadcast)

    async def arm(self, broadcast: Broadcast) -> None:
        """Arms the timer of a plan already recorded (or reports it missed)."""
        if broadcast.send_at is None:
            return
        late = self.clock.now() - broadcast.send_at
        if late > self.grace.total_seconds():
            await self._missed(broadcast)
            return
        arm_once(
            self.job_queue, job_name(broadcast.id), broadcast.send_at, self._fire, broadcast.id
        )

    async def _fire(self, context: TimerContext) -> None:
        """Sends a broadcast at its time, if its author may still reach its cities then: a
        grant is checked on every step, and this step comes long after the author's last."""
        if context.job is None or not isinstance(context.job.data, int):
            return
        broadcast = await store.get(self.db, context.job.data)
        if broadcast is None:
            return
        if broadcast.author_id is not None and not await self.reach.may_manage(
            broadcast.author_id, broadcast
        ):
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
