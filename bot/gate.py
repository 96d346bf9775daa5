"""The door every update comes through: banned people and flooders are turned away as their
updates arrive, before any handler and with no trip to the database.

The verdict is reached in GatedOrder, when the update arrives, not when its turn in its
chat comes: a flooder's updates wait for each other (bot/updates.py), at the pace Telegram
lets the bot answer one chat (about one message a second), so counted at their turn a flood
of a hundred would look like one a second and never be caught, and would keep the person's
whole backlog in hand. Turned-away updates skip that queue too: they are done with at once,
so a flood or a banned troll leaves nothing in hand to hold back the poller. The handlers'
guard (handlers/guard.py) reads the verdict and does the little that is still owed: one
notice when ignoring starts, an empty answer to a button press.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from contextvars import ContextVar
from enum import Enum
from typing import Any

from telegram import Update

from bot.flood import Flood, FloodControl
from bot.metrics import Metrics
from bot.updates import PerChatOrder


class Verdict(Enum):
    ADMIT = "admit"
    FLOODING = "flooding"  # one update too many: ignoring starts, the person is told once
    IGNORED = "ignored"  # within the minute of ignoring
    BANNED = "banned"


# The verdict on the update this task handles, set as it arrived.
VERDICT: ContextVar[Verdict | None] = ContextVar("verdict", default=None)

_FROM_FLOOD = {
    Flood.CALM: Verdict.ADMIT,
    Flood.STARTS: Verdict.FLOODING,
    Flood.IGNORED: Verdict.IGNORED,
}


class Gate:
    def __init__(self, flood: FloodControl, admin_ids: frozenset[int]) -> None:
        self.flood = flood
        self.admin_ids = admin_ids
        self._banned: set[int] = set()

    def verdict(self, user_id: int | None) -> Verdict:
        if user_id is None:
            return Verdict.ADMIT  # nobody to count (a channel post, a poll)
        if user_id in self._banned:
            return Verdict.BANNED
        if user_id in self.admin_ids:
            # Never locked out: an admin banning a wave of trolls sends many commands at once.
            return Verdict.ADMIT
        return _FROM_FLOOD[self.flood.count(user_id)]

    def is_banned(self, user_id: int) -> bool:
        return user_id in self._banned

    def ban(self, user_id: int) -> None:
        self._banned.add(user_id)

    def unban(self, user_id: int) -> None:
        self._banned.discard(user_id)

    def replace_banned(self, user_ids: Iterable[int]) -> None:
        """The banned set as the database has it (at start-up)."""
        self._banned = set(user_ids)


class GatedOrder(PerChatOrder):
    """PerChatOrder with the gate at its door."""

    def __init__(
        self, gate: Gate, max_concurrent_updates: int = 64, metrics: Metrics | None = None
    ) -> None:
        super().__init__(max_concurrent_updates, metrics=metrics)
        self.gate = gate

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        verdict = self.gate.verdict(_sender(update))
        VERDICT.set(verdict)
        if verdict in (Verdict.IGNORED, Verdict.BANNED) and isinstance(update, Update):
            # Nothing to keep in order: the guard only answers a button press, if it is one.
            try:
                await coroutine
            finally:
                self.in_hand.handled(update.update_id)
            return
        # Admitted, or the first ignored (whose notice comes after the replies before it).
        await super().do_process_update(update, coroutine)


def _sender(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
