"""Update processing: different people's updates run concurrently, one person's in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.budget import ARRIVAL
from bot.scope import open_update_scope

UNBOUNDED = 2**31 - 1

# The concurrency slot the update being handled holds, for code that must wait long on the
# update's behalf without holding it (a chat sitting out its own 429).
SLOT: ContextVar[asyncio.Semaphore | None] = ContextVar("slot", default=None)


class InHand:
    """The updates received and not yet handled. Telegram forgets an update once the bot asks
    for updates from a later id; asking only from the oldest one still in hand means that a
    process killed mid-storm gets every unhandled update again when it restarts."""

    def __init__(self) -> None:
        self._since: dict[int, float] = {}  # update id -> when it was received
        self.newest = 0  # the highest update id received
        self.changed = asyncio.Event()

    def receive(self, update_id: int) -> bool:
        """Takes an update in hand; False for one already received (Telegram sends the ones
        in hand again, since they are not confirmed)."""
        if update_id <= self.newest:
            return False
        self.newest = update_id
        self._since[update_id] = time.monotonic()
        return True

    def handled(self, update_id: int) -> None:
        self._since.pop(update_id, None)
        self.changed.set()

    def __len__(self) -> int:
        return len(self._since)

    def busy(self, patience: float) -> int:
        """How many are in hand, not counting those in hand longer than `patience`."""
        now = time.monotonic()
        return sum(1 for since in self._since.values() if now - since < patience)

    def oldest(self, patience: float) -> int:
        """The id to ask Telegram for updates from: the oldest update in hand, passing over
        one in hand for longer than `patience` seconds, so that a handler stuck for minutes
        cannot stop the bot from hearing anyone else."""
        now = time.monotonic()
        waiting = [update_id for update_id, since in self._since.items() if now - since < patience]
        return min(waiting, default=self.newest + 1)


class PerChatOrder(BaseUpdateProcessor):
    """A supporter who taps two buttons quickly must see the second answered after the first;
    a broadcast organizer must not wait for thousands of strangers' /start."""

    def __init__(self, max_concurrent_updates: int = 64, in_hand: InHand | None = None) -> None:
        # python-telegram-bot takes its slot before do_process_update runs: a person tapping
        # a hundred times would fill every slot with updates waiting for their own earlier
        # ones, and everyone else would wait. Its limit is set out of reach, and the real one
        # is taken here, only once it is the update's turn in its chat.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self.in_hand = in_hand or InHand()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            if isinstance(update, Update):
                self.in_hand.handled(update.update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        # The handler runs in this task, so its replies see when the update arrived.
        ARRIVAL.set(time.monotonic())
        open_update_scope()
        key = _order_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                SLOT.set(self._slots)
                await coroutine
        finally:
            # Forget idle people so the map stays as small as the set of active chats.
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""


def _order_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
