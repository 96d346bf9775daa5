"""A lean Bot API client for bulk sends: aiohttp, one pooled session, plain JSON.

python-telegram-bot's default transport (httpx) and its object model cost more CPU per
message than a broadcast of 250,000 can afford on a small server; replies to people still
go through python-telegram-bot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.pulse import Pulse


@dataclass(frozen=True, slots=True)
class Reply:
    """Telegram's answer: ok with a result, or an error code, description and retry_after."""

    status: int
    ok: bool
    result: Any = None
    description: str = ""
    retry_after: float | None = None


class TransportError(Exception):
    """No answer from the Bot API: connection refused or reset, or a timeout."""


class BotApiClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        connections: int = 64,
        timeout: float = 30.0,
        pulse: Pulse | None = None,
    ) -> None:
        self._base = f"{api_url}/bot{token}/"
        self._pulse = pulse
        self._token = token
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, json_serialize=json.dumps
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, payload: dict[str, Any], *, within: float | None = None
    ) -> Reply:
        """within: seconds to wait for this answer, instead of the client's (a long poll
        waits longer)."""
        if self._session is None:
            raise TransportError("the Bot API client is not open")
        limit = self._timeout if within is None else aiohttp.ClientTimeout(total=within)
        try:
            async with self._session.post(
                self._base + method, json=payload, timeout=limit
            ) as response:
                body = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as error:
            # aiohttp's messages can include the URL, and the URL includes the token.
            reason = f"{type(error).__name__}: {error}".replace(self._token, "<token>")
            raise TransportError(reason) from None
        reply = _parse(status, body)
        if reply.ok and self._pulse is not None:
            self._pulse.heard()
        return reply


def _parse(status: int, body: bytes) -> Reply:
    try:
        data = json.loads(body)
    except ValueError:
        return Reply(status, ok=False, description=f"HTTP {status} with a body that is not JSON")
    if not isinstance(data, dict):
        return Reply(status, ok=False, description=f"HTTP {status} with an unexpected body")
    if data.get("ok") is True:
        return Reply(status, ok=True, result=data.get("result"))
    parameters = data.get("parameters") or {}
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return Reply(
        status=int(data.get("error_code") or status),
        ok=False,
        description=str(data.get("description") or f"HTTP {status}"),
        retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
    )
