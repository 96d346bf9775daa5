"""A printable A4 poster for a link: the title (a city, an action with its time and place, a
petition), the link's QR code large, the link in text, and "scan to join" in each language the
city's supporters read."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import segno
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bot.i18n import t
from bot.localtime import show
from storage.actions import Action
from views.markup import paragraphs
from views.typesetting import BOLD, REGULAR, Line, Typesetter

WIDTH, HEIGHT = A4
MARGIN = 50.0
TEXT_WIDTH = WIDTH - 2 * MARGIN
TITLE_SIZE, TITLE_LINES = 30.0, 3
SUBTITLE_SIZE, SUBTITLE_LINES = 16.0, 3
QR_SIDE = 340.0  # 12 cm: read from a few metres away
LINK_SIZE = 12.0
SCAN_SIZE = 16.0
# The standard's quiet zone of 4 modules around the code, without which some readers fail.
QUIET_ZONE = 4
# The sentence under the code, by what the poster is for.
SCAN_KEYS = {
    "city": "poster_scan_city",
    "link": "poster_scan_city",
    "action": "poster_scan_action",
    "petition": "poster_scan_petition",
}


@dataclass(frozen=True, slots=True)
class Poster:
    """What the poster says, as plain data a worker process can draw. Texts are Telegram
    HTML, as the catalogs give them."""

    title: str
    subtitle: str
    link: str
    scan_lines: list[str]


def poster_of(
    kind: str,
    title: str,
    link: str,
    languages: list[str],
    *,
    city_name: str | None,
    action: Action | None,
    zone: ZoneInfo,
) -> Poster:
    """The poster's texts: the title and an action's time and place in the first language
    (the organizer's), and the line under the code in each language."""
    first = languages[0]
    subtitle = ""
    if action is not None:
        when = show(action.starts_at, zone, first)
        subtitle = t(first, "poster_action_when", when=when, place=action.place)
    key = SCAN_KEYS[kind] if city_name is not None or kind != "link" else "poster_scan_join"
    lines = [t(language, key, city=city_name or "") for language in languages]
    return Poster(html.escape(title, quote=False), subtitle, link, lines)


def poster_pdf(poster: Poster, rows: list[object]) -> bytes:
    """The PDF's bytes: one A4 page. Pure computation, for a worker process."""
    del rows  # a poster has no list
    out = io.BytesIO()
    _Page(poster, out).draw()
    return out.getvalue()


class _Page:
    def __init__(self, poster: Poster, out: io.BytesIO) -> None:
        self.poster = poster
        self.set = Typesetter()
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=True)
        plain = " ".join(span.text for p in paragraphs(poster.title) for span in p)
        self.canvas.setTitle(plain)
        self.canvas.setCreator("Muster")
        self.y = HEIGHT - MARGIN

    def draw(self) -> None:
        poster = self.poster
        self.block(f"<b>{poster.title}</b>", TITLE_SIZE, TITLE_LINES)
        if poster.subtitle:
            self.y -= 6
            self.block(poster.subtitle, SUBTITLE_SIZE, SUBTITLE_LINES)
        self.y -= 24
        self.code(poster.link)
        self.y -= 10
        self.centred(self.set.fitted(poster.link, TEXT_WIDTH, LINK_SIZE), LINK_SIZE)
        self.y -= 16
        for line in poster.scan_lines:
            plain = " ".join(span.text for p in paragraphs(line) for span in p)
            self.centred(self.set.fitted(plain, TEXT_WIDTH, SCAN_SIZE), SCAN_SIZE)
        self.canvas.showPage()
        self.canvas.save()

    def block(self, text: str, size: float, most: int) -> None:
        """Wrapped and centred, at most `most` lines (the last cut with "…")."""
        lines: list[Line] = []
        for paragraph in paragraphs(text):
            lines += self.set.wrapped(paragraph, TEXT_WIDTH, size)
        if len(lines) > most:
            rest = " ".join(line.text for line in lines[most - 1 :])
            lines = [*lines[: most - 1], self.set.fitted(rest, TEXT_WIDTH, size, _font(text))]
        for line in lines:
            self.centred(line, size)

    def centred(self, line: Line, size: float) -> None:
        self.y -= size * 1.35
        self.set.draw(self.canvas, (WIDTH - line.width * size) / 2, self.y, line, size)

    def code(self, link: str) -> None:
        """The QR code as squares (sharp at any size), error correction M as in views/qr.py."""
        matrix = segno.make(link, error="m", micro=False).matrix
        modules = len(matrix) + 2 * QUIET_ZONE
        module = QR_SIDE / modules
        left = (WIDTH - QR_SIDE) / 2 + QUIET_ZONE * module
        top = self.y - QUIET_ZONE * module
        self.canvas.setFillGray(0)
        for row_number, row in enumerate(matrix):
            y = top - (row_number + 1) * module
            column = 0
            while column < len(row):  # each run of dark modules as one rectangle
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                x = left + start * module
                self.canvas.rect(x, y, (column - start) * module, module, stroke=0, fill=1)
        self.y -= QR_SIDE


def _font(text: str) -> str:
    return BOLD if text.startswith("<b>") else REGULAR
