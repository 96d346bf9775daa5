"""How names and petition texts are set for print: each character in a font that has it,
Arabic joined and read from the right, lines wrapped to their width."""

from __future__ import annotations

import unicodedata

import pytest

from views.markup import Span, paragraphs
from views.typesetting import BOLD, CJK, HANGUL, ITALIC, REGULAR, Line, Typesetter


@pytest.fixture(scope="module")
def typesetter() -> Typesetter:
    return Typesetter()


def drawn(line: Line) -> list[tuple[str, str]]:
    """(font, text) as drawn, left to right, words parted by " "."""
    runs: list[tuple[str, str]] = []
    for number, word in enumerate(line.words):
        if number:
            runs.append((REGULAR, " "))
        runs.extend((run.font, run.text) for run in word.runs)
    return runs


def as_read(text: str) -> str:
    """Joining forms back to letters, as a reader's copy gets them."""
    return unicodedata.normalize("NFKC", text)


def test_each_script_is_drawn_in_a_font_that_has_it(typesetter: Typesetter) -> None:
    """Accented Latin and Vietnamese in DejaVu, Chinese in the Asian font, Korean in the
    Korean one, and a name mixing them changes font where the script does."""
    assert drawn(typesetter.line("Nguyễn Thị Ánh")) == [
        (REGULAR, "Nguyễn"),
        (REGULAR, " "),
        (REGULAR, "Thị"),
        (REGULAR, " "),
        (REGULAR, "Ánh"),
    ]
    assert drawn(typesetter.line("李小龙")) == [(CJK, "李小龙")]
    assert drawn(typesetter.line("김민준")) == [(HANGUL, "김민준")]
    assert drawn(typesetter.line("Ana李")) == [(REGULAR, "Ana"), (CJK, "李")]


def test_an_arabic_name_reads_from_the_right_with_its_letters_joined(
    typesetter: Typesetter,
) -> None:
    """محمد عبد: the words are drawn in turned-round order, each in its joining forms, so
    the reader sees them right to left; the line is marked right to left for alignment."""
    line = typesetter.line("محمد عبد")
    assert line.right_to_left
    first, second = ("".join(run.text for run in word.runs) for word in line.words)
    assert as_read(first) == "دبع" and as_read(second) == "دمحم"
    assert "\ufee3" in second  # meem in its initial form: joined, not isolated
    assert all(run.font == REGULAR for word in line.words for run in word.runs)


def test_left_to_right_words_keep_their_order_inside_an_arabic_line(
    typesetter: Typesetter,
) -> None:
    """Two Latin words in an Arabic sentence stay "Amazon Inc", and an Arabic name in an
    English line turns round on its own."""
    line = typesetter.line("وقع Amazon Inc هنا")
    words = [as_read("".join(run.text for run in word.runs)) for word in line.words]
    assert words == ["انه", "Amazon", "Inc", "عقو"]
    line = typesetter.line("Signed by محمد عبد today")
    words = [as_read("".join(run.text for run in word.runs)) for word in line.words]
    assert words == ["Signed", "by", "دبع", "دمحم", "today"]
    assert not line.right_to_left


def test_styles_stay_with_their_words_and_lines_fit_their_width(
    typesetter: Typesetter,
) -> None:
    """<b>Stop</b> the <i>raids</i>: bold and italic fonts for those words; a style changing
    inside a word does not split it; no line is wider than asked."""
    paragraph = [Span("Stop", bold=True), Span(" the "), Span("raids", italic=True), Span(".")]
    (line,) = typesetter.wrapped(paragraph, 500, 10)
    assert drawn(line) == [
        (BOLD, "Stop"),
        (REGULAR, " "),
        (REGULAR, "the"),
        (REGULAR, " "),
        (ITALIC, "raids"),
        (REGULAR, "."),
    ]
    long = [Span("We demand that Amazon end its contracts with ICE " * 5)]
    lines = typesetter.wrapped(long, 150, 10)
    assert len(lines) > 3
    assert all(line.width * 10 <= 150 for line in lines)
    assert sum(len(line.words) for line in lines) == 45


def test_telegram_formatting_reads_back_as_styled_paragraphs() -> None:
    """A demand's HTML: bold and italic kept, entities undone, links followed by their
    address, each line its own paragraph."""
    found = paragraphs('<b>Stop</b> &amp; <a href="https://ex.org">read</a>\nsecond')
    assert found == [
        [Span("Stop", bold=True), Span(" & "), Span("read"), Span(" (https://ex.org)")],
        [Span("second")],
    ]
