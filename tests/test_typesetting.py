"""How names and petition texts are set for print: each character in a font that has it,
Arabic joined and read from the right, lines wrapped to their width."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest

from views.markup import Span, paragraphs
from views.petition_pdf import FOOTER_Y, MARGIN, WIDTH, Sheet, petition_pdf
from views.typesetting import BOLD, CJK, HANGUL, ITALIC, REGULAR, Line, Typesetter


@pytest.fixture(scope="module")
def typesetter() -> Typesetter:
    return Typesetter()


def drawn(line: Line) -> list[tuple[str, str]]:
    """(font, text) as drawn, left to right."""
    return [(run.font, run.text) for run in line.runs]


def as_read(text: str) -> str:
    """Joining forms back to letters, as a reader's copy gets them."""
    return unicodedata.normalize("NFKC", text)


def test_each_script_is_drawn_in_a_font_that_has_it(typesetter: Typesetter) -> None:
    """Accented Latin and Vietnamese in DejaVu, Chinese in the Asian font, Korean in the
    Korean one, and a name mixing them changes font where the script does. Vietnamese
    typed as letters plus combining marks is composed first."""
    assert drawn(typesetter.line("Nguyễn Thị Ánh")) == [(REGULAR, "Nguyễn Thị Ánh")]
    assert drawn(typesetter.line("李小龙")) == [(CJK, "李小龙")]
    assert drawn(typesetter.line("김민준")) == [(HANGUL, "김민준")]
    assert drawn(typesetter.line("Ana李")) == [(REGULAR, "Ana"), (CJK, "李")]
    assert typesetter.line("Nguye\u0302\u0303n").text == "Nguyễn"


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        # Right to left, letters joined: the words turn round.
        ("محمد عبد", "دبع دمحم"),
        # Brackets are mirrored, as a reader of Arabic expects them.
        ("محمد (أبو علي)", "(يلع وبأ) دمحم"),
        # Left-to-right stretches keep their order, digits included.
        ("وقع Amazon Inc هنا", "انه Amazon Inc عقو"),
        ("نحب Windows 11 Home", "Windows 11 Home بحن"),
        # An Arabic name in an English line turns round on its own, its number with it.
        ("Signed by محمد 3 علي today", "Signed by يلع 3 دمحم today"),
    ],
)
def test_mixed_directions_follow_the_bidirectional_algorithm(
    typesetter: Typesetter, typed: str, seen: str
) -> None:
    """What a reader sees, left to right, for lines mixing Arabic with Latin and digits."""
    line = typesetter.line(typed)
    assert as_read(line.text) == seen
    assert line.right_to_left == typed.startswith(("م", "و", "ن"))


def test_arabic_letters_are_joined(typesetter: Typesetter) -> None:
    """Meem at the start of محمد takes its initial form, not the isolated one."""
    assert "\ufee3" in typesetter.line("محمد").text


def test_styles_stay_with_their_words_and_lines_fit_their_width(
    typesetter: Typesetter,
) -> None:
    """<b>Stop</b> the <i>raids</i>: bold and italic fonts for those words; a style changing
    inside a word does not split it; no line is wider than asked, Chinese (no spaces)
    included, and a word wider than a line is cut rather than overflowing."""
    paragraph = [Span("Stop", bold=True), Span(" the "), Span("raids", italic=True), Span(".")]
    (line,) = typesetter.wrapped(paragraph, 500, 10)
    assert drawn(line) == [(BOLD, "Stop"), (REGULAR, " the "), (ITALIC, "raids"), (REGULAR, ".")]
    long = [Span("We demand that Amazon end its contracts with ICE " * 5)]
    lines = typesetter.wrapped(long, 150, 10)
    assert len(lines) > 3 and all(line.width * 10 <= 150 for line in lines)
    assert " ".join(line.text for line in lines) == long[0].text.strip()
    chinese = [Span("我们要求亚马逊终止与移民局的合同" * 6)]
    lines = typesetter.wrapped(chinese, 200, 12)
    assert len(lines) > 3 and all(line.width * 12 <= 200 for line in lines)
    assert "".join(line.text for line in lines) == chinese[0].text
    url = [Span("https://example.org/" + "x" * 120)]
    assert all(line.width * 10 <= 150 for line in typesetter.wrapped(url, 150, 10))


def test_a_line_too_wide_is_cut_with_an_ellipsis(typesetter: Typesetter) -> None:
    """A 64-letter city name in a narrow column ends in "…" and fits."""
    line = typesetter.fitted("W" * 64, 100, 10)
    assert line.text.endswith("…") and line.width * 10 <= 100
    assert typesetter.fitted("Seattle", 100, 10).text == "Seattle"


def test_telegram_formatting_reads_back_as_styled_paragraphs() -> None:
    """A demand's HTML: bold and italic kept, entities undone, links followed by their
    address, each line its own paragraph."""
    found = paragraphs('<b>Stop</b> &amp; <a href="https://ex.org">read</a>\nsecond')
    assert found == [
        [Span("Stop", bold=True), Span(" & "), Span("read"), Span(" (https://ex.org)")],
        [Span("second")],
    ]


def test_every_line_of_the_delivery_pdf_stays_on_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The longest title (200 Chinese characters), a Chinese demand, an address, 64-letter
    city names and 100-letter names: every line drawn stays between the margins, and above
    the footer's line."""
    drawn_lines: list[tuple[float, float, float]] = []
    original = Typesetter.draw

    def recording(
        self: Typesetter, canvas: Any, x: float, y: float, line: Line, size: float
    ) -> None:
        drawn_lines.append((x, x + line.width * size, y))
        original(self, canvas, x, y, line, size)

    monkeypatch.setattr(Typesetter, "draw", recording)
    cities = {1: "W" * 64, 2: "Llanfairpwllgwyngyll" * 3, 3: "محمد" * 16}
    signers: list[tuple[str | None, int | None]] = [
        (name, city)
        for city in (1, 2, 3, None)
        for name in ("W" * 100, "李" * 100, "محمد " * 20, "Ana", None)
    ]
    sheet = Sheet(
        language="zh",
        petition_id=12,
        title="我们要求" * 50,
        target="亚马逊" * 40,
        demand="我们要求亚马逊终止与移民局的合同" * 12 + "\nhttps://example.org/" + "x" * 150,
        goal=100,
        day=date(2026, 11, 30),
        total=len(signers),
        by_city={1: 5, 2: 5, 3: 5, None: 5},
        city_names=cities,
        names_collected=True,
    )
    assert petition_pdf(sheet, signers).startswith(b"%PDF")
    assert drawn_lines
    for left, right, y in drawn_lines:
        assert left >= MARGIN - 0.01 and right <= WIDTH - MARGIN + 0.01, (left, right)
        assert y >= FOOTER_Y - 0.01
