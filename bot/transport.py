"""python-telegram-bot's requests (replies, edits, getUpdates) over aiohttp.

Its default transport, httpx, spends several times the CPU of aiohttp per request (measured
in bench/signup.py); in a storm of sign-ups every reply pays it. BaseRequest is
python-telegram-bot's documented way to bring another HTTP client; the delivery engine's
BotApiClient already uses aiohttp.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.pulse import Pulse

FORM = "application/x-www-form-urlencoded"


class AiohttpRequest(BaseRequest):
    """One pooled aiohttp session; timeouts as python-telegram-bot's own defaults."""

    def __init__(
        self,
        token: str,
        *,
        connections: int = 256,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
        pulse: Pulse | None = None,
    ) -> None:
        self._token = token
        self._pulse = pulse
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        write = _chosen(write_timeout, self._media_write_timeout if files else self._write_timeout)
        read = _chosen(read_timeout, self._read_timeout)
        connect = _chosen(connect_timeout, self._connect_timeout)
        pool = _chosen(pool_timeout, self._pool_timeout)
        # aiohttp has no separate write timeout: the body is written while the read timer
        # runs, so a large upload gets the longer of the two.
        timeout = aiohttp.ClientTimeout(
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=None if read is None or write is None else max(read, write),
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data, files),
                timeout=timeout,
                headers={"User-Agent": self.USER_AGENT},
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError:
            # Not chained: aiohttp's timeout names the URL, and the URL holds the token.
            raise TimedOut from None
        except aiohttp.ClientError as error:
            # aiohttp's messages can include the URL, and the URL includes the token.
            reason = f"aiohttp.{type(error).__name__}: {error}".replace(self._token, "<token>")
            raise NetworkError(reason) from None
        if status == 200 and self._pulse is not None:
            self._pulse.heard()
        return status, body


def _chosen(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None, files: dict[str, Any]) -> Any:
    """Form fields as Telegram takes them; multipart when a file goes along."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        # Encoded here: aiohttp's FormData costs several times more for the same bytes.
        body = request_data.url_encoded_parameters().encode()
        return aiohttp.BytesPayload(body, content_type=FORM) if fields else None
    # File names as Telegram shows them, not percent-encoded.
    form = aiohttp.FormData(fields, quote_fields=False)
    for name, content in files.items():
        if isinstance(content, tuple):
            filename, data, mimetype = content
            form.add_field(name, data, filename=filename, content_type=mimetype)
        else:
            form.add_field(name, content, filename=name)
    return form
