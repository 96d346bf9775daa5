"""The catalog: both languages complete, valid Telegram HTML, values escaped."""

from __future__ import annotations

import re

import pytest

from bot.i18n import CATALOG, Html, joined, language_for, t
from simulator.html import parse_html

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_key_exists_in_both_languages() -> None:
    """A key missing in either language fails here rather than in front of a supporter."""
    assert set(CATALOG["en"]) == set(CATALOG["es"])


@pytest.mark.parametrize("key", sorted(CATALOG["en"]))
def test_translations_take_the_same_values(key: str) -> None:
    """Both languages insert the same values, so neither raises KeyError at run time."""
    assert set(PLACEHOLDER.findall(CATALOG["en"][key])) == set(
        PLACEHOLDER.findall(CATALOG["es"][key])
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_is_html_telegram_accepts(language: str) -> None:
    """Each text, filled with hostile values, parses as Telegram HTML."""
    for key, template in CATALOG[language].items():
        values = dict.fromkeys(PLACEHOLDER.findall(template), "<b>&x</b>")
        parse_html(t(language, key, **values))


def test_values_are_escaped_unless_already_html() -> None:
    """Inserted values are escaped; Html fragments built by joined() are trusted."""
    assert t("en", "subscribed", city="<i>&") == "✅ You now follow <b>&lt;i&gt;&amp;</b>."
    assert t("en", "my_cities", cities=joined(["A<", "B"], bold=True)) == (
        "You follow: <b>A&lt;</b>, <b>B</b>."
    )
    assert t("en", "my_cities", cities=Html("<i>x</i>")) == "You follow: <i>x</i>."


@pytest.mark.parametrize(
    ("code", "language"),
    [("es", "es"), ("es-419", "es"), ("ES", "es"), ("en-GB", "en"), ("pt-BR", "en"), (None, "en")],
)
def test_language_from_telegram_code(code: str | None, language: str) -> None:
    """Spanish for es-* codes, English for everything else."""
    assert language_for(code) == language
