"""Bot API calls whose answer nobody reads (edits of a pressed message), sent as plain JSON.

Through python-telegram-bot an edit builds a request object and parses Telegram's answer, the
whole edited message, into objects nobody reads: a third of the CPU of an RSVP press in
bench/signup.py's profile. Here they go through the delivery engine's lean client, under the
same InteractiveRateLimiter as every reply (the shared budget, each chat's 429), and a refusal
raises the exception python-telegram-bot would (BadRequest, Forbidden, RetryAfter...), so
callers handle both paths alike.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.botapi import BotApiClient, Reply, TransportError
from bot.ratelimit import InteractiveRateLimiter


class PlainCalls:
    def __init__(self, client: BotApiClient, limiter: InteractiveRateLimiter) -> None:
        self._client = client
        self._limiter = limiter

    async def open(self) -> None:
        await self._client.open()

    async def close(self) -> None:
        await self._client.close()

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        """Telegram's result; raises as python-telegram-bot would on a refusal."""
        return await self._limiter.process_request(
            self._send, (method, payload), {}, method, payload, None
        )

    async def _send(self, method: str, payload: dict[str, Any]) -> Any:
        try:
            reply = await self._client.call(method, payload)
        except TransportError as error:
            raise NetworkError(str(error)) from None
        if reply.ok:
            return reply.result
        raise refusal(reply)


def refusal(reply: Reply) -> TelegramError:
    """The exception python-telegram-bot raises for this answer (its _request_wrapper)."""
    if reply.status == 429 and reply.retry_after is not None:
        return RetryAfter(timedelta(seconds=reply.retry_after))
    kinds: dict[int, type[TelegramError]] = {
        400: BadRequest,
        401: InvalidToken,
        403: Forbidden,
        404: InvalidToken,
        409: Conflict,
    }
    return kinds.get(reply.status, NetworkError)(reply.description)
