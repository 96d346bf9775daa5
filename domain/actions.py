"""Actions end to end: announcing them, reminders, and telling the people who said yes about a
change. Every message to many people goes through the delivery engine; the database holds every
plan, and the JobQueue only arms timers from it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.localtime import show
from bot.quiet import QuietHours
from bot.scheduling import arm_once, disarm
from domain.cadence import due_on, timings
from domain.cities import Cities
from domain.organizers import Reach
from storage import Database
from storage import actions as store
from storage import broadcasts as broadcast_store
from storage import places as places_store
from storage import supporters as supporter_store
from storage.actions import (
    Action,
    ActionState,
    Cadence,
    Headcount,
    Reminder,
    Timing,
)
from storage.broadcasts import Content, Version
from storage.places import Standing
from views.actions import View, render, rsvp_markup

log = logging.getLogger(__name__)

TimerContext = CallbackContext[Any, Any, Any, Any]


def is_open(action: Action, now: float) -> bool:
    """Whether answers are still taken: published and not yet begun."""
    return action.state is ActionState.PUBLISHED and action.starts_at > now


def is_changeable(action: Action, now: float) -> bool:
    """Whether its time and place may still change or it be cancelled: planned or published,
    and not yet begun."""
    open_states = (ActionState.PUBLISHED, ActionState.SCHEDULED)
    return action.state in open_states and action.starts_at > now


@dataclass(frozen=True, slots=True)
class Plan:
    """An action as an organizer describes it, before it has an id."""

    city_id: int
    title: str
    starts_at: int
    place: str
    details: str
    cadence: Cadence = Cadence.DEFAULT
    capacity: int | None = None  # how many people can come; None: no limit


def in_every_language(build: Any) -> Content:
    """A Content with a version for every language, each from build(language) -> View|str;
    the default language's is the body for anyone else."""

    def version(language: str) -> Version:
        built = build(language)
        if isinstance(built, View):
            return Version(built.text, json.dumps(built.markup.to_dict()))
        return Version(built, None)

    default = version(DEFAULT_LANGUAGE)
    others = {language: version(language) for language in LANGUAGES if language != DEFAULT_LANGUAGE}
    return Content(default.body, reply_markup=default.reply_markup, versions=others)


class Mobilizer:
    """Publishes actions, reminds the yes-group, and tells them about changes."""

    def __init__(
        self,
        db: Database,
        engine: DeliveryEngine,
        reach: Reach,
        cities: Cities,
        job_queue: JobQueue[Any],
        bot: Bot,
        clock: Clock,
        offsets: Iterable[timedelta],
        grace: timedelta,
        quiet: QuietHours | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.cities = cities
        self.job_queue = job_queue
        self.bot = bot
        self.clock = clock
        self.offsets = [int(offset.total_seconds()) for offset in offsets]
        self.grace = grace.total_seconds()
        self.quiet = quiet

    async def start(self) -> None:
        """Re-arms publications and reminders; ones whose time passed while the bot was down
        follow the MISSED_GRACE rule, and a reminder never goes out after its action began."""
        for action in await store.in_state(self.db, ActionState.SCHEDULED):
            await self.arm_publication(action)
        for action in await store.unannounced(self.db):
            log.warning("announcing action %s, interrupted before", action.id)
            await self.publish(action)
        for reminder in await store.pending_reminders(self.db):
            await self._arm_reminder(reminder)

    async def zone_of(self, action: Action) -> ZoneInfo:
        return await self.cities.zone_of(action.city_id)

    def is_open(self, action: Action) -> bool:
        return is_open(action, self.clock.now())

    def is_changeable(self, action: Action) -> bool:
        return is_changeable(action, self.clock.now())

    async def get(self, action_id: int) -> Action | None:
        return await store.get(self.db, action_id)

    async def card(
        self, action: Action, language: str, bot_username: str, standing: Standing
    ) -> View:
        """The action's card as this reader sees it now: their answer or place in line, and
        the places left (domain.places says where they stand)."""
        zone = await self.zone_of(action)
        return render(
            action,
            zone,
            language,
            bot_username,
            standing.answer,
            open_=self.is_open(action),
            waiting=standing.waiting,
            taken=standing.taken,
        )

    async def headcount(self, action: Action) -> Headcount:
        return await store.headcount(self.db, action.id)

    async def upcoming(self, organizer_id: int | None) -> list[Action]:
        """The next ten actions; with organizer_id, only those in that organizer's cities."""
        return await store.upcoming(self.db, limit=10, organizer_id=organizer_id)

    async def upcoming_for(self, user_id: int) -> list[Action]:
        """The next ten actions in the cities this supporter follows."""
        return await store.upcoming_in_cities_of(self.db, user_id, limit=10)

    async def reminder_times(self, plan: Plan) -> list[int]:
        """When the plan's reminders would go if it were published now: the ones ahead, in
        order, on the city's calendar and out of its quiet hours, as publishing plans them."""
        due = due_on(await self.cities.zone_of(plan.city_id), self.quiet)
        now = self.clock.now()
        planned = (due(plan.starts_at, timing) for timing in self._timings(plan.cadence))
        return sorted(moment for moment in planned if moment is not None and moment > now)

    def _timings(self, cadence: Cadence) -> tuple[Timing, ...]:
        return timings(cadence, self.offsets)

    async def audience(self, city_id: int) -> int:
        """How many followers an announcement in this city would reach now."""
        return await broadcast_store.audience_size(self.db, city_id)

    async def publish_new(self, author_id: int, plan: Plan) -> tuple[Action, int]:
        """Records the action and announces it now: (action, followers it goes to)."""
        action = await self._create(author_id, plan, publish_at=None)
        return action, await self.publish(action)

    async def schedule_new(self, author_id: int, plan: Plan, publish_at: int) -> Action:
        """Records the action and arms its publication."""
        action = await self._create(author_id, plan, publish_at=publish_at)
        await self.arm_publication(action)
        return action

    async def _create(self, author_id: int, plan: Plan, publish_at: int | None) -> Action:
        return await store.create(
            self.db,
            author_id,
            plan.city_id,
            plan.title,
            plan.starts_at,
            plan.place,
            plan.details,
            publish_at=publish_at,
            cadence=plan.cadence,
            capacity=plan.capacity,
        )

    # --- publishing ----------------------------------------------------------------------

    async def publish(self, action: Action) -> int:
        """Announces the action to its city's followers, with the RSVP buttons, and plans the
        reminders, all recorded at once. Returns the number of followers it goes to."""
        zone = await self.zone_of(action)
        announcement_id = await store.announce(
            self.db,
            action,
            self._announcement(action, zone, await self._taken(action)),
            self._timings(action.cadence),
            due_on(zone, self.quiet),
        )
        if announcement_id is None:
            return 0
        await self.engine.launch(announcement_id)
        for reminder in await store.pending_reminders(self.db, action.id):
            await self._arm_reminder(reminder)
        announcement = await broadcast_store.get(self.db, announcement_id)
        return announcement.total if announcement else 0

    async def arm_publication(self, action: Action) -> None:
        if action.publish_at is None:
            return
        if (
            self.clock.now() - action.publish_at > self.grace
            or action.starts_at <= self.clock.now()
        ):
            if await store.mark_missed(self.db, action.id):
                log.warning("action %s was not announced in time", action.id)
                await self._tell_author(action, "action_missed")
            return
        self._arm(f"publish-{action.id}", action.publish_at, self._fire_publication, action.id)

    async def _fire_publication(self, context: TimerContext) -> None:
        if context.job is None or not isinstance(context.job.data, int):
            return
        action = await store.get(self.db, context.job.data)
        if action is None:
            return
        # Checked again now: the author may have lost the city since scheduling.
        if action.author_id is not None and not await self.reach.may_reach(
            action.author_id, action.city_id
        ):
            if await store.cancel(self.db, None, action.id, reason="action.withdrawn"):
                log.warning("action %s withdrawn: its author lost its city", action.id)
                await self._tell_author(action, "action_withdrawn")
            return
        if not await store.publish(self.db, action.id):
            return
        published = await store.get(self.db, action.id)
        if published is not None:
            await self.publish(published)

    # --- reminders -----------------------------------------------------------------------

    async def _arm_reminder(self, reminder: Reminder) -> None:
        late = self.clock.now() - reminder.due_at
        if late > self.grace:
            await store.close_reminder(self.db, reminder.id, "missed")
            return
        self._arm(f"reminder-{reminder.id}", reminder.due_at, self._fire_reminder, reminder.id)

    async def _fire_reminder(self, context: TimerContext) -> None:
        if context.job is None or not isinstance(context.job.data, int):
            return
        reminder = await store.reminder(self.db, context.job.data)
        action = await store.get(self.db, reminder.action_id) if reminder else None
        if reminder is None or action is None:
            return
        if action.state is not ActionState.PUBLISHED or action.starts_at <= self.clock.now():
            await store.close_reminder(self.db, reminder.id, "skipped")
            return
        zone = await self.zone_of(action)
        if await self._postponed(reminder, action, zone):
            return
        broadcast_id = await store.send_reminder(
            self.db,
            reminder.id,
            action.city_id,
            self._reminder(action, zone),
            expires_at=action.starts_at,
        )
        if broadcast_id is not None:
            await self.engine.launch(broadcast_id)

    async def _postponed(self, reminder: Reminder, action: Action, zone: ZoneInfo) -> bool:
        """A reminder whose timer fires in quiet hours waits for their end, as due_on would
        have planned it: QUIET_HOURS may have changed since, or a restart made it late."""
        if self.quiet is None:
            return False
        now = int(self.clock.now())
        later = self.quiet.defer(now, zone, deadline=action.starts_at)
        if later <= now or not await store.postpone_reminder(self.db, reminder.id, later):
            return False
        log.info("reminder %s waits for the end of quiet hours", reminder.id)
        self._arm(f"reminder-{reminder.id}", later, self._fire_reminder, reminder.id)
        return True

    def _disarm_reminders(self, action_id: int, reminders: Iterable[int]) -> None:
        for name in [f"publish-{action_id}", *(f"reminder-{rid}" for rid in reminders)]:
            disarm(self.job_queue, name)

    # --- changes ---------------------------------------------------------------------------

    async def change_time(self, actor_id: int, action: Action, starts_at: int) -> None:
        """Moves the action and its reminders, corrects what is still going out, and tells
        the yes-group."""
        before = await store.pending_reminders(self.db, action.id)
        self._disarm_reminders(action.id, [reminder.id for reminder in before])
        zone = await self.zone_of(action)
        await store.reschedule(self.db, actor_id, action.id, starts_at, due_on(zone, self.quiet))
        moved = await store.get(self.db, action.id)
        if moved is None:
            return
        if moved.state is ActionState.SCHEDULED:
            await self.arm_publication(moved)
        pending = await store.pending_reminders(self.db, action.id)
        for reminder in pending:
            await self._arm_reminder(reminder)
        # A reminder going out now that is due again at the new time stops here and goes out
        # whole then; one that is not goes on with the new time.
        await self._correct_in_flight(moved, zone, actor_id, {reminder.id for reminder in pending})
        await self._tell_yes_group(
            moved,
            lambda lang: t(
                lang, "action_moved", title=moved.title, when=show(moved.starts_at, zone, lang)
            ),
        )

    async def change_place(self, actor_id: int, action: Action, place: str) -> None:
        await store.move(self.db, actor_id, action.id, place)
        moved = await store.get(self.db, action.id)
        if moved is not None:
            await self._correct_in_flight(moved, await self.zone_of(moved), actor_id, set())
        await self._tell_yes_group(
            action, lambda lang: t(lang, "action_relocated", title=action.title, place=place)
        )

    async def cancel(self, actor_id: int, action: Action) -> bool:
        pending = await store.pending_reminders(self.db, action.id)
        if not await store.cancel(self.db, actor_id, action.id):
            return False
        self._disarm_reminders(action.id, [reminder.id for reminder in pending])
        # Nobody else should be invited to, or reminded of, a cancelled action.
        if action.announcement_id is not None:
            await self.engine.cancel(action.announcement_id, actor_id)
        for _, broadcast_id in await store.reminder_broadcasts(self.db, action.id):
            await self.engine.cancel(broadcast_id, actor_id)
        await self._tell_yes_group(
            action, lambda lang: t(lang, "action_cancelled", title=action.title)
        )
        return True

    async def _correct_in_flight(
        self, action: Action, zone: ZoneInfo, actor_id: int, stop: set[int]
    ) -> None:
        """The announcement and reminders still going out carry the new time and place to
        the people who have not got them yet; the ones in stop are cancelled instead."""
        if action.announcement_id is not None:
            content = self._announcement(action, zone, await self._taken(action))
            await self.engine.revise(action.announcement_id, content, action.starts_at)
        for reminder_id, broadcast_id in await store.reminder_broadcasts(self.db, action.id):
            if reminder_id in stop:
                await self.engine.cancel(broadcast_id, actor_id)
            else:
                await self.engine.revise(
                    broadcast_id, self._reminder(action, zone), action.starts_at
                )

    async def _taken(self, action: Action) -> int:
        """Places taken, for the card of an action with a capacity."""
        return 0 if action.capacity is None else await places_store.taken(self.db, action.id)

    def _announcement(self, action: Action, zone: ZoneInfo, taken: int) -> Content:
        username = self.bot.username
        return in_every_language(
            lambda lang: render(action, zone, lang, username, open_=True, taken=taken)
        )

    @staticmethod
    def _reminder(action: Action, zone: ZoneInfo) -> Content:
        """The reminder with the card's RSVP buttons, so someone who can no longer come can
        say so from it (and free their place)."""
        return in_every_language(
            lambda lang: View(
                t(
                    lang,
                    "reminder",
                    title=action.title,
                    when=show(action.starts_at, zone, lang),
                    place=action.place,
                ),
                rsvp_markup(action, lang, None, open_=True),
            )
        )

    async def _tell_yes_group(self, action: Action, build: Any) -> None:
        people = await store.yes_group(self.db, action.id)
        if not people:
            return
        notice = await broadcast_store.create_direct(
            self.db, action.city_id, in_every_language(build), people, purpose="action.notice"
        )
        await self.engine.launch(notice.id)

    async def _tell_author(self, action: Action, key: str) -> None:
        if action.author_id is None:
            return
        author = await supporter_store.get(self.db, action.author_id)
        language = author.language if author else DEFAULT_LANGUAGE
        try:
            await self.bot.send_message(action.author_id, t(language, key, title=action.title))
        except TelegramError as error:
            log.info("could not tell the author of action %s: %s", action.id, error)

    def _arm(self, name: str, when: int, callback: Any, data: int) -> None:
        arm_once(self.job_queue, name, when, callback, data)
