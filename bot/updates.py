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


class PerChatOrder(BaseUpdateProcessor):
    """A supporter who taps two buttons quickly must see the second answered after the first;
    a broadcast organizer must not wait for thousands of strangers' /start."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        # python-telegram-bot takes its slot before do_process_update runs: a person tapping
        # a hundred times would fill every slot with updates waiting for their own earlier
        # ones, and everyone else would wait. Its limit is set out of reach, and the real one
        # is taken here, only once it is the update's turn in its chat.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
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
