"""Bans: people Muster ignores and never messages.

The banned set lives twice: in memory, where the gate (bot/gate.py) turns their updates away
with no trip to the database, and in the bans table, which outlasts a restart and which
every query choosing bulk recipients leaves out. A ban takes effect on everything at once,
here, so no caller can forget a part: the gate, the broadcasts going out this moment (their
sends to the person stop right before the request, as for someone who paused), the sends
still pending in the database, the person's follows and their organizer role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.delivery import DeliveryEngine
from bot.gate import Gate
from storage import Database
from storage import bans as store
from storage.bans import Ban


class Refusal(Enum):
    ADMIN = "admin"  # ADMIN_IDS cannot be banned
    ALREADY = "already"  # banned before


@dataclass(frozen=True, slots=True)
class Banned:
    was_organizer: bool


class Bans:
    def __init__(
        self, db: Database, engine: DeliveryEngine, gate: Gate, admin_ids: frozenset[int]
    ) -> None:
        self.db = db
        self.engine = engine
        self.gate = gate
        self.admin_ids = admin_ids

    async def load(self) -> None:
        """At start-up, before the first update: the gate learns who is banned."""
        self.gate.replace_banned(await store.banned_ids(self.db))

    def is_banned(self, user_id: int) -> bool:
        return self.gate.is_banned(user_id)

    async def ban(self, actor_id: int, user_id: int) -> Banned | Refusal:
        """Bans the person; audited."""
        if user_id in self.admin_ids:
            return Refusal.ADMIN
        if self.gate.is_banned(user_id):
            return Refusal.ALREADY
        # From this instant, before the write: their next update is turned away, and the
        # broadcasts running skip them even for the recipients already read into memory.
        self.gate.ban(user_id)
        self.engine.exclude(user_id)
        try:
            banned = await store.ban(self.db, actor_id, user_id)
        except BaseException:
            self.gate.unban(user_id)
            self.engine.include(user_id)
            raise
        if banned is None:
            return Refusal.ALREADY
        return Banned(banned.was_organizer)

    async def unban(self, actor_id: int, user_id: int) -> bool:
        """Lifts the ban, audited: replies come back at once. Follows and an organizer role
        do not; the person follows cities again, and an admin promotes them again."""
        lifted = await store.unban(self.db, actor_id, user_id)
        self.gate.unban(user_id)
        self.engine.include(user_id)
        return lifted

    async def everyone(self) -> list[Ban]:
        return await store.everyone(self.db)
