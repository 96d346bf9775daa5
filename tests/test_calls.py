"""Edits sent as plain JSON fail as python-telegram-bot's own calls would, so the handlers'
error handling (a blocked person, a stale message, Telegram's pace) covers both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.botapi import Reply
from bot.calls import refusal


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, BadRequest), (403, Forbidden), (500, NetworkError), (502, NetworkError)],
)
def test_a_refusal_raises_what_python_telegram_bot_raises(
    status: int, kind: type[TelegramError]
) -> None:
    error = refusal(Reply(status, ok=False, description="Bad Request: message to edit not found"))
    assert type(error) is kind
    assert "to edit not found" in error.message


def test_a_429_carries_its_wait() -> None:
    error = refusal(Reply(429, ok=False, description="Too Many Requests", retry_after=7))
    assert isinstance(error, RetryAfter)
    assert error.retry_after == timedelta(seconds=7)
