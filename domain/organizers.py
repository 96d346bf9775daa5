"""Who may reach which cities: admins (ADMIN_IDS) every city, organizers their grant, anyone
else none. Asked afresh on every step, button presses and timers included, since a grant can
be taken away between two steps and callback data can be forged."""

from __future__ import annotations

from storage import Database
from storage import organizers as store
from storage.broadcasts import Broadcast
from storage.organizers import Organizer


class Reach:
    def __init__(self, db: Database, admin_ids: frozenset[int]) -> None:
        self.db = db
        self.admin_ids = admin_ids

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def of(self, user_id: int) -> Organizer | None:
        """The cities this person may target now; None for a supporter."""
        if user_id in self.admin_ids:
            return Organizer(user_id, all_cities=True, city_ids=frozenset())
        return await store.get(self.db, user_id)

    async def may_reach(self, user_id: int, city_id: int | None) -> bool:
        """city_id None means every city at once, which needs the all-cities grant."""
        organizer = await self.of(user_id)
        return organizer is not None and organizer.may_reach(city_id)

    async def promote(
        self, actor_id: int, user_id: int, city_ids: list[int], all_cities: bool
    ) -> Organizer | None:
        """Makes a supporter an organizer for these cities (or every city); audited. None for
        a banned person, who cannot be promoted."""
        return await store.promote(self.db, actor_id, user_id, city_ids, all_cities)

    async def demote(self, actor_id: int, user_id: int) -> bool:
        """Takes every city away; False when the person was no organizer. Their plans still
        waiting are withdrawn when their time comes, since every step asks again."""
        return await store.demote(self.db, actor_id, user_id)

    async def everyone(self) -> list[Organizer]:
        return await store.everyone(self.db)

    async def may_manage(self, user_id: int, broadcast: Broadcast) -> bool:
        """An admin, or an organizer who may reach the broadcast's city now. Having written it
        is not enough: a demoted author keeps no power over it."""
        return await self.may_reach(user_id, None if broadcast.all_cities else broadcast.city_id)
