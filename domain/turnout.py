"""Turnout: checking in at an action with its link, from an hour before the start until six
hours after, once per person; then "Did you make it?" to those who said yes and did not
check in, and a thank-you to those who did."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import t
from bot.quiet import QuietHours
from domain.actions import in_every_language
from domain.cities import Cities
from domain.organizers import Reach
from storage import Database
from storage import turnout as store
from storage.actions import Action, ActionState
from storage.turnout import Attendance
from views.actions import View
from views.buttons import MADE_IT

log = logging.getLogger(__name__)

HOUR = 3600
OPENS_BEFORE = 1 * HOUR  # check-in opens this long before the start
CLOSES_AFTER = 6 * HOUR  # and closes this long after it
# A follow-up the bot was down for goes out this long after the action's start at the
# latest: a day later, "Did you make it?" reads as noise.
FOLLOW_UP_LATEST = 24 * HOUR
SWEEP = 60  # seconds between looks for actions due a follow-up


class CheckIn(StrEnum):
    DONE = "done"
    ALREADY = "already"
    UNKNOWN = "unknown"  # no action has that token (a forged or mistyped link)
    CANCELLED = "cancelled"
    NOT_YET = "not_yet"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class Checked:
    outcome: CheckIn
    action: Action | None = None


class Turnout:
    def __init__(
        self,
        db: Database,
        engine: DeliveryEngine,
        reach: Reach,
        cities: Cities,
        job_queue: JobQueue[Any],
        clock: Clock,
        follow_up_after: timedelta,
        quiet: QuietHours | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.cities = cities
        self.job_queue = job_queue
        self.clock = clock
        self.follow_up_after = int(follow_up_after.total_seconds())
        self.quiet = quiet

    async def start(self) -> None:
        """Sends the follow-ups due now, then looks again every minute: the database says
        which went out, so a restart neither skips nor repeats any."""
        await self.follow_up_due()
        self.job_queue.run_repeating(self._sweep, interval=SWEEP, first=SWEEP, name="follow-ups")

    async def _sweep(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.follow_up_due()

    async def follow_up_due(self) -> int:
        """Follows up every action whose follow-up time has come; returns how many."""
        now = int(self.clock.now())
        done = 0
        for action in await store.due_for_follow_up(self.db, now - self.follow_up_after):
            late = now > action.starts_at + max(FOLLOW_UP_LATEST, self.follow_up_after)
            if not late and await self._quiet_in(action, now):
                continue  # a sweep after the quiet hours' end sends it

            sent = await store.follow_up(
                self.db,
                action,
                in_every_language(partial(_ask, action)),
                in_every_language(partial(_thank, action)),
                late,
                now,
            )
            if sent is None:
                continue
            done += 1
            if late:
                log.info("action %s: follow-up skipped, the bot was down past its time", action.id)
            for broadcast_id in (sent.asked, sent.thanked):
                if broadcast_id is not None:
                    await self.engine.launch(broadcast_id)
        return done

    async def _quiet_in(self, action: Action, now: int) -> bool:
        """Whether it is quiet hours in the action's city: "did you make it?" can wait for
        the morning (it never has an action's start to beat)."""
        if self.quiet is None:
            return False
        return self.quiet.holds(now, await self.cities.zone_of(action.city_id))

    async def report(self, user_id: int, action_id: int, there: bool) -> bool:
        """ "Yes, I was there" or "No, I couldn't", from someone who said yes."""
        return await store.report(self.db, action_id, user_id, there)

    def question(self, action: Action, language: str) -> View:
        """ "Did you make it?" with its two buttons, as it was sent."""
        return _ask(action, language)

    async def attendance(self, action: Action) -> Attendance:
        return await store.attendance(self.db, action.id)

    async def checkin_token(self, actor_id: int, action: Action) -> str | None:
        """The action's check-in token for one who may manage it (None otherwise, and for a
        cancelled action)."""
        if action.state is ActionState.CANCELLED:
            return None
        if not await self.reach.may_reach(actor_id, action.city_id):
            return None
        return await store.checkin_token(self.db, action.id)

    async def action_for(self, token: str) -> Action | None:
        return await store.action_for(self.db, token)

    def window_open(self, action: Action) -> bool:
        return self._window(action) is CheckIn.DONE

    def _window(self, action: Action) -> CheckIn:
        now = self.clock.now()
        if action.state is ActionState.CANCELLED:
            return CheckIn.CANCELLED
        if action.state is not ActionState.PUBLISHED or now < action.starts_at - OPENS_BEFORE:
            return CheckIn.NOT_YET
        if now > action.starts_at + CLOSES_AFTER:
            return CheckIn.OVER
        return CheckIn.DONE

    async def check_in(self, user_id: int, token: str) -> Checked:
        """Records the person (signed up already) as there, if the link is an action's and
        its window is open; twice is once."""
        action = await store.action_for(self.db, token)
        if action is None:
            return Checked(CheckIn.UNKNOWN)
        window = self._window(action)
        if window is not CheckIn.DONE:
            return Checked(window, action)
        fresh = await store.check_in(self.db, action.id, user_id, int(self.clock.now()))
        return Checked(CheckIn.DONE if fresh else CheckIn.ALREADY, action)


def _ask(action: Action, language: str) -> View:
    there = InlineKeyboardButton(
        t(language, "button_made_it"), callback_data=MADE_IT.data(action.id, "yes")
    )
    absent = InlineKeyboardButton(
        t(language, "button_missed_it"), callback_data=MADE_IT.data(action.id, "no")
    )
    text = t(language, "followup_ask", title=action.title)
    return View(text, InlineKeyboardMarkup([[there, absent]]))


def _thank(action: Action, language: str) -> str:
    return t(language, "followup_thanks", title=action.title)
