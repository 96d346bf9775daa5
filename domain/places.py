"""Capacity and waitlists: an action with limited room gives a place to each "I'll be there"
while there is room and puts the rest in line; a place given up, or added by a larger
capacity, goes to the first in line, who is told through the delivery engine.

Why the engine rather than a direct send: the promotion and its message are written in one
transaction (storage.places.promote), so a crash can neither promote someone silently nor
tell someone of a place they did not get; the engine then sends it within the sending budget
shared with broadcasts, retries it, and resumes it after a restart."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import t
from bot.localtime import show
from domain.actions import in_every_language, is_changeable
from domain.organizers import Reach
from storage import Database
from storage import places as store
from storage.actions import Action, Answer
from storage.broadcasts import Content
from storage.places import Promotion, Standing
from views.actions import View
from views.buttons import PLACE_BACK

# The largest capacity an organizer may set: more than any room, small enough to be a typo's
# limit.
MOST = 100_000


@dataclass(frozen=True, slots=True)
class Change:
    """A capacity changed: the new one, the places taken, and how many came off the line."""

    capacity: int | None
    taken: int
    promoted: int


def promotion_notice(action: Action, timezone: str) -> Content:
    """The message telling someone they got a place, with the button to give it back, in
    every language."""
    zone = ZoneInfo(timezone)

    def build(language: str) -> View:
        text = t(
            language,
            "place_promoted",
            title=action.title,
            when=show(action.starts_at, zone, language),
        )
        back = InlineKeyboardButton(
            t(language, "button_give_back"), callback_data=PLACE_BACK.data(action.id)
        )
        return View(text, InlineKeyboardMarkup([[back]]))

    return in_every_language(build)


def parse_capacity(text: str) -> int | None:
    """A capacity typed in digits (any script's: "٤٠" is 40), 1 to MOST; None otherwise."""
    text = text.strip()
    if not text.isdecimal() or len(text) > len(str(MOST)):
        return None
    number = int(text)
    return number if 1 <= number <= MOST else None


class Places:
    def __init__(self, db: Database, engine: DeliveryEngine, reach: Reach, clock: Clock) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.clock = clock

    def _now(self) -> int:
        return int(self.clock.now())

    async def answer(self, user_id: int, action: Action, given: Answer) -> Standing:
        """I'll be there or Can't make it, for an open action. Yes takes a place or joins the
        line; no leaves the line, or frees a place for the first in it."""
        limited = action.capacity is not None
        if given is Answer.YES:
            return await store.take(self.db, action.id, user_id, self._now(), limited=limited)
        if not limited:
            return await store.decline_unlimited(self.db, action.id, user_id, self._now())
        freed = await store.decline(self.db, action.id, user_id, self._now(), promotion_notice)
        await self._launch(freed.promotion)
        return freed.standing

    async def give_back(self, user_id: int, action: Action) -> bool:
        """Give my place back: as Can't make it, for someone holding a place; False (and
        nothing changed) for anyone else."""
        freed = await store.decline(
            self.db, action.id, user_id, self._now(), promotion_notice, only_held=True
        )
        await self._launch(freed.promotion)
        return freed.held

    async def resize(self, actor_id: int, action: Action, capacity: int | None) -> Change | None:
        """A new capacity (None: no limit) from one who may manage the action, asked again
        here; None when they may not, or the action can no longer change."""
        if not is_changeable(action, self.clock.now()):
            return None
        if not await self.reach.may_reach(actor_id, action.city_id):
            return None
        resized = await store.resize(
            self.db, actor_id, action.id, capacity, self._now(), promotion_notice
        )
        await self._launch(resized.promotion)
        promoted = len(resized.promotion.people) if resized.promotion else 0
        return Change(capacity, resized.taken, promoted)

    async def standing(self, user_id: int, action: Action) -> Standing:
        return await store.standing(
            self.db, action.id, user_id, limited=action.capacity is not None
        )

    async def taken(self, action: Action) -> int:
        return await store.taken(self.db, action.id)

    async def _launch(self, promotion: Promotion | None) -> None:
        if promotion is not None:
            await self.engine.launch(promotion.notice_id)
