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
from bot.metrics import Metrics
from bot.scope import open_update_scope

UNBOUNDED = 2**31 - 1

# The concurrency slot the update being handled holds, for code that must wait long on the
# update's behalf without holding it (a chat sitting out its own 429).
SLOT: ContextVar[asyncio.Semaphore | None] = ContextVar("slot", default=None)


class InHand:
    """The updates received and not yet handled, and those handled since the poller last
    recorded it (bot/polling.py keeps both in the database's inbox)."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._done: list[int] = []
        self.newest = 0  # the highest update id received
        self.changed = asyncio.Event()  # one was handled: room for more
        self.finished = asyncio.Event()  # one was handled: a row to remove

    def receive(self, update_id: int) -> bool:
        """Takes an update in hand; False for one received already (an update a crashed
        process recorded, which Telegram may deliver again)."""
        if update_id <= self.newest:
            return False
        self.newest = update_id
        self._ids.add(update_id)
        return True

    def receive_unordered(self, update_id: int) -> bool:
        """As receive, for updates that may come in any order (a webhook's, over several
        connections; the inbox tells repeats apart): False only for one in hand."""
        if update_id in self._ids:
            return False
        self.newest = max(self.newest, update_id)
        self._ids.add(update_id)
        return True

    def handled(self, update_id: int) -> None:
        if update_id in self._ids:
            self._ids.discard(update_id)
            self._done.append(update_id)
            self.finished.set()
        self.changed.set()

    def take_handled(self, below: int | None = None) -> list[int]:
        """The updates handled since they were last taken (only those with ids below
        `below`, if given; the others stay to be taken later)."""
        if below is None:
            done, self._done = self._done, []
        else:
            done = [update_id for update_id in self._done if update_id < below]
            self._done = [update_id for update_id in self._done if update_id >= below]
        return done

    def return_handled(self, update_ids: list[int]) -> None:
        """Gives back what take_handled gave, to be taken again (its removal failed)."""
        self._done.extend(update_ids)

    def has_handled(self) -> bool:
        return bool(self._done)

    def __len__(self) -> int:
        return len(self._ids)


class PerChatOrder(BaseUpdateProcessor):
    """A supporter who taps two buttons quickly must see the second answered after the first;
    a broadcast organizer must not wait for thousands of strangers' /start."""

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        in_hand: InHand | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        # python-telegram-bot takes its slot before do_process_update runs: a person tapping
        # a hundred times would fill every slot with updates waiting for their own earlier
        # ones, and everyone else would wait. Its limit is set out of reach, and the real one
        # is taken here, only once it is the update's turn in its chat.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self.in_hand = in_hand or InHand()
        self.metrics = metrics or Metrics()
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
                await self._handle(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                SLOT.set(self._slots)
                await self._handle(update, coroutine)
        finally:
            # Forget idle people so the map stays as small as the set of active chats.
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key], self._locks[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Counted here, where every update passes once: two clock readings and two
        # increments, about 1.5 µs against the ~1.2 ms a sign-up costs.
        began = time.perf_counter()
        try:
            await coroutine
        finally:
            self.metrics.update_handled(update, time.perf_counter() - began)

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
