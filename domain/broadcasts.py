"""Broadcasts: sending one now, planning one for later, and what happens at its time. The
database holds every plan; the JobQueue only arms timers from it, and saving a plan arms it
here, so no caller can forget to.

Quiet hours (QUIET_HOURS, on each city's clock): the organizer is asked before a broadcast
goes into them (handlers/broadcast.py asks `asleep` first); one chosen urgent is never held.
Anything else is checked again as it goes out, since the setting or the clock may have moved
since the organizer was asked: a broadcast to one city whose time came in quiet hours waits
for their end and its author is told, and one to every city goes at once where it is day and
waits, city by city, where it is night (`_split`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import DEFAULT_LANGUAGE, Html, t
from bot.localtime import show
from bot.quiet import QuietHours
from bot.scheduling import arm_once, disarm
from domain.organizers import Reach
from storage import Database
from storage import broadcasts as store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.broadcasts import Broadcast, Content, Counts, State
from storage.cities import City
from views.quiet import Asleep, Held, split_report

log = logging.getLogger(__name__)

TimerContext = CallbackContext[Any, Any, Any, Any]


def job_name(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}"


@dataclass(frozen=True, slots=True)
class Sent:
    """A broadcast as it went out: recipients now (-1: it had gone out already) and, for one
    to every city that met quiet hours, the cities it reached now and the shares held."""

    id: int
    now: int
    awake: list[City] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)

    @property
    def split(self) -> bool:
        return bool(self.held)


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
        quiet: QuietHours | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.job_queue = job_queue
        self.bot = bot
        self.clock = clock
        self.grace = grace
        self.quiet = quiet

    async def start(self) -> None:
        """Re-arms every scheduled broadcast; one whose time passed while the bot was down
        goes out if it is less than MISSED_GRACE late, and is reported missed otherwise."""
        for broadcast in await store.in_state(self.db, State.SCHEDULED):
            await self.arm(broadcast)

    async def send(
        self, author_id: int, city_id: int | None, content: Content, *, urgent: bool = False
    ) -> Sent:
        """Records the broadcast with its recipients and starts delivering. To every city, it
        waits where it is quiet hours unless urgent; to one city it goes now (the organizer
        was asked already). Urgent is written to the audit log."""
        due: int | None = None
        if city_id is None and not urgent and await self.asleep(None):
            # Recorded as due now rather than as sending: should the process die before the
            # split, start-up fires it through the timers, which split it, instead of the
            # delivery engine resuming it to every city.
            due = int(self.clock.now())
        broadcast = await store.create(self.db, author_id, city_id, content, due, urgent=urgent)
        return await self._go(broadcast)

    async def schedule(
        self,
        author_id: int,
        city_id: int | None,
        content: Content,
        send_at: int,
        *,
        urgent: bool = False,
    ) -> Broadcast:
        """Records the plan and arms its timer."""
        broadcast = await store.create(self.db, author_id, city_id, content, send_at, urgent=urgent)
        await self.arm(broadcast)
        return broadcast

    async def asleep(self, city_id: int | None, moment: int | None = None) -> list[Asleep]:
        """The cities a broadcast to city_id (None: every city) would find in quiet hours at
        that moment (now by default), each with when they end; none with QUIET_HOURS=off."""
        if self.quiet is None:
            return []
        at = int(self.clock.now()) if moment is None else moment
        if city_id is None:
            cities = await city_store.all_cities(self.db)
        else:
            city = await city_store.by_id(self.db, city_id)
            cities = [city] if city else []
        return [
            Asleep(city, self.quiet.end_after(at, ZoneInfo(city.timezone)))
            for city in cities
            if self.quiet.holds(at, ZoneInfo(city.timezone))
        ]

    async def morning(self, city_id: int, moment: int | None = None) -> int:
        """When something for this city due at that moment (now by default) may go out: then,
        or when the quiet hours it falls in end."""
        at = int(self.clock.now()) if moment is None else moment
        asleep = await self.asleep(city_id, at)
        return asleep[0].until if asleep else at

    async def _go(self, broadcast: Broadcast) -> Sent:
        """Starts delivering now; one to every city, not urgent, waits where it is night."""
        if broadcast.all_cities and broadcast.part_of is None and not broadcast.urgent:
            asleep = await self.asleep(None)
            if asleep:
                return await self._split(broadcast, asleep)
        return Sent(broadcast.id, await self.engine.send_now(broadcast.id))

    async def _split(self, broadcast: Broadcast, asleep: list[Asleep]) -> Sent:
        """Followers of the cities awake get it now; each city in quiet hours gets its share
        when they end there, through the scheduled-broadcast timers (so a restart keeps
        them). Someone following cities on both sides gets it once, with the first share."""
        sleeping = {entry.city.id: entry for entry in asleep}
        awake = [c for c in await city_store.all_cities(self.db) if c.id not in sleeping]
        waiting = [(entry.city.id, entry.until) for entry in asleep]
        split = await store.split(self.db, broadcast.id, [city.id for city in awake], waiting)
        if split is None:
            return Sent(broadcast.id, -1)
        if split.now:
            await self.engine.launch(broadcast.id)
        held = []
        for part in split.parts:
            found = await store.get(self.db, part.broadcast_id)
            if found is not None:
                await self.arm(found)
            city = sleeping[part.city_id].city
            held.append(Held(city, part.send_at, part.expected, part.broadcast_id))
        log.info("broadcast %s goes to %s now, %s cities wait", broadcast.id, split.now, len(held))
        return Sent(broadcast.id, split.now, awake, held)

    async def unschedule(self, actor_id: int, broadcast_id: int) -> bool:
        """Cancels a plan and its timer; False when it was no longer waiting."""
        if not await store.cancel_scheduled(self.db, broadcast_id, actor_id):
            return False
        disarm(self.job_queue, job_name(broadcast_id))
        return True

    async def stop(self, actor_id: int, broadcast_id: int) -> bool:
        """The Cancel button of a broadcast going out, and of the shares of it still held for
        some city's quiet hours; False when it was not going out."""
        stopped = await self.engine.cancel(broadcast_id, actor_id)
        if stopped:
            for part_id in await store.waiting_parts(self.db, broadcast_id):
                await self.unschedule(actor_id, part_id)
        return stopped

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
        if not broadcast.urgent and await self._postponed(broadcast):
            return
        sent = await self._go(broadcast)
        log.info("scheduled broadcast %s fired to %s recipients", broadcast.id, sent.now)
        if sent.split and broadcast.author_id is not None:
            language = await self._language_of(broadcast.author_id)
            report = split_report(language, sent.id, sent.now, sent.awake, sent.held)
            await self._tell(broadcast.author_id, report)

    async def _postponed(self, broadcast: Broadcast) -> bool:
        """A broadcast to one city (or a city's share) whose time came in quiet hours there
        waits for their end, and its author is told. The organizer was asked about quiet hours
        when scheduling, so this happens only when QUIET_HOURS or the city's zone changed
        since, or a restart made it late: asking again at night would wake the organizer, and
        sending would wake the followers, while waiting can be undone with /scheduled."""
        city_id = broadcast.part_city_id or broadcast.city_id
        if self.quiet is None or city_id is None:
            return False
        asleep = await self.asleep(city_id)
        if not asleep or not await store.postpone(self.db, broadcast.id, asleep[0].until):
            return False
        moved = await store.get(self.db, broadcast.id)
        if moved is not None:
            await self.arm(moved)
        log.info("scheduled broadcast %s waits for the end of quiet hours", broadcast.id)
        if broadcast.author_id is not None:
            language = await self._language_of(broadcast.author_id)
            text = t(
                language,
                "broadcast_postponed",
                id=broadcast.id,
                city=asleep[0].city.name,
                window=str(self.quiet),
                when=show(asleep[0].until, asleep[0].zone, language),
            )
            await self._tell(broadcast.author_id, text)
        return True

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
