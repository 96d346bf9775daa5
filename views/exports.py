"""What an organizer takes away: a petition's counts as CSV, for a spreadsheet or a print."""

from __future__ import annotations

import csv
import io

from bot.i18n import t
from storage.petitions import Tally

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
