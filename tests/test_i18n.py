"""t() and its helpers: valid Telegram HTML in every language, values escaped, plural forms by
the count, Telegram's language codes mapped to the languages Muster speaks."""

from __future__ import annotations

import re

import pytest

from bot.i18n import CATALOGS, COUNT, LANGUAGES, Html, joined, language_for, language_name, t
from simulator.html import parse_html

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_html_telegram_accepts(language: str) -> None:
    """Each text, every plural form included, filled with hostile values parses as Telegram
    HTML."""
    for key, template in CATALOGS[language].texts.items():
        forms = (template,) if isinstance(template, str) else template
        values: dict[str, object] = {
            name: "<b>&x</b>" for form in forms for name in PLACEHOLDER.findall(form)
        }
        if not isinstance(template, str):
            for count in range(120):  # reaches every form of every language here
                parse_html(t(language, key, **{**values, COUNT: count}))
        else:
            parse_html(t(language, key, **values))


def test_values_are_escaped_unless_already_html() -> None:
    """Inserted values are escaped; Html fragments built by joined() are trusted."""
    assert t("en", "subscribed", city="<i>&") == "✅ You now follow <b>&lt;i&gt;&amp;</b>."
    assert t("en", "my_cities", cities=joined(["A<", "B"], bold=True)) == (
        "You follow: <b>A&lt;</b>, <b>B</b>."
    )
    assert t("en", "my_cities", cities=Html("<i>x</i>")) == "You follow: <i>x</i>."
    assert t("ar", "subscribed", city="<i>&") == "✅ أصبحت تتابع <b>&lt;i&gt;&amp;</b>."


@pytest.mark.parametrize(
    ("count", "english", "spanish"),
    [
        (0, "to 0 supporters.", "a 0 personas."),
        (1, "to 1 supporter.", "a 1 persona."),
        (2, "to 2 supporters.", "a 2 personas."),
    ],
)
def test_a_count_picks_the_plural_form(count: int, english: str, spanish: str) -> None:
    """One supporter is a supporter, not "1 supporters", in English and in Spanish."""
    assert t("en", "broadcast_started", id=7, count=count) == (
        f"Broadcast #7 is on its way {english}"
    )
    assert t("es", "broadcast_started", id=7, count=count) == f"El aviso #7 va en camino {spanish}"


@pytest.mark.parametrize(
    ("count", "arabic"),
    [
        (0, "☝️ هكذا ستبدو، لكن لا يوجد الآن أي متابع ليراها. هل تنشرها؟"),
        (1, "☝️ هكذا سيراها متابع واحد. هل تنشرها؟"),
        (2, "☝️ هكذا سيراها متابعان. هل تنشرها؟"),
        (3, "☝️ هكذا سيراها 3 متابعين. هل تنشرها؟"),
        (10, "☝️ هكذا سيراها 10 متابعين. هل تنشرها؟"),
        (11, "☝️ هكذا سيراها 11 متابعًا. هل تنشرها؟"),
        (99, "☝️ هكذا سيراها 99 متابعًا. هل تنشرها؟"),
        (100, "☝️ هكذا سيراها 100 متابع. هل تنشرها؟"),
        (103, "☝️ هكذا سيراها 103 متابعين. هل تنشرها؟"),
        (1011, "☝️ هكذا سيراها 1011 متابعًا. هل تنشرها؟"),
    ],
)
def test_arabic_takes_all_six_plural_forms(count: int, arabic: str) -> None:
    """Arabic says zero, one, two, a few (3-10), many (11-99) and a hundred differently."""
    assert t("ar", "newaction_confirm", count=count) == arabic


def test_chinese_and_vietnamese_have_one_form_for_every_count() -> None:
    """Languages that do not inflect for number use their one form with the number in it."""
    assert t("zh", "newaction_confirm", count=1) == "☝️ 1 位关注者将看到这样的内容。发布吗？"
    assert t("vi", "newaction_confirm", count=21) == (
        "☝️ 21 người theo dõi sẽ thấy như thế này. Công bố chứ?"
    )


def test_a_plural_text_without_its_count_fails_loudly() -> None:
    """Forgetting the count is a KeyError, like any other forgotten value."""
    with pytest.raises(KeyError):
        t("en", "newaction_confirm")


def test_an_unknown_language_reads_english() -> None:
    """A language code with no catalog (a row from some older release) gets English."""
    assert t("xx", "language_set") == "Done: I'll write to you in English."


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("es", "es"),
        ("es-419", "es"),
        ("ES", "es"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        (None, "en"),
        ("", "en"),
        ("ar", "ar"),
        ("ar-EG", "ar"),
        ("vi", "vi"),
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-cn", "zh"),
        ("zh-sg", "zh"),
        ("zh-hant", "en"),
        ("zh-tw", "en"),
        ("zh-hk", "en"),
        ("not a tag", "en"),
    ],
)
def test_language_from_telegram_code(code: str | None, language: str) -> None:
    """A Telegram code maps to the catalog of its language and script (Simplified Chinese only
    for Simplified), English for everything else."""
    assert language_for(code) == language


def test_each_language_is_named_in_itself() -> None:
    """Language buttons name each language as its speakers write it, from CLDR."""
    names = {"en": "English", "es": "Español", "ar": "العربية", "zh": "简体中文"}
    names["vi"] = "Tiếng Việt"
    assert {language: language_name(language) for language in names} == names
