"""Logging set-up; the bot token never reaches a log line (HTTP clients log request URLs,
and every Bot API URL contains the token)."""

from __future__ import annotations

import logging
import re
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


def hide(text: str, secret: str | None) -> str:
    """The text with the secret replaced by the placeholder, in any letter case: some messages
    change it (python-telegram-bot capitalizes error descriptions, lowering the rest)."""
    if not secret:
        return text
    return re.sub(re.escape(secret), PLACEHOLDER, text, flags=re.IGNORECASE)


def redact(secret: str) -> Callable[..., logging.LogRecord]:
    """Makes every log record, from any library and for any handler, carry the placeholder
    instead of the secret. Done where records are made, so no handler can miss it. Returns
    the factory it replaced."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_message(record, secret)
        _redact_exception(record, secret)
        return record

    logging.setLogRecordFactory(factory)
    return previous


def _redact_message(record: logging.LogRecord, secret: str) -> None:
    try:
        message = record.getMessage()
    except Exception:
        # Arguments that do not fit the format. Raising here would break the library's call;
        # logging reports such a record when it is emitted, printing msg and args, so those
        # are what must not carry the secret.
        message = _parts_of(record)
    hidden = hide(message, secret)
    if hidden != message:
        record.msg, record.args = hidden, None


def _parts_of(record: logging.LogRecord) -> str:
    try:
        return f"{record.msg} {record.args!r}"
    except Exception:
        # Unprintable parts: logging's own report cannot print them either, so nothing leaks.
        return ""


def _redact_exception(record: logging.LogRecord, secret: str) -> None:
    if not record.exc_info or record.exc_info[1] is None:
        return
    text = logging.Formatter().formatException(record.exc_info)
    hidden = hide(text, secret)
    if hidden != text:
        # The formatter prints exc_text when exc_info is gone.
        record.exc_text, record.exc_info = hidden, None


@contextmanager
def redacting(secret: str) -> Iterator[None]:
    """redact() for a limited time, as tests need."""
    previous = redact(secret)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
