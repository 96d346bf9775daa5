"""The petition as printed for delivery day: what it asks and of whom, how many signed and
where, and the names people gave, grouped by city. Never a Telegram id."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bot.i18n import Grouped, clipped, locale_of, t
from storage.petitions import Delivery, Petition
from views.markup import Paragraph, paragraphs
from views.typesetting import BOLD, REGULAR, Line, Typesetter

WIDTH, HEIGHT = A4
MARGIN = 50.0
FOOTER_Y = 28.0
TOP = HEIGHT - MARGIN
BOTTOM = MARGIN
TEXT_WIDTH = WIDTH - 2 * MARGIN
# Signers go in two columns, a number and a name to each line.
COLUMNS = 2
GUTTER = 18.0
COLUMN_WIDTH = (TEXT_WIDTH - GUTTER * (COLUMNS - 1)) / COLUMNS
NUMBER_WIDTH = 42.0
NAME_SIZE = 9.0
SMALLEST_NAME = 6.0  # a long name shrinks this far before it is cut
NAME_LEADING = 12.0
NUMBER_SIZE = 7.5
GREY = 0.4

Signer = tuple[str | None, int | None]  # (the name given or None, the city it counts in)


@dataclass(frozen=True, slots=True)
class Sheet:
    """What the document says, read from the database in one go: plain data, so that a
    worker process can draw it."""

    language: str
    petition_id: int
    title: str
    target: str
    demand: str  # Telegram HTML, as its author formatted it
    goal: int
    day: date
    total: int
    by_city: dict[int | None, int]
    city_names: dict[int, str]
    # False: the petition asked for no names, and only the counts are printed.
    names_collected: bool = False


def sheet_of(
    petition: Petition, delivery: Delivery, city_names: dict[int, str], language: str, day: date
) -> Sheet:
    return Sheet(
        language=language,
        petition_id=petition.id,
        title=petition.title,
        target=petition.target,
        demand=petition.demand,
        goal=petition.goal,
        day=day,
        total=delivery.tally.total,
        by_city=delivery.tally.by_city,
        city_names=city_names,
        names_collected=delivery.signers is not None,
    )


def petition_pdf(sheet: Sheet, signers: list[Signer]) -> bytes:
    """The PDF's bytes, with the signers' names when the petition collected them. Pure
    computation (no database, no network), for a worker process."""
    out = io.BytesIO()
    document = _Document(sheet, out)
    document.front()
    if sheet.names_collected:
        document.signers(signers)
    else:
        document.text(t(sheet.language, "pdf_no_names"), size=9, grey=True)
    document.finish()
    return out.getvalue()


class _Document:
    """A cursor down the page: each block asks for the height it needs, and a new page starts
    when it is not there."""

    def __init__(self, sheet: Sheet, out: io.BytesIO) -> None:
        self.sheet = sheet
        self.language = sheet.language
        self.set = Typesetter()
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=True)
        self.canvas.setTitle(sheet.title)
        self.canvas.setCreator("Muster")
        self.page = 1
        self.y = TOP
        self.day = format_date(sheet.day, format="long", locale=locale_of(sheet.language))

    # The first pages: the petition and its counts.

    def front(self) -> None:
        sheet = self.sheet
        self.text(t(self.language, "pdf_heading", id=sheet.petition_id), size=10, grey=True)
        self.text(f"<b>{html.escape(sheet.title, quote=False)}</b>", size=18, after=8)
        self.text(t(self.language, "pdf_target", target=sheet.target), size=12, after=10)
        for paragraph in paragraphs(sheet.demand) or [[]]:
            self.paragraph(paragraph, size=11, after=3)
        self.y -= 14
        count = Grouped(sheet.total, self.language)
        self.text(t(self.language, "pdf_count", count=count, day=self.day), size=14, after=4)
        goal = Grouped(sheet.goal, self.language)
        percent = sheet.total * 100 // max(1, sheet.goal)
        self.text(t(self.language, "pdf_goal", goal=goal, percent=percent), size=10, after=12)
        self.city_table()

    def city_table(self) -> None:
        """City and signatures, most first; people who follow no one city count apart."""
        size, leading = 10.0, 14.0
        self.room(leading * 3)
        self.row(t(self.language, "csv_city"), t(self.language, "csv_signatures"), BOLD, size)
        for city_id, count in self.cities_by_count():
            self.room(leading)
            self.row(self.city_name(city_id), str(Grouped(count, self.language)), REGULAR, size)
        self.room(leading)
        total = str(Grouped(self.sheet.total, self.language))
        self.row(t(self.language, "csv_total"), total, BOLD, size)
        self.y -= 10

    def row(self, left: str, right: str, font: str, size: float) -> None:
        """A city (cut to its column) and its count, flush right."""
        self.y -= size * 1.4
        number = self.set.line(right, font)
        room = TEXT_WIDTH - number.width * size - 12
        self.draw(self.set.fitted(left, room, size, font), MARGIN, room, size)
        self.set.draw(self.canvas, WIDTH - MARGIN - number.width * size, self.y, number, size)

    def cities_by_count(self) -> list[tuple[int | None, int]]:
        return sorted(
            self.sheet.by_city.items(), key=lambda item: (-item[1], self.city_name(item[0]))
        )

    def city_name(self, city_id: int | None) -> str:
        if city_id is None:
            return t(self.language, "petition_no_one_city")
        return self.sheet.city_names.get(city_id, "—")

    # The list of signers.

    def signers(self, signers: list[Signer]) -> None:
        self.room(60)
        self.text(t(self.language, "pdf_signers_heading"), size=14, after=2)
        self.text(t(self.language, "pdf_signers_note"), size=9, grey=True, after=6)
        number = 0
        for city_id, names, anonymous in self.groups(signers):
            city = self.city_name(city_id)
            self.room(50)
            count = Grouped(len(names) + anonymous, self.language)
            heading = t(self.language, "pdf_city_heading", city=city, count=count)
            self.text(heading, size=12, after=4)
            grid = _Grid(self, t(self.language, "pdf_city_continued", city=city))
            for name in names:
                number += 1
                grid.add(number, name)
            if anonymous:
                self.room(20)
                unnamed = Grouped(anonymous, self.language)
                self.text(t(self.language, "pdf_anonymous", count=unnamed), size=9, grey=True)
            self.y -= 8

    def groups(self, signers: list[Signer]) -> Iterator[tuple[int | None, list[str], int]]:
        """Each city's names in the order people signed, and how many gave none; cities by
        name, with people who follow no one city last."""
        names: dict[int | None, list[str]] = {}
        anonymous: dict[int | None, int] = {}
        for name, city_id in signers:
            if name:
                names.setdefault(city_id, []).append(name)
            else:
                anonymous[city_id] = anonymous.get(city_id, 0) + 1
        cities = set(names) | set(anonymous)
        order = sorted(cities, key=lambda city: (city is None, self.city_name(city).casefold()))
        for city_id in order:
            yield city_id, names.get(city_id, []), anonymous.get(city_id, 0)

    # Text and pages.

    def text(self, html: str, *, size: float, after: float = 0.0, grey: bool = False) -> None:
        for paragraph in paragraphs(html):
            self.paragraph(paragraph, size=size, after=after, grey=grey)

    def paragraph(
        self, paragraph: Paragraph, *, size: float, after: float = 0.0, grey: bool = False
    ) -> None:
        leading = size * 1.35
        for line in self.set.wrapped(paragraph, TEXT_WIDTH, size):
            self.room(leading)
            self.y -= leading
            self.draw(line, MARGIN, TEXT_WIDTH, size, grey=grey)
        self.y -= after

    def draw(self, line: Line, x: float, width: float, size: float, grey: bool = False) -> None:
        """A line at the cursor's height within [x, x + width]: flush right when it reads
        from the right."""
        if line.right_to_left:
            x += width - line.width * size
        if grey:
            self.canvas.setFillGray(GREY)
        self.set.draw(self.canvas, x, self.y, line, size)
        if grey:
            self.canvas.setFillGray(0)

    def room(self, height: float) -> None:
        """A new page unless `height` points fit above the bottom margin."""
        if self.y - height < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = TOP

    def footer(self) -> None:
        title = clipped(self.sheet.title, 60)
        text = t(self.language, "pdf_footer", title=title, day=self.day, page=self.page)
        plain = " ".join(span.text for p in paragraphs(text) for span in p)
        line = self.set.fitted(plain, TEXT_WIDTH, 8)
        self.canvas.setFillGray(GREY)
        self.set.draw(self.canvas, MARGIN, FOOTER_Y, line, 8)
        self.canvas.setFillGray(0)

    def finish(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.canvas.save()


class _Grid:
    """Numbered names in rows of two, over as many pages as they take; a new page repeats
    the city's name."""

    def __init__(self, document: _Document, continued: str) -> None:
        self.document = document
        self.continued = continued
        self.column = 0

    def add(self, number: int, name: str) -> None:
        document = self.document
        if self.column == 0:
            if document.y - NAME_LEADING < BOTTOM:
                document.new_page()
                document.text(self.continued, size=10, grey=True, after=4)
            document.y -= NAME_LEADING
        x = MARGIN + self.column * (COLUMN_WIDTH + GUTTER)
        canvas = document.canvas
        canvas.setFillGray(GREY)
        canvas.setFont(REGULAR, NUMBER_SIZE)
        canvas.drawRightString(x + NUMBER_WIDTH - 6, document.y, f"{number}.")
        canvas.setFillGray(0)
        self.name(name, x + NUMBER_WIDTH, COLUMN_WIDTH - NUMBER_WIDTH)
        self.column = (self.column + 1) % COLUMNS

    def name(self, name: str, x: float, width: float) -> None:
        """The name at 9 points, smaller when it is long, cut with "…" when even 6 points
        is too wide for it (a hundred wide letters)."""
        document = self.document
        line = document.set.line(name)
        size = max(SMALLEST_NAME, min(NAME_SIZE, width / max(line.width, 1e-6)))
        line = document.set.fitted(name, width, size)
        # Flush left whatever its script: the list reads down its numbers.
        document.set.draw(document.canvas, x, document.y, line, size)
