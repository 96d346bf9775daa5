"""Logging set-up; the bot token never reaches a log line (HTTP clients log request URLs,
and every Bot API URL contains the token)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

PLACEHOLDER = "<token>"


def configure_logging(level: int, token: str | None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request (URL with token) at INFO; only its warnings are worth reading.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    if token:
        redact(token)


def redact(secret: str) -> Callable[..., logging.LogRecord]:
    """Makes every log record, from any library and for any handler, carry the placeholder
    instead of the secret. Done where records are made, so no handler can miss it. Returns
    the factory it replaced."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        if secret in message:
            record.msg, record.args = message.replace(secret, PLACEHOLDER), None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if secret in text:
                # The formatter prints exc_text when exc_info is gone.
                record.exc_text, record.exc_info = text.replace(secret, PLACEHOLDER), None
        return record

    logging.setLogRecordFactory(factory)
    return previous


@contextmanager
def redacting(secret: str) -> Iterator[None]:
    """redact() for a limited time, as tests need."""
    previous = redact(secret)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
