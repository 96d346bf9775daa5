"""Translations: every user-facing text in every language of `locales/`, as HTML with escaped
values. Each language is one gettext catalog (`locales/xx.po`) read once at start-up with Babel;
the languages Muster speaks are the files that folder holds."""

from __future__ import annotations

import gettext
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from babel import Locale
from babel.core import get_global, parse_locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

# The language of the source texts (each msgid), spoken to anyone whose language Muster lacks.
DEFAULT_LANGUAGE: Final = "en"
# The value that picks a plural entry's form, as n does for gettext's ngettext.
COUNT: Final = "count"

Forms = tuple[str, ...]


class CatalogError(Exception):
    """A catalog file Muster cannot use; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's texts, read from its .po file."""

    language: str
    locale: Locale
    # Each key's text, or for a plural entry its forms in the order Plural-Forms numbers them.
    texts: dict[str, str | Forms]
    # Which form a number takes: the catalog's Plural-Forms expression.
    plural: Callable[[int], int]
    # The language and script the catalog is written in, as language_for matches them.
    written_in: tuple[str, str | None] | None


def read_catalog(file: Traversable) -> Catalog:
    """A catalog from a .po file: msgctxt is the key, msgstr the text. An entry not translated
    yet (empty or fuzzy) is left out, so the key falls back to English; in the English catalog
    itself every msgstr is empty and the msgid is the text."""
    language = file.name.removesuffix(".po")
    with file.open("rb") as po:
        parsed = read_po(po, ignore_obsolete=True, abort_invalid=True)
    locale = parsed.locale or Locale.parse(language)
    # The form a count takes is the header's Plural-Forms, not CLDR's rules read directly: the
    # header is what numbers the msgstr[n] a translator's tool shows (test_languages checks it
    # agrees with CLDR). c2py is the standard library's reader of it, the one gettext's own
    # translations use; it admits nothing but n and C operators.
    try:
        plural = gettext.c2py(parsed.plural_expr)
    except ValueError as error:
        raise CatalogError(f"{file.name}: Plural-Forms: {error}") from error
    texts: dict[str, str | Forms] = {}
    for message in parsed:
        if not message.id:
            continue  # the header
        if message.context is None:
            raise CatalogError(f"{file.name}: {message.id!r} has no msgctxt (its key)")
        text = _text(message.id, message.string, parsed.num_plurals, language)
        if text is not None and not message.fuzzy:
            texts[message.context] = text
    return Catalog(language, locale, texts, plural, _language_and_script(str(locale)))


def _text(
    msgid: str | Iterable[str], msgstr: str | Iterable[str] | None, forms: int, language: str
) -> str | Forms | None:
    """An entry's text or plural forms; None while it is not (wholly) translated."""
    if isinstance(msgid, str):
        if isinstance(msgstr, str) and msgstr:
            return msgstr
        return msgid if language == DEFAULT_LANGUAGE else None
    translated = tuple(msgstr or ())
    if translated and all(translated) and len(translated) == forms:
        return translated
    return tuple(msgid) if language == DEFAULT_LANGUAGE else None


def _language_and_script(tag: str) -> tuple[str, str | None] | None:
    """The language and its script, the script taken from CLDR's likely subtags when the tag
    leaves it out ("zh-tw" is written in Hant, "zh" and "zh-sg" in Hans)."""
    try:
        language, territory, script, *_ = parse_locale(tag.replace("-", "_"))
    except ValueError:
        return None
    if script is None:
        likely = get_global("likely_subtags")
        guess: str | None = likely.get(f"{language}_{territory}") or likely.get(language)
        if guess is not None:
            script = parse_locale(guess)[2]
    return language, script


def read_catalogs() -> dict[str, Catalog]:
    """Every catalog of the locales folder, by language code (the file name)."""
    folder = resources.files("bot") / "locales"
    catalogs = [read_catalog(file) for file in folder.iterdir() if file.name.endswith(".po")]
    by_language = {catalog.language: catalog for catalog in catalogs}
    if DEFAULT_LANGUAGE not in by_language:
        raise CatalogError(f"locales/{DEFAULT_LANGUAGE}.po, the source texts, is missing")
    return by_language


CATALOGS: Final = read_catalogs()
# The default first, then the others by code: the order of the language buttons.
LANGUAGES: Final = tuple(sorted(CATALOGS, key=lambda code: (code != DEFAULT_LANGUAGE, code)))


class Html(str):
    """A fragment that is HTML already (built from escaped parts); inserted as it is."""

    __slots__ = ()


class Grouped(int):
    """A whole number shown with its language's digit grouping ("250,000", "250.000"); still
    an int, so it picks a plural form as `count`."""

    shown: str

    def __new__(cls, value: int, language: str) -> Grouped:
        number = super().__new__(cls, value)
        number.shown = format_decimal(value, locale=locale_of(language))
        return number

    def __str__(self) -> str:
        return self.shown


def language_for(telegram_code: str | None) -> str:
    """The language Muster speaks that fits Telegram's language_code (an IETF tag such as
    "es-419" or "zh-hans"): same language, and same script where the language is written in
    more than one (Simplified Chinese is no answer to "zh-hant"); else the default."""
    wanted = _language_and_script(telegram_code or "")
    if wanted is None:
        return DEFAULT_LANGUAGE
    for language in LANGUAGES:
        if CATALOGS[language].written_in == wanted:
            return language
    return DEFAULT_LANGUAGE


def language_name(language: str) -> str:
    """The language's name in itself, for its button: "English", "Español", "العربية"."""
    locale = CATALOGS[language].locale
    # CLDR names some tags whole ("简体中文" for zh_Hans) better than language + script.
    name = locale.languages.get(str(locale)) or locale.get_display_name() or language
    return name[:1].upper() + name[1:]


def locale_of(language: str) -> Locale:
    """The Babel locale that formats dates for readers of this language."""
    return CATALOGS.get(language, CATALOGS[DEFAULT_LANGUAGE]).locale


def t(language: str, key: str, /, **values: object) -> str:
    """The text for key in language, with every value escaped unless it is Html. A plural
    entry takes the form the language uses for `count`. A key the language lacks comes in
    English."""
    catalog = CATALOGS.get(language, CATALOGS[DEFAULT_LANGUAGE])
    if key not in catalog.texts:
        catalog = CATALOGS[DEFAULT_LANGUAGE]
    template = catalog.texts[key]
    if not isinstance(template, str):
        # A missing count is a mistake in the code: KeyError, as for any missing value.
        count = values[COUNT]
        if not isinstance(count, int):
            raise TypeError(f"{key}: count must be an int, not {count!r}")
        template = template[catalog.plural(count)]
    # Always formatted: a forgotten value fails loudly here rather than reaching people as
    # a literal "{when}".
    return template.format(**{name: _escaped(value) for name, value in values.items()})


def ordinal(language: str, number: int) -> Html:
    """A place in a line as the language writes it: "1st", "2nd", "3rd", "11th" in English,
    "2.º" in Spanish, "第2" in Chinese. Gettext's plural forms count things and cannot tell
    2nd from 3rd, so CLDR's ordinal rules (Babel) name the number's category and the catalog's
    ordinal_<category> text writes it; a category the catalog has no text for takes
    ordinal_other."""
    catalog = CATALOGS.get(language, CATALOGS[DEFAULT_LANGUAGE])
    key = f"ordinal_{catalog.locale.ordinal_form(number)}"
    return Html(t(language, key if key in catalog.texts else "ordinal_other", n=number))


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
