"""python-telegram-bot's requests (replies to people, progress edits) through the shared
SendBudget, ahead of bulk deliveries."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.budget import SendBudget

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

Result = bool | dict[str, Any] | list[dict[str, Any]]


class InteractiveRateLimiter(BaseRateLimiter[None]):
    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget

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
        for attempt in range(RETRIES + 1):
            if counted:
                await self.budget.acquire(interactive=True)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = error.retry_after
                wait = seconds if isinstance(seconds, int | float) else seconds.total_seconds()
                self.budget.pause(wait)
                if attempt == RETRIES:
                    raise
                log.warning("%s got 429; everyone waits %ss", endpoint, wait)
        raise AssertionError("unreachable")
