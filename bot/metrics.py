"""What /metrics shows, in prometheus-client's terms, and the small calls that count it.

Every label comes from a small fixed set written here or in storage (an update's type, a
send's outcome, a supporter's status): never a user id, a chat id or a text, so a scrape
shows how much happens and never to whom.

Each application has a registry of its own rather than prometheus-client's global one:
several applications in one process (the tests) would otherwise register the same names.
"""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from telegram import Update

from bot.clock import Clock, SystemClock


class UpdateKind(StrEnum):
    MESSAGE = "message"
    COMMAND = "command"
    CALLBACK_QUERY = "callback_query"
    MY_CHAT_MEMBER = "my_chat_member"
    EDITED_MESSAGE = "edited_message"
    OTHER = "other"


class SendOutcome(StrEnum):
    """A bulk send's answer from Telegram: sent, blocked (403), failed (after its retries),
    throttled (a 429: everyone paused, and the send tried again)."""

    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    THROTTLED = "throttled"


# Handling seconds: a reply is a few milliseconds of work plus a round trip to Telegram; a
# storm's replies wait their turn in the sending budget for up to minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)


def update_kind(update: object) -> UpdateKind:
    """The type an update is counted under; a command is a message starting with "/"."""
    if not isinstance(update, Update):
        return UpdateKind.OTHER
    message = update.message
    if message is not None:
        text = message.text
        return UpdateKind.COMMAND if text and text[0] == "/" else UpdateKind.MESSAGE
    if update.callback_query is not None:
        return UpdateKind.CALLBACK_QUERY
    if update.my_chat_member is not None:
        return UpdateKind.MY_CHAT_MEMBER
    if update.edited_message is not None:
        return UpdateKind.EDITED_MESSAGE
    return UpdateKind.OTHER


class Metrics:
    """The counters the code bumps as things happen, and the gauges /metrics sets from the
    database and the scheduler when it is scraped."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self.registry = registry = CollectorRegistry()
        # The process's CPU seconds, resident memory and open files, as the default registry
        # would show them.
        ProcessCollector(registry=registry)
        updates = Counter(
            "muster_updates_handled", "Updates handled, by type.", ["type"], registry=registry
        )
        latency = Histogram(
            "muster_update_handling_seconds",
            "Seconds from an update's turn to the end of its handling, by type.",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        # Each label's child looked up once: per update only the increments are paid.
        self._handled = {kind: (updates.labels(kind), latency.labels(kind)) for kind in UpdateKind}
        sends = Counter(
            "muster_sends",
            "Bulk sends by Telegram's answer: sent, blocked (403), failed, throttled (429).",
            ["outcome"],
            registry=registry,
        )
        self._sends = {outcome: sends.labels(outcome) for outcome in SendOutcome}
        self.broadcasts_running = Gauge(
            "muster_broadcasts_running", "Broadcasts being delivered.", registry=registry
        )
        self.broadcast_queue = Gauge(
            "muster_broadcast_queue_depth",
            "Recipients still to be sent to, over every broadcast being delivered.",
            registry=registry,
        )
        self.broadcast_lag = Gauge(
            "muster_broadcast_lag_seconds",
            "Seconds since the oldest broadcast with recipients still waiting began (0: none).",
            registry=registry,
        )
        self.supporters = Gauge(
            "muster_supporters",
            "Supporters by status (counted at most once a minute).",
            ["status"],
            registry=registry,
        )
        self.scheduled_jobs = Gauge(
            "muster_scheduled_jobs", "Timers armed in the job queue.", registry=registry
        )
        self.telegram_silence = Gauge(
            "muster_telegram_silent_seconds",
            "Seconds since Telegram last answered a call.",
            registry=registry,
        )
        self.last_update_at: float | None = None  # Unix seconds, from the injected clock

    def update_handled(self, update: object, seconds: float) -> None:
        count, latency = self._handled[update_kind(update)]
        count.inc()
        latency.observe(seconds)
        self.last_update_at = self._clock.now()

    def sent(self, outcome: SendOutcome) -> None:
        self._sends[outcome].inc()
