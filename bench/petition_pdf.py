"""The delivery-day PDF of a quarter-million-signature petition: how long it takes, how much
memory the drawing needs, and whether the bot's event loop feels it.

    python -m bench.petition_pdf [--signatures 250000] [--thread-signatures 50000]

Seeds a SQLite file with one petition that collected names (every fifth signer gives none;
names in English, Spanish, Vietnamese, Arabic and Chinese, each city's share different),
reads it for delivery the way Export does (one database trip), then draws the PDF the way
Export does: in a child process, through bot.printing.Printer. While it draws, a ticker on
the event loop measures the loop's worst delay. For comparison, the same drawing in a thread
of the bot's own process (asyncio.to_thread) is measured on fewer signatures.
Targets (issue 10): under 60 s and under 300 MB for 250,000 names.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import resource
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from bench.common import Row, rss_mb, text_table, timed, verdict, write_results
from bot.i18n import DEFAULT_LANGUAGE
from bot.printing import Printer
from storage import Database, bulk
from storage import cities as city_store
from storage import petitions as store
from storage.db import migrate
from views.petition_pdf import Sheet, Signer, petition_pdf, sheet_of

TIME_TARGET = 60.0
MEMORY_TARGET = 300.0
CITIES = ["Seattle", "New York", "Washington DC", "Los Angeles", "Chicago", "Houston"]
# First names and family names by language; a signer's name is one of each, in that
# language's order. Repetition is real: campaigns have many Marías and Nguyễns.
NAMES = {
    "en": (
        ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda"],
        ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson"],
    ),
    "es": (
        ["María José", "José Luis", "Ana", "Carmen", "Jesús", "Lucía", "Sofía", "Íñigo"],
        ["García Núñez", "Martínez", "Rodríguez", "López", "Hernández", "Pérez", "Gómez"],
    ),
    "vi": (
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"],
        ["Thị Ánh Tuyết", "Văn Hùng", "Minh Châu", "Quốc Bảo", "Thu Hằng", "Đức Anh"],
    ),
    "ar": (
        ["محمد", "أحمد", "فاطمة", "عائشة", "عمر", "خديجة", "يوسف", "مريم", "علي", "ليلى"],
        ["عبد الله", "الحسن", "المصري", "الخطيب", "حداد", "النجار", "السيد", "منصور"],
    ),
    "zh": (
        ["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"],
        ["小龙", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋"],
    ),
}
SHARES = {"en": 3, "es": 3, "vi": 2, "ar": 2, "zh": 2}


def signers(count: int, city_ids: list[int]) -> list[tuple[int, str | None, int | None]]:
    """(user id, name or None, city id) for `count` people, the same every run."""
    chance = random.Random(10)
    languages = [language for language, share in SHARES.items() for _ in range(share)]
    weights = [len(city_ids) - index for index in range(len(city_ids))]
    made: list[tuple[int, str | None, int | None]] = []
    for number in range(count):
        city_id = chance.choices(city_ids, weights)[0]
        if number % 5 == 4:
            made.append((1_000_000 + number, None, city_id))
            continue
        language = chance.choice(languages)
        first, family = NAMES[language]
        given, surname = chance.choice(first), chance.choice(family)
        name = given + surname if language == "zh" else f"{given} {surname}"
        made.append((1_000_000 + number, name, city_id))
    return made


async def seeded(path: Path, count: int) -> tuple[Database, store.Petition, float]:
    db = Database(path)
    await db.open()
    await migrate(db)
    started = time.perf_counter()
    cities = [
        await city_store.add(db, name.lower().replace(" ", "-"), "America/New_York", name)
        for name in CITIES
    ]
    city_ids = [city.id for city in cities]
    people = signers(count, city_ids)
    for city_id in city_ids:
        ids = [user_id for user_id, _, chosen in people if chosen == city_id]
        await bulk.add_followers(db, city_id, ids, DEFAULT_LANGUAGE)
    petition = await store.create(
        db,
        None,
        None,
        "Drop the contract with ICE",
        "<b>We, the undersigned,</b> ask Amazon to end its contracts with ICE.\n"
        "Nosotros pedimos… Chúng tôi yêu cầu… نطالب أمازون… 我们要求…",
        "Andy Jassy, CEO of Amazon",
        250_000,
        collect_names=True,
    )
    await bulk.add_signatures(db, petition.id, people)
    return db, petition, time.perf_counter() - started


async def run(count: int, thread_count: int) -> list[Row]:
    rows: list[Row] = []
    section = f"petition PDF ({count:,} signatures)"
    with tempfile.TemporaryDirectory() as folder:
        db, petition, seed_seconds = await seeded(Path(folder) / "bench.db", count)
        rows.append(Row(section, "seed (bulk insert)", f"{seed_seconds:.1f} s"))
        before = rss_mb()
        started = time.perf_counter()
        delivery = await store.for_delivery(db, petition.id, 0, names=True)
        read_ms = (time.perf_counter() - started) * 1000
        held = rss_mb() - before
        rows += [
            Row(section, "read for delivery (one database trip)", f"{read_ms:.0f} ms"),
            Row(section, "bot's RSS growth while it holds the names", f"{held:.0f} MB"),
        ]
        names = {city.id: city.name for city in await city_store.all_cities(db)}
        await db.close()
    day = datetime.now(UTC).date()
    sheet = sheet_of(petition, delivery, names, "en", day)
    everyone = delivery.signers or []
    printer = Printer()
    pdf, seconds, worst = await timed(lambda: printer.draw(petition_pdf, sheet, everyone))
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    rows += [
        Row(
            section,
            "drawn in a child process",
            f"{seconds:.1f} s",
            f"< {TIME_TARGET:.0f} s",
            verdict(seconds < TIME_TARGET),
        ),
        Row(
            section,
            "child's peak RSS",
            f"{child_peak:.0f} MB",
            f"< {MEMORY_TARGET:.0f} MB",
            verdict(child_peak < MEMORY_TARGET),
        ),
        Row(section, "PDF", f"{len(pdf) / 1e6:.1f} MB, {pages:,} pages"),
        Row(section, "bot's event loop: worst delay meanwhile", f"{worst * 1000:.0f} ms"),
    ]
    few = everyone[:thread_count]
    small = _smaller(sheet, few)
    section = f"for comparison ({thread_count:,} signatures)"
    _, child_seconds, child_worst = await timed(lambda: printer.draw(petition_pdf, small, few))
    _, thread_seconds, thread_worst = await timed(
        lambda: asyncio.to_thread(petition_pdf, small, few)
    )
    rows += [
        Row(
            section,
            "child process: time, loop's worst delay",
            f"{child_seconds:.1f} s, {child_worst * 1000:.0f} ms",
        ),
        Row(
            section,
            "thread of the bot: time, loop's worst delay",
            f"{thread_seconds:.1f} s, {thread_worst * 1000:.0f} ms",
        ),
    ]
    return rows


def _smaller(sheet: Sheet, signers: list[Signer]) -> Sheet:
    by_city: dict[int | None, int] = {}
    for _, city_id in signers:
        by_city[city_id] = by_city.get(city_id, 0) + 1
    return replace(sheet, by_city=by_city, total=len(signers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=250_000)
    parser.add_argument("--thread-signatures", type=int, default=50_000)
    arguments = parser.parse_args()
    rows = asyncio.run(run(arguments.signatures, arguments.thread_signatures))
    print(text_table(rows))
    command = "python -m bench.petition_pdf"
    notes = [
        "Every fifth signer gave no name; names mix English, Spanish, Vietnamese, Arabic "
        "and Chinese.",
        "The child's peak RSS is the largest of the children this run waited for "
        "(getrusage RUSAGE_CHILDREN).",
    ]
    if arguments.signatures == 250_000:
        write_results("bench.petition_pdf", command, rows, notes)


if __name__ == "__main__":
    main()
