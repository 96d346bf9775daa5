"""The bot's sending budget: one pace for everything it sends, replies to people first."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# How much sooner than the sends before it a send may reach Telegram (a new connection, a busy
# event loop), as a share of a second. Pacing exactly to the limit by our own clock met a 429
# within the first second. At the paid tier hundreds of sends are in flight at once and arrive
# bunched by tens of milliseconds: there 1% met a 429 in every benchmark run, 3% in none.
JITTER = 0.01
FAST_JITTER = 0.03
FAST = 60  # sends a second above which the burst grows past one and FAST_JITTER applies

# While replies and bulk sends both wait, the bulk sends' share of the tokens: replies still
# go first, and a broadcast (a raid alert, say) still moves during a storm of sign-ups that
# would otherwise take every token for minutes. One token in five.
BULK_SHARE = 0.2

# When the update being handled arrived (time.monotonic), set by the update processor: its
# replies queue by it, so a person's second message waits behind what others sent before it,
# not behind everything sent while their first was being answered.
ARRIVAL: ContextVar[float | None] = ContextVar("arrival", default=None)


@dataclass(order=True, slots=True)
class _Reply:
    ticket: float
    number: int  # first asked, first served among equal tickets
    woken: asyncio.Event = field(default_factory=asyncio.Event, compare=False)


class SendBudget:
    """A token bucket shared by interactive replies and bulk deliveries.

    Telegram counts every message the bot sends against one limit (about 30 a second), so the
    two kinds of traffic share one budget. A waiting reply to a person is served before any
    bulk send: a supporter talking to the bot never queues behind a broadcast of 250,000.
    Waiting replies are served first come first served, by when their update arrived: one
    person's reply never waits behind replies to people who wrote after them. While both
    wait, bulk sends still get BULK_SHARE of the tokens, so a broadcast never stalls.
    A 429 that holds for the whole bot pauses everyone for retry_after, so one refusal does
    not become a storm of them; `keep` records each such pause (its length in seconds), so
    that a restarted process honours it too.
    """

    def __init__(
        self,
        rate: float | None,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        keep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._keep = keep
        # Tokens accrue continuously; the burst caps what an idle spell saves up. Up to 60/s it
        # is one token (at 30/s even a burst of 1.5 let 31 sends into one second); above that,
        # a hundredth of a second's worth catches up a sender that woke late.
        whole = math.floor(rate) if rate is not None else 0
        if burst is None:
            burst = 1.0 if rate is None or rate <= FAST else rate / 100
        self.capacity = float(max(1, min(math.floor(burst), whole)))
        # A bucket of capacity B refilled at R lets at most B + R·s sends into any s seconds.
        # Sends that left up to 1 + jitter seconds apart may reach Telegram within one second,
        # so B + R·(1 + jitter) stays at rate + 1 or below: a full bucket and the refill
        # together never put more than the rate into any second, a burst after a pause included.
        jitter = FAST_JITTER if whole > FAST else JITTER
        self.refill = (whole + 1 - self.capacity) / (1 + jitter) if whole >= 1 else (rate or 0.0)
        self._tokens = self.capacity
        self._stamp = clock()
        self._paused_until = 0.0
        self._kept_until = 0.0
        self._interactive_waiting = 0
        # Tokens owed to bulk sends: a reply served while a bulk send waits earns them a
        # share of one; a bulk send may go ahead of waiting replies once it is owed a whole.
        self._owed_to_bulk = 0.0
        self._changed = asyncio.Event()
        self._bulk_turn = asyncio.Lock()
        # Replies waiting, earliest ticket first; only the one at the head watches the clock.
        self._replies: list[_Reply] = []
        self._reply_numbers = itertools.count()

    async def pause(self, seconds: float) -> None:
        """Telegram said "retry after" for the whole bot: nobody sends until then, and the
        bucket starts empty when the pause ends, so the pause does not save up a burst."""
        self.hold(seconds)
        # Hundreds of sends can meet the same 429 at once: record the pause once, not once
        # for each of them (each record is a transaction and an fsync).
        if self._paused_until <= self._kept_until + 1.0:
            return
        self._kept_until = self._paused_until
        if self._keep is not None:
            try:
                await self._keep(seconds)
            except Exception:
                # Not kept means only that a restart within the pause might not honour it.
                log.exception("a pause of %.1fs could not be recorded", seconds)

    def hold(self, seconds: float) -> None:
        """Pauses everyone without recording it: a pause restored at start-up."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = 0.0
        self._stamp = self._paused_until

    async def acquire(self, *, interactive: bool, ticket: float | None = None) -> None:
        """Waits for a send's token. A reply's ticket is when its update arrived (by this
        budget's clock; now, if not given): replies take their turns in ticket order."""
        if interactive:
            self._interactive_waiting += 1
            try:
                await self._take_reply(self._clock() if ticket is None else ticket)
            finally:
                self._interactive_waiting -= 1
                self._changed.set()
            return
        # One bulk sender at a time watches the clock and the rest queue behind it: at 1000/s
        # the engine's 250 workers all waking for every token kept a whole core busy polling.
        async with self._bulk_turn:
            await self._take(interactive=False)

    def take_now(self) -> bool:
        """A bulk send's token, if one is there this instant and no bulk sender is queued for
        it; never waits. Most sends at the ceiling get theirs this way, with no task made."""
        if self._bulk_turn.locked():
            return False
        return self._try_take(interactive=False) == 0.0

    async def _take_reply(self, ticket: float) -> None:
        me = _Reply(ticket, next(self._reply_numbers))
        heapq.heappush(self._replies, me)
        try:
            while True:
                wait: float | None = None  # not at the head: until woken
                if self._replies[0] is me:
                    wait = self._try_take(interactive=True)
                    if wait == 0.0:
                        return
                me.woken.clear()
                await _woken_within(me.woken, wait)
        finally:
            self._replies.remove(me)
            heapq.heapify(self._replies)
            if self._replies:
                self._replies[0].woken.set()

    async def _take(self, *, interactive: bool) -> None:
        while (wait := self._try_take(interactive)) > 0:
            self._changed.clear()
            # Wake early when a reply is served, so a bulk sender re-checks promptly.
            await _woken_within(self._changed, wait)

    def _try_take(self, interactive: bool) -> float:
        """Takes a token and returns 0, or returns how long to wait before trying again."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        bulk_owed = self._owed_to_bulk >= 1.0 and self._bulk_turn.locked()
        if interactive and bulk_owed:
            return 0.005  # the next token is the waiting bulk send's
        ahead_of_replies = not interactive and self._interactive_waiting > 0
        if ahead_of_replies and not bulk_owed:
            return 0.005
        if self.rate is None:
            return 0.0
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.refill)
        self._stamp = now
        if self._tokens < 1.0:
            return (1.0 - self._tokens) / self.refill
        self._tokens -= 1.0
        if ahead_of_replies:
            self._owed_to_bulk -= 1.0
        elif interactive and self._bulk_turn.locked():
            share = BULK_SHARE / (1.0 - BULK_SHARE)
            self._owed_to_bulk = min(1.0, self._owed_to_bulk + share)
        return 0.0


def busiest_second(times: list[float]) -> int:
    """The most sends in any one-second window of these sorted times, counted as Telegram
    (and the simulator) counts them: the sends in (t - 1, t]. For tests and benchmarks."""
    busiest, left = 0, 0
    for right, at in enumerate(times):
        while times[left] <= at - 1.0:
            left += 1
        busiest = max(busiest, right - left + 1)
    return busiest


async def _woken_within(event: asyncio.Event, seconds: float | None) -> None:
    """Waits for the event, at most that long (None: no limit). asyncio.timeout rather than
    wait_for: on Python 3.11 wait_for swallows a cancellation that arrives as the event is
    set, and a stopping engine or a cancelled handler would wait on."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
