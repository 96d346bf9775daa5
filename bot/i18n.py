"""Translations: every user-facing text, in English and Spanish, as HTML with escaped values."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Final

from bot.locales import en, es

LANGUAGES: Final = ("en", "es")
DEFAULT_LANGUAGE: Final = "en"
CATALOG: Final[dict[str, dict[str, str]]] = {"en": en.TEXTS, "es": es.TEXTS}


class Html(str):
    """A fragment that is HTML already (built from escaped parts); inserted as it is."""

    __slots__ = ()


def language_for(telegram_code: str | None) -> str:
    """Spanish for any es-* code Telegram reports, English otherwise."""
    if telegram_code and telegram_code.lower().startswith("es"):
        return "es"
    return DEFAULT_LANGUAGE


def t(language: str, key: str, /, **values: object) -> str:
    """The text for key in language, with every value escaped unless it is Html."""
    template = CATALOG.get(language, CATALOG[DEFAULT_LANGUAGE])[key]
    # Always formatted: a forgotten value fails loudly here rather than reaching people as
    # a literal "{when}".
    return template.format(**{name: _escaped(value) for name, value in values.items()})


def _escaped(value: object) -> str:
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


def clipped(value: str, limit: int = 64) -> str:
    """What the user typed, cut to `limit` characters and "…" where longer: echoed back in
    a reply, a long argument would otherwise push it past Telegram's 4096 characters."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def joined(items: Iterable[str], *, bold: bool = False, limit: int = 60) -> Html:
    """Escapes and joins names into one fragment, for lists such as the followed cities. Past
    `limit` names it ends in "…", so a reply stays within Telegram's 4096 characters."""
    names = list(items)
    parts = [html.escape(item, quote=False) for item in names[:limit]]
    if bold:
        parts = [f"<b>{part}</b>" for part in parts]
    if len(names) > limit:
        parts.append("…")
    return Html(", ".join(parts))


def chunked(lines: Iterable[str], budget: int = 3500) -> list[Html]:
    """Groups lines of HTML into fragments that each fit one message with room to spare."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if chunks[-1] and size + len(line) + 1 > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    return [Html("\n".join(chunk)) for chunk in chunks if chunk]
