"""The links people open: t.me/<bot>?start=<payload> for a city, an invite or campaign code,
an action or a petition."""

from __future__ import annotations

from telegram.helpers import create_deep_linked_url


def deep_link(bot_username: str, payload: str) -> str:
    return create_deep_linked_url(bot_username, payload)


def invite_payload(code: str) -> str:
    return f"ref-{code}"


def city_payload(slug: str) -> str:
    return f"city-{slug}"
