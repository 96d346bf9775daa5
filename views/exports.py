"""What organizers and admins take away as CSV, for a spreadsheet or a print: a petition's
counts, and /export's daily counts and sign-ups per link."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from bot.i18n import t
from storage.exports import DailyRow, LinkRow
from storage.petitions import Tally
from views.counts import plain_count

EPOCH = date(1970, 1, 1).toordinal()  # day numbers count from 1 January 1970 (UTC)

# A cell a spreadsheet would run as a formula ("=HYPERLINK(...)" as a city's name) is kept as
# text: prefixed with a quote, as OWASP's advice on CSV injection has it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def counts_csv(tally: Tally, names: dict[int | None, str], language: str) -> bytes:
    """City and signatures, most first, then the total; UTF-8 with a byte order mark so
    that spreadsheet programs read accented and non-Latin names right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(language, "csv_city"), t(language, "csv_signatures")])
    for city_id, count in sorted(tally.by_city.items(), key=lambda item: (-item[1], str(item[0]))):
        writer.writerow([_cell(names.get(city_id, "?")), count])
    writer.writerow([t(language, "csv_total"), tally.total])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# /export: the daily counts of every city, and the sign-ups of every link. A count of people
# under five is "fewer than 5" (views/counts.py); broadcasts are no people, and show as they are.
DAILY_COLUMNS = (
    "csv_day",
    "csv_city",
    "csv_new_followers",
    "csv_paused",
    "csv_unreachable",
    "csv_broadcasts",
    "csv_sends",
    "csv_rsvp_yes",
    "csv_rsvp_no",
    "csv_check_ins",
)
LINK_COLUMNS = ("csv_link", "csv_kind", "csv_city", "csv_sign_ups", "csv_last_7", "csv_last_30")


def daily_csv(rows: list[DailyRow], language: str) -> bytes:
    """A row per city and day; numbers as bare digits, for spreadsheets."""
    few = t(language, "fewer_than_5")

    def people(count: int) -> str | int:
        return plain_count(count, few)

    out, writer = _writer()
    writer.writerow([t(language, key) for key in DAILY_COLUMNS])
    for row in rows:
        day = date.fromordinal(EPOCH + row.day).isoformat()
        counts = row.counts
        if row.city is None:  # broadcasts to every city at once: no followers of their own
            name = t(language, "export_all_cities")
            writer.writerow([day, name, "", "", "", counts.broadcasts, people(counts.sends)])
            continue
        writer.writerow(
            [
                day,
                _cell(row.city.name),
                people(counts.new_followers),
                people(counts.paused),
                people(counts.unreachable),
                counts.broadcasts,
                people(counts.sends),
                people(counts.rsvp_yes),
                people(counts.rsvp_no),
                people(counts.check_ins),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def links_csv(rows: list[LinkRow], language: str) -> bytes:
    few = t(language, "fewer_than_5")
    out, writer = _writer()
    writer.writerow([t(language, key) for key in LINK_COLUMNS])
    for row in rows:
        counts = row.counts
        writer.writerow(
            [
                _cell(row.name),
                t(language, f"link_kind_{row.kind}"),
                _cell(row.city.name) if row.city else "",
                plain_count(counts.total, few),
                plain_count(counts.last_7_days, few),
                plain_count(counts.last_30_days, few),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _writer() -> tuple[io.StringIO, Any]:
    out = io.StringIO()
    return out, csv.writer(out, lineterminator="\r\n")
