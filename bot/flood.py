"""Flood control: who sent more than the limit of updates within ten seconds, and is ignored
for a minute.

Each person's last `limit + 1` update times are kept, so one look at the oldest tells whether
the newest makes more than `limit` within the window: constant work per update. People quiet
for a whole window, and ignoring that is over, are forgotten oldest first, so a storm of
20,000 different people leaves behind only those who wrote in the last ten seconds.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum

from bot.clock import Clock

WINDOW = 10.0  # seconds in which more than the limit is a flood
IGNORE_FOR = 60.0  # seconds a flooder's updates are ignored


class Flood(Enum):
    CALM = "calm"  # within the limit
    STARTS = "starts"  # this update is one too many: ignoring starts with it
    IGNORED = "ignored"  # within the minute of ignoring


class FloodControl:
    def __init__(
        self, limit: int, clock: Clock, window: float = WINDOW, ignore_for: float = IGNORE_FOR
    ) -> None:
        self.limit = limit
        self.window = window
        self.ignore_for = ignore_for
        self._clock = clock
        # Recent update times per person, least recently active first.
        self._recent: OrderedDict[int, list[float]] = OrderedDict()
        # Until when each flooder is ignored, in the order ignoring began (so ends soonest first).
        self._ignored: OrderedDict[int, float] = OrderedDict()

    def count(self, user_id: int) -> Flood:
        """Counts one update of this person's, now."""
        now = self._clock.now()
        self._forget_before(now)
        if user_id in self._ignored:
            return Flood.IGNORED
        times = self._recent.get(user_id)
        if times is None:
            times = self._recent[user_id] = []
        else:
            self._recent.move_to_end(user_id)
        times.append(now)
        if len(times) > self.limit + 1:
            del times[0]  # at most limit + 1 of them: a constant, however long the flood
        if len(times) > self.limit and now - times[0] < self.window:
            del self._recent[user_id]
            self._ignored[user_id] = now + self.ignore_for
            return Flood.STARTS
        return Flood.CALM

    def tracked(self) -> int:
        """How many people are remembered (for tests of the memory bound)."""
        return len(self._recent) + len(self._ignored)

    def _forget_before(self, now: float) -> None:
        recent = self._recent
        while recent:
            user_id, times = next(iter(recent.items()))
            if now - times[-1] < self.window:
                break
            del recent[user_id]
        ignored = self._ignored
        while ignored:
            user_id, until = next(iter(ignored.items()))
            if until > now:
                break
            del ignored[user_id]
