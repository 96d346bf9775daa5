"""The bot's sending budget: one pace for everything it sends, replies to people first."""

from __future__ import annotations

import asyncio
import contextlib
import time


class SendBudget:
    """A token bucket shared by interactive replies and bulk deliveries.

    Telegram counts every message the bot sends against one limit (about 30 a second), so the
    two kinds of traffic share one budget. A waiting reply to a person is served before any
    bulk send: a supporter talking to the bot never queues behind a broadcast of 250,000.
    A 429 pauses everyone for retry_after, so one refusal does not become a storm of them.
    """

    def __init__(self, rate: float | None, burst: float | None = None) -> None:
        self.rate = rate
        # Tokens accrue continuously; the burst caps what an idle spell saves up. A twentieth
        # of a second's worth keeps any one-second window within rate + burst.
        self.capacity = max(1.0, burst if burst is not None else (rate or 0) / 20)
        if burst is None and rate is not None and rate <= 60:
            # At Telegram's free tier even a burst of 1.5 lets 31 sends into one second at 30/s.
            self.capacity = 1.0
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._interactive_waiting = 0
        self._changed = asyncio.Event()

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._tokens = 0.0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())

    async def acquire(self, *, interactive: bool) -> None:
        if interactive:
            self._interactive_waiting += 1
        try:
            while (wait := self._try_take(interactive)) > 0:
                self._changed.clear()
                # Wake early when a reply is served, so bulk senders re-check promptly.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)
        finally:
            if interactive:
                self._interactive_waiting -= 1
                self._changed.set()

    def _try_take(self, interactive: bool) -> float:
        """Takes a token and returns 0, or returns how long to wait before trying again."""
        now = time.monotonic()
        if now < self._paused_until:
            return self._paused_until - now
        if not interactive and self._interactive_waiting:
            return 0.005
        if self.rate is None:
            return 0.0
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate
