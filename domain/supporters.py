"""Supporters: who they are to Muster (a user id, a language, a status) and what changing that
means. Pausing, blocking and erasing take effect on the deliveries going out at that moment,
here, so no caller can forget it.

Within one update the supporter is read once: every step that needs their language or
status shares that read, and every change made here updates it.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import language_for
from bot.scope import update_memo
from domain.places import promotion_notice
from storage import Database
from storage import supporters as store
from storage.supporters import Arrival, Status, Supporter


class Supporters:
    def __init__(self, db: Database, engine: DeliveryEngine, clock: Clock) -> None:
        self.db = db
        self.engine = engine
        self.clock = clock

    async def get(self, user_id: int) -> Supporter | None:
        memo = update_memo()
        key = ("supporter", user_id)
        if memo is not None and key in memo:
            known = memo[key]
            return known if isinstance(known, Supporter) else None
        supporter = await store.get(self.db, user_id)
        if memo is not None:
            memo[key] = supporter
        return supporter

    async def language_of(self, user_id: int, telegram_code: str | None = None) -> str:
        """The supporter's chosen language, or the one Telegram reports for a stranger."""
        supporter = await self.get(user_id)
        return supporter.language if supporter else language_for(telegram_code)

    async def arrive(
        self, user_id: int, language: str, source: str | None, follow: int | None = None
    ) -> Arrival:
        """/start: signs a newcomer up, or brings back a paused or unreachable supporter,
        who may then be messaged again, broadcasts going out included; and follows the
        city of the link they came by."""
        arrival = await store.arrive(self.db, user_id, language, source, follow)
        self._remember(user_id, arrival.supporter)
        self.engine.include(user_id)
        return arrival

    async def ensure(self, user_id: int, language: str) -> None:
        """Signs up someone who asked for something that needs a row (a picker's buttons)."""
        await store.ensure(self.db, user_id, language)
        self._forget(user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        await store.set_language(self.db, user_id, language)
        self._forget(user_id)

    async def pause(self, user_id: int) -> None:
        """/stop: nothing more, from this instant, until /start."""
        self.engine.exclude(user_id)
        await store.set_status(self.db, user_id, Status.PAUSED)
        self._forget(user_id)

    async def lost(self, user_id: int) -> None:
        """The supporter blocked the bot: unreachable, and skipped from this instant."""
        self.engine.exclude(user_id)
        await store.set_status(self.db, user_id, Status.UNREACHABLE)
        self._forget(user_id)

    async def erase(self, user_id: int) -> bool:
        """/deleteme: every row about the person, their drafts included; a place they held
        goes to the first on that action's waitlist, who is told. False when there was
        nothing to erase."""
        self.engine.exclude(user_id)
        erasure = await store.erase(self.db, user_id, promotion_notice, int(self.clock.now()))
        self._remember(user_id, None)
        for notice_id in erasure.notices:
            await self.engine.launch(notice_id)
        return erasure.erased

    def _remember(self, user_id: int, supporter: Supporter | None) -> None:
        memo = update_memo()
        if memo is not None:
            memo["supporter", user_id] = supporter

    def _forget(self, user_id: int) -> None:
        memo = update_memo()
        if memo is not None:
            memo.pop(("supporter", user_id), None)
