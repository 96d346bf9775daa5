"""Counts of people as Muster shows them: a group smaller than five is "fewer than 5", so no
one can be singled out through a small city, a quiet day or a link handed to one person."""

from __future__ import annotations

from bot.i18n import Grouped, t

SMALLEST_GROUP = 5


def group_count(count: int, language: str) -> str:
    """The count in the reader's digits, or "fewer than 5" (translated) for a smaller group,
    none at all included: a zero next to a "fewer than 5" would tell the two apart."""
    if count < SMALLEST_GROUP:
        return t(language, "fewer_than_5")
    return str(Grouped(count, language))


def plain_count(count: int, few: str) -> str | int:
    """For a spreadsheet: the count as bare digits, or `few` (the translated "fewer than 5")
    for a smaller group."""
    return few if count < SMALLEST_GROUP else count
