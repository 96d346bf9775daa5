"""Durations as people write them in settings: 90s, 15m, 2h, 1d."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DURATION = re.compile(r"(\d+)\s*([smhd])")


def parse_duration(text: str) -> timedelta:
    """One number and a unit; a bare number counts as seconds."""
    text = text.strip().lower()
    if text.isdigit():
        return timedelta(seconds=int(text))
    match = DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a duration like 90s, 15m, 2h or 1d, got {text!r}")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def parse_durations(text: str) -> tuple[timedelta, ...]:
    """A comma-separated list, like 24h,2h."""
    return tuple(parse_duration(part) for part in text.split(",") if part.strip())
