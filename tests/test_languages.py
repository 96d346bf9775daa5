"""Languages as data: every catalog complete and consistent with English, plurals and dates by
each language's rules, and supporters who speak Arabic, Chinese or Vietnamese served in it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import tokenize_pattern
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.context import MusterApp
from bot.i18n import CATALOGS, COUNT, DEFAULT_LANGUAGE, LANGUAGES, Html, joined, t
from bot.localtime import show
from simulator.driver import SimUser
from simulator.html import parse_html, utf16_len
from simulator.server import BotApiSimulator
from storage import Database
from storage import actions as action_store
from storage import cities as city_store
from storage import supporters as supporter_store
from storage.cities import City
from tests.conftest import followers

PLACEHOLDER = re.compile(r"\{(\w+)\}")
FOLDER = resources.files("bot") / "locales"
TRANSLATIONS = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
SEATTLE = ZoneInfo("America/Los_Angeles")
# A Tuesday in January, in Seattle: 2031-01-14 17:30 PST.
TUESDAY = int(datetime(2031, 1, 14, 17, 30, tzinfo=SEATTLE).timestamp())


def read(language: str) -> Catalog:
    """The catalog file as a translator's tool sees it, untranslated entries included."""
    with (FOLDER / f"{language}.po").open("rb") as po:
        return read_po(po)


def forms(string: str | Iterable[str] | None) -> tuple[str, ...]:
    """An entry's text, or its plural forms, as a tuple."""
    if string is None:
        return ()
    return (string,) if isinstance(string, str) else tuple(string)


def placeholders(texts: tuple[str, ...]) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def entries(catalog: Catalog) -> dict[str, Message]:
    """The catalog's entries by key (msgctxt), the header left out."""
    return {message.context: message for message in catalog if message.id and message.context}


ENGLISH = entries(read(DEFAULT_LANGUAGE))


# --- The catalogs -----------------------------------------------------------------------------


def test_the_languages_are_the_files_in_the_catalog_folder() -> None:
    """LANGUAGES is what bot/locales holds, English first: adding a file adds a language."""
    files = [entry.name for entry in FOLDER.iterdir() if entry.name.endswith(".po")]
    assert sorted(LANGUAGES) == sorted(name.removesuffix(".po") for name in files)
    assert LANGUAGES[0] == DEFAULT_LANGUAGE
    assert {"en", "es", "ar", "zh", "vi"} <= set(LANGUAGES)


def test_english_is_the_source_every_translation_starts_from() -> None:
    """In en.po each msgid is the text and each msgstr empty, so a copy of it is a catalog with
    every text still to translate."""
    assert ENGLISH
    assert all(not any(forms(message.string)) for message in ENGLISH.values())


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_catalog_translates_every_current_english_text(language: str) -> None:
    """Each catalog has every key, for the English text as it is now (not an older wording),
    translated, not fuzzy, and with as many plural forms as its Plural-Forms header says."""
    catalog = read(language)
    messages = entries(catalog)
    assert sorted(messages) == sorted(ENGLISH)
    problems = []
    for key, message in messages.items():
        translated = forms(message.string)
        if message.id != ENGLISH[key].id:
            problems.append(f"{key}: msgid differs from en.po's (English changed?)")
        if message.fuzzy:
            problems.append(f"{key}: fuzzy")
        if not all(translated):
            problems.append(f"{key}: not translated")
        if message.pluralizable and len(translated) != catalog.num_plurals:
            problems.append(f"{key}: {len(translated)} forms, not {catalog.num_plurals}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_take_the_same_values_as_english(language: str) -> None:
    """Every form of every text inserts exactly the values the English one does, so none
    raises KeyError or drops a value; only a plural form used for a single number (Arabic's
    zero, one and two) may spell its number out instead of inserting {count}."""
    plural = CATALOGS[language].plural
    numbers_per_form: dict[int, int] = {}
    for number in range(10_000):
        numbers_per_form[plural(number)] = numbers_per_form.get(plural(number), 0) + 1
    problems = []
    for key, message in entries(read(language)).items():
        expected = placeholders(forms(message.id))
        for index, form in enumerate(forms(message.string)):
            found = placeholders((form,))
            spelled_out = message.pluralizable and numbers_per_form.get(index) == 1
            if found != expected and not (spelled_out and found == expected - {COUNT}):
                problems.append(f"{key}[{index}]: {sorted(found)}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_header_agrees_with_cldr(language: str) -> None:
    """The Plural-Forms header numbers exactly the forms CLDR's plural rules tell apart, so a
    header copied from another language (two forms for Arabic, say) fails here."""
    catalog = read(language)
    rule = Locale.parse(str(catalog.locale)).plural_form
    plural = CATALOGS[language].plural
    pairs = {(plural(number), rule(number)) for number in range(10_000)}
    indexes = {index for index, _ in pairs}
    categories = {category for _, category in pairs}
    assert indexes == set(range(catalog.num_plurals))
    assert len(pairs) == len(indexes) == len(categories)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_pattern_shows_the_zone(language: str) -> None:
    """A time without its zone would be ambiguous across cities: each pattern places z."""
    tokens = tokenize_pattern(t(language, "datetime_pattern"))
    assert ("field", ("z", 1)) in tokens


# --- Texts and dates with real values ---------------------------------------------------------

REAL: dict[str, object] = {
    "city": "Seattle",
    "cities": joined(["Seattle", "New York"], bold=True),
    "slugs": Html("<code>tacoma</code>"),
    "query": "Tacoma",
    "when": show(TUESDAY, SEATTLE, DEFAULT_LANGUAGE),
    "zone": "America/Los_Angeles",
    "title": "Vigil for the river",
    "place": "Gas Works Park",
    "details": "Bring a candle",
    "link": "https://t.me/muster_bot?start=action-12",
    "preview": "Rally at noon",
    "state": "done",
    "lines": Html("<code>42</code>: Seattle"),
    "last": show(TUESDAY, SEATTLE, DEFAULT_LANGUAGE),
    "eta": "3m 05s",
    "rate": "24.8",
    "name": "Seattle",
    "slug": "seattle",
    "timezone": "America/Los_Angeles",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_fills_in_real_values_in_every_language(language: str) -> None:
    """Every text of every language, given the values the bot passes, reads as Telegram HTML
    with each value in it; numbers go where counts and ids go."""
    for key in ENGLISH:
        english = ENGLISH[key]
        values = {name: REAL.get(name, 12) for name in placeholders(forms(english.id))}
        text, _ = parse_html(t(language, key, **values))
        for name, value in values.items():
            assert parse_html(str(value))[0] in text, (key, name)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Tue 14 Jan, 17:30 PST"),
        ("es", "mar 14 ene, 17:30 PST"),
        ("ar", "الثلاثاء، 14 يناير، 17:30 PST"),
        ("zh", "1月14日周二 17:30 PST"),
        ("vi", "17:30 PST, Th 3, 14 thg 1"),
    ],
)
def test_dates_read_the_way_each_language_writes_them(language: str, shown: str) -> None:
    """Day and month names come from CLDR in the reader's language, in the order that language
    writes a date, with the city's zone abbreviation."""
    assert show(TUESDAY, SEATTLE, language) == shown


def test_spanish_september_is_cldrs_sept() -> None:
    """Babel's Spanish abbreviation for September is "sept", as the old hand-written table had."""
    assert show(datetime(2031, 9, 9, 6, 0, tzinfo=SEATTLE), SEATTLE, "es") == (
        "mar 9 sept, 06:00 PDT"
    )


# --- Stories through the simulator ------------------------------------------------------------


async def test_arabic_text_with_values_keeps_its_html_through_telegram(
    sim: BotApiSimulator, db: Database
) -> None:
    """A right-to-left reply with a city name full of markup characters arrives as Telegram
    parses it: the name intact, in bold exactly over the name."""
    name = "Río <Norte> & Sur"
    await city_store.add(db, "rio", "America/Los_Angeles", name)
    amal = sim.user("Amal", lang="ar")
    await amal.says("/start")
    await amal.receives()
    await amal.says("/subscribe rio")
    reply = await amal.receives()
    prefix = "✅ أصبحت تتابع "
    assert reply.text == f"{prefix}{name}."
    assert reply.entities == [{"type": "bold", "offset": utf16_len(prefix), "length": len(name)}]


@pytest.mark.parametrize(
    ("label", "language", "done", "follows", "when", "buttons", "thanks"),
    [
        (
            "العربية",
            "ar",
            "تم: سأكتب إليك بالعربية.",
            "تتابع: Seattle.",
            "الثلاثاء، 14 يناير، 17:30 PST",
            ["سأحضر", "لا أستطيع الحضور"],
            "نراك هناك!",
        ),
        (
            "简体中文",
            "zh",
            "好的：之后我会用简体中文给你发消息。",
            "你关注的城市：Seattle。",
            "1月14日周二 17:30 PST",
            ["我会到场", "我去不了"],
            "到时见！",
        ),
        (
            "Tiếng Việt",
            "vi",
            "Xong: tôi sẽ nhắn cho bạn bằng tiếng Việt.",
            "Bạn đang theo dõi: Seattle.",
            "17:30 PST, Th 3, 14 thg 1",
            ["Tôi sẽ đến", "Tôi không đến được"],
            "Hẹn gặp bạn ở đó!",
        ),
    ],
)
async def test_a_supporter_who_picks_a_language_is_answered_in_it(
    sim: BotApiSimulator,
    db: Database,
    seattle: City,
    label: str,
    language: str,
    done: str,
    follows: str,
    when: str,
    buttons: list[str],
    thanks: str,
) -> None:
    """After /language and a press on the language's own name, replies, an action's card, its
    date and its buttons all come in that language."""
    ivy = sim.user("Ivy", lang="en")
    await ivy.says("/start city-seattle")
    await ivy.receives()
    await ivy.says("/language")
    picker = await ivy.receives()
    assert {"English", "Español", label} <= set(picker.labels())
    await ivy.presses(label)
    await ivy.waits_for(lambda chat: chat.last.text == done)
    supporter = await supporter_store.get(db, ivy.id)
    assert supporter is not None and supporter.language == language

    await ivy.says("/mycities")
    assert (await ivy.receives()).text == follows
    await action_store.create(db, None, seattle.id, "Vigil", TUESDAY, "Park", "", None)
    await ivy.says("/actions")
    card = await ivy.receives()
    assert card.text.startswith(f"📢 Vigil\n🗓 {when}\n📍 Park\n\n🔗 ")
    assert card.labels() == buttons
    answered = len(ivy.callback_answers)
    await ivy.presses(buttons[0])
    await sim.wait_until(lambda: len(ivy.callback_answers) > answered, 5)
    assert ivy.callback_answers[-1].text == thanks
    await ivy.waits_for(lambda chat: chat.last.labels() == [f"✅ {buttons[0]}", buttons[1]])


@pytest.mark.parametrize(
    ("telegram_code", "language", "welcome"),
    [
        (
            "vi",
            "vi",
            "👋 Chào mừng bạn đến với Muster! Tôi sẽ báo cho bạn biết khi nào và ở đâu cần có "
            "mặt.\n\nHãy chạm vào những thành phố bạn muốn theo dõi:",
        ),
        ("zh-hans", "zh", "👋 欢迎来到 Muster！我会告诉你何时何地到场。\n\n点选你想关注的城市："),
        (
            "zh-hant",
            "en",
            "👋 Welcome to Muster! I'll tell you when and where to show up.\n\n"
            "Tap the cities you want to follow:",
        ),
    ],
)
async def test_a_newcomer_is_welcomed_in_their_telegram_language(
    sim: BotApiSimulator,
    db: Database,
    seattle: City,
    telegram_code: str,
    language: str,
    welcome: str,
) -> None:
    """Someone whose Telegram speaks Vietnamese (or Simplified Chinese) is welcomed in it from
    the first /start and keeps it; Traditional Chinese, which Muster lacks, gets English."""
    lan = sim.user("Lan", lang=telegram_code)
    await lan.says("/start")
    reply = await lan.receives()
    assert reply.text == welcome
    assert reply.labels() == ["Seattle"]
    supporter = await supporter_store.get(db, lan.id)
    assert supporter is not None and supporter.language == language


@pytest.mark.parametrize(
    ("language", "count", "confirm", "send_now"),
    [
        ("en", 1, "☝️ This is exactly what 1 supporter will get. Send it?", "📣 Send now"),
        ("ar", 2, "☝️ هذا بالضبط ما سيتلقاه مؤيدان. هل تُرسله؟", "📣 أرسل الآن"),
        ("ar", 11, "☝️ هذا بالضبط ما سيتلقاه 11 مؤيدًا. هل تُرسله؟", "📣 أرسل الآن"),
    ],
)
async def test_an_organizer_is_told_the_audience_in_the_right_plural(
    sim: BotApiSimulator,
    db: Database,
    organizer: SimUser,
    seattle: City,
    language: str,
    count: int,
    confirm: str,
    send_now: str,
) -> None:
    """The confirmation before a broadcast counts its audience as the organizer's language
    does: one supporter in English; two (a dual) or eleven in Arabic."""
    await supporter_store.set_language(db, organizer.id, language)
    await followers(sim, db, seattle, count)
    write = parse_html(t(language, "broadcast_write", city="Seattle"))[0]
    organizer.mark_all_read()
    await organizer.says("/broadcast")
    await organizer.receives()
    await organizer.presses("Seattle")
    await organizer.waits_for(lambda chat: chat.last.text == write)
    organizer.mark_all_read()
    await organizer.says("Rally at noon")
    await organizer.receives()  # the preview
    question = await organizer.receives()
    assert question.text == confirm
    assert send_now in question.labels()


async def test_every_language_gets_its_command_menu(
    sim: BotApiSimulator, muster: MusterApp
) -> None:
    """Telegram shows each language's speakers the supporter commands described in it."""
    for language in TRANSLATIONS:
        menu = sim.commands(language_code=language)
        assert menu[0] == {"command": "start", "description": t(language, "command_start")}
