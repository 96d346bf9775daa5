"""Who was told "something went wrong" lately: at most one apology a minute per chat."""

from __future__ import annotations

import time
from collections.abc import Callable

INTERVAL = 60.0


class Apologies:
    """A burst of failing updates from one person must not become a burst of apologies: past
    Telegram's one message a second per chat, the 429 that follows would slow the bot."""

    def __init__(
        self, interval: float = INTERVAL, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._last: dict[int, float] = {}

    def may_apologize(self, chat_id: int) -> bool:
        """True, and counted, when this chat had no apology within the interval."""
        now = self._clock()
        last = self._last.get(chat_id)
        if last is not None and now - last < self._interval:
            return False
        if len(self._last) > 1000:
            # Forget the chats whose interval is over, so the map stays as small as the
            # set of people who met an error in the last minute.
            self._last = {chat: at for chat, at in self._last.items() if now - at < self._interval}
        self._last[chat_id] = now
        return True
