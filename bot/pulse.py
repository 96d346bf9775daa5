"""When Telegram last answered one of Muster's calls: /healthz tells a Telegram that went
silent from a bot that merely had nothing to say."""

from __future__ import annotations

from bot.clock import Clock, SystemClock


class Pulse:
    """The two ways Muster calls Telegram (bot/transport.py for python-telegram-bot,
    bot/botapi.py for bulk sends and polling) report every successful answer here; it costs
    one clock reading a call."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        # Start-up counts as heard: the bot does not start unless Telegram answers its getMe.
        self.last_heard = self._clock.now()

    def heard(self) -> None:
        self.last_heard = self._clock.now()

    def silent_for(self) -> float:
        """Seconds since Telegram last answered."""
        return max(0.0, self._clock.now() - self.last_heard)
