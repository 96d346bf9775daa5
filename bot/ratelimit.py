"""python-telegram-bot's requests (replies to people, progress edits) through the shared
SendBudget, ahead of bulk deliveries, and each chat's own 429s kept to that chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.budget import ARRIVAL, SendBudget
from bot.updates import SLOT

log = logging.getLogger(__name__)

# What Telegram counts as a message sent; reading calls (getUpdates, getMe) and button
# answers are not throttled.
COUNTED = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "copymessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
RETRIES = 3
# A 429 on a reply is most often one chat's flood limit (about a message a second): it pauses
# that chat only. It is read as the whole bot's when it names no chat, or when its wait is
# longer than a private chat's limit ever asks for. (Were the whole bot throttled, the bulk
# sends would meet 429s of their own and pause everyone through the engine.)
WHOLE_BOT_WAIT = 30.0

Result = bool | dict[str, Any] | list[dict[str, Any]]


class InteractiveRateLimiter(BaseRateLimiter[None]):
    def __init__(self, budget: SendBudget, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._chat_paused_until: dict[int, float] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        counted = endpoint.lower() in COUNTED
        chat_id = data.get("chat_id")
        chat = chat_id if isinstance(chat_id, int) else None
        for attempt in range(RETRIES + 1):
            if counted:
                await self._chat_turn(chat)
                await self.budget.acquire(interactive=True, ticket=ARRIVAL.get())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = error.retry_after
                wait = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
                if self._whole_bot(chat, wait):
                    await self.budget.pause(wait)
                    log.warning("%s got 429; everyone waits %ss", endpoint, wait)
                else:
                    assert chat is not None  # _whole_bot is True for a request with no chat
                    self._pause_chat(chat, wait)
                    log.info("%s got 429; chat %s waits %ss", endpoint, chat, wait)
                if attempt == RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def _chat_turn(self, chat: int | None) -> None:
        """Waits out this chat's own 429, if it has one; other chats go on meanwhile."""
        if chat is None:
            return
        until = self._chat_paused_until.get(chat)
        if until is None:
            return
        wait = until - self._clock()
        if wait > 0:
            # Meanwhile the update's slot is free for other people's updates: one person's
            # flood must not hold places everyone shares.
            slot = SLOT.get()
            if slot is not None:
                slot.release()
            try:
                await asyncio.sleep(wait)
            finally:
                if slot is not None:
                    await slot.acquire()
        if self._chat_paused_until.get(chat) == until:
            del self._chat_paused_until[chat]

    def _pause_chat(self, chat: int, seconds: float) -> None:
        now = self._clock()
        if len(self._chat_paused_until) > 1000:
            # Forget pauses that are over, so the map stays as small as the throttled chats.
            self._chat_paused_until = {
                other: until for other, until in self._chat_paused_until.items() if until > now
            }
        until = now + seconds
        self._chat_paused_until[chat] = max(until, self._chat_paused_until.get(chat, 0.0))

    @staticmethod
    def _whole_bot(chat: int | None, wait: float) -> bool:
        return chat is None or wait > WHOLE_BOT_WAIT
