"""Lines of text in any of the scripts Muster's people write, set for a PDF: each character in a
font that has it, Arabic joined and laid right to left, long text wrapped to a width."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from views.markup import Paragraph

# DejaVu Sans draws Latin with every accent (Spanish, Vietnamese), Greek, Cyrillic, Hebrew and
# Arabic (its joining forms too); it is embedded, so the page prints the same everywhere.
# Matplotlib's wheel carries it (we draw charts with matplotlib as well), so no font file
# lives in this repository and none is looked for on the machine.
REGULAR, BOLD, ITALIC, BOLD_ITALIC = "Muster", "Muster-Bold", "Muster-Italic", "Muster-BoldItalic"
FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
# Chinese, Japanese kana and Korean come from the PDF standard's Asian fonts, which every
# reader provides: a font with all of CJK would add 16 MB or more to each document.
CJK, HANGUL = "STSong-Light", "HYSMyeongJo-Medium"
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x30FF),  # CJK punctuation, hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x3190, 0x31FF),
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x2FA1F),
)
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
RIGHT_TO_LEFT = frozenset({"R", "AL"})
SPACES = re.compile(r"(\s+)")
WORDS_KEPT = 200_000  # words set once and kept, about 40 MB at most


def font_folder() -> Path:
    """Matplotlib's own font folder, found without importing matplotlib."""
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib, which carries the PDF's fonts, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@cache
def register_fonts() -> None:
    """Once per process: ReportLab keeps fonts in a registry of its own."""
    folder = font_folder()
    for name, file in FONT_FILES.items():
        # shapable=False: Arabic is joined here, by arabic_reshaper, before ReportLab sees it.
        pdfmetrics.registerFont(TTFont(name, folder / file, shapable=False))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )
    for name in (CJK, HANGUL):
        pdfmetrics.registerFont(UnicodeCIDFont(name))


@dataclass(frozen=True, slots=True)
class Run:
    """Characters in one font, in the order they are drawn (left to right)."""

    font: str
    text: str
    width: float  # at a font size of 1


@dataclass(frozen=True, slots=True)
class Word:
    runs: tuple[Run, ...]
    width: float
    direction: str  # "R" right to left, "L" left to right, "N" neither (digits, signs)


@dataclass(frozen=True, slots=True)
class Line:
    words: tuple[Word, ...]  # left to right, as drawn
    width: float
    right_to_left: bool


class Typesetter:
    """Knows which font draws which character, and how a line of words is laid out."""

    def __init__(self) -> None:
        register_fonts()
        folder = font_folder()
        self._covers = {name: _characters(name) for name in FONT_FILES}
        self._space = pdfmetrics.stringWidth(" ", REGULAR, 1)
        # The joining forms DejaVu has, and only the ligatures it draws; vowel marks are kept,
        # since they are part of how a person writes their name.
        configuration = arabic_reshaper.config_for_true_type_font(
            str(folder / FONT_FILES[REGULAR]), arabic_reshaper.ENABLE_ALL_LIGATURES
        )
        configuration["delete_harakat"] = False
        self._reshaper = arabic_reshaper.ArabicReshaper(configuration=configuration)
        # Lists of names say the same first and last names over and over.
        self._chosen: dict[tuple[str, str], str] = {}
        self._words: dict[tuple[str, str], Word] = {}

    @property
    def space(self) -> float:
        return self._space

    def word(self, text: str, font: str = REGULAR) -> Word:
        key = (text, font)
        word = self._words.get(key)
        if word is None:
            word = self.styled_word([key])
            if len(self._words) < WORDS_KEPT:
                self._words[key] = word
        return word

    def styled_word(self, pieces: list[tuple[str, str]]) -> Word:
        """A word from pieces of text, each in its font ("<b>Seattle</b>:" is two)."""
        direction = _direction("".join(text for text, _ in pieces))
        if direction == "R":
            pieces = [
                (get_display(self._reshaper.reshape(text), base_dir="R"), font)
                for text, font in reversed(pieces)
            ]
        runs = tuple(run for text, font in pieces for run in self._runs(text, font))
        return Word(runs, sum(run.width for run in runs), direction)

    def _runs(self, text: str, font: str) -> tuple[Run, ...]:
        covered = self._covers[font]
        if covered.issuperset(text):
            return (Run(font, text, pdfmetrics.stringWidth(text, font, 1)),)
        runs: list[Run] = []
        current, start = "", 0
        for index, char in enumerate(text):
            chosen = self._chosen.get((char, font)) or self._font_for(char, font, covered)
            if chosen != current and index > start:
                runs.append(_run(current, text[start:index]))
                start = index
            current = chosen
        runs.append(_run(current, text[start:]))
        return tuple(runs)

    def _font_for(self, char: str, font: str, covered: frozenset[str]) -> str:
        chosen = self._fallback(char, font, covered)
        self._chosen[char, font] = chosen
        return chosen

    def _fallback(self, char: str, font: str, covered: frozenset[str]) -> str:
        if char in covered:
            return font
        if char in self._covers[REGULAR]:
            return REGULAR  # italic DejaVu has no Arabic, for one
        code = ord(char)
        if any(low <= code <= high for low, high in CJK_RANGES):
            return CJK
        if any(low <= code <= high for low, high in HANGUL_RANGES):
            return HANGUL
        return font  # no font here has it: the reader shows the missing-glyph box

    def line(self, text: str, font: str = REGULAR) -> Line:
        """One line, never wrapped: a name in the list of signers."""
        words = [self.word(word, font) for word in text.split()]
        return self._laid_out(words, _paragraph_direction(text) == "R")

    def wrapped(self, paragraph: Paragraph, width: float, size: float) -> list[Line]:
        """A paragraph of styled spans broken into lines no wider than width (a word wider
        than the whole width gets a line of its own)."""
        words = [self.styled_word(pieces) for pieces in _words(paragraph)]
        right_to_left = _paragraph_direction("".join(span.text for span in paragraph)) == "R"
        limit = width / size
        lines: list[Line] = []
        current: list[Word] = []
        used = 0.0
        for word in words:
            extra = word.width + (self._space if current else 0.0)
            if current and used + extra > limit:
                lines.append(self._laid_out(current, right_to_left))
                current, used, extra = [], 0.0, word.width
            current.append(word)
            used += extra
        if current or not lines:
            lines.append(self._laid_out(current, right_to_left))
        return lines

    def _laid_out(self, words: list[Word], right_to_left: bool) -> Line:
        """The words in the order they are drawn: the Unicode bidirectional algorithm's
        outcome at the level of words, which is what a list of names and a petition's text
        need (digits and signs take the line's direction)."""
        if right_to_left:
            # Read from the right: the whole line turns round, except left-to-right stretches.
            ordered = _reversed_runs(words[::-1], keep={"R", "N"})
        else:
            ordered = _reversed_runs(words, keep={"L", "N"})
        width = sum(word.width for word in words) + self._space * max(0, len(words) - 1)
        return Line(tuple(ordered), width, right_to_left)

    def draw(self, canvas: Canvas, x: float, y: float, line: Line, size: float) -> None:
        """Draws the line with its left end at x (the caller aligns it)."""
        text = canvas.beginText(x, y)
        font = ""
        for number, word in enumerate(line.words):
            for run in ((Run(REGULAR, " ", self._space),) if number else ()) + word.runs:
                if run.font != font:
                    text.setFont(run.font, size)
                    font = run.font
                text.textOut(run.text)
        canvas.drawText(text)


def _words(paragraph: Paragraph) -> list[list[tuple[str, str]]]:
    """The paragraph's words, split at white space only: a style that changes inside a word
    ("<b>Seattle</b>:") does not part it."""
    words: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for span in paragraph:
        font = _font(span.bold, span.italic)
        for part in SPACES.split(span.text):
            if part.isspace():
                if current:
                    words.append(current)
                current = []
            elif part:
                current.append((part, font))
    if current:
        words.append(current)
    return words


def _characters(font: str) -> frozenset[str]:
    """Every character the TrueType font has a glyph for."""
    registered = pdfmetrics.getFont(font)
    if not isinstance(registered, TTFont):
        raise TypeError(f"{font} is not a TrueType font")
    return frozenset(chr(code) for code in registered.face.charToGlyph)


def _run(font: str, text: str) -> Run:
    return Run(font, text, pdfmetrics.stringWidth(text, font, 1))


def _font(bold: bool, italic: bool) -> str:
    return {(False, False): REGULAR, (True, False): BOLD, (False, True): ITALIC}.get(
        (bold, italic), BOLD_ITALIC
    )


def _direction(text: str) -> str:
    """R when the word has a right-to-left letter, L when it has another letter, else N."""
    found = "N"
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RIGHT_TO_LEFT:
            return "R"
        if kind == "L":
            found = "L"
    return found


def _paragraph_direction(text: str) -> str:
    """The direction of the first letter that has one, as the bidirectional algorithm's
    rules P2 and P3 say; left to right when there is none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RIGHT_TO_LEFT:
            return "R"
        if kind == "L":
            return "L"
    return "L"


def _reversed_runs(words: list[Word], keep: set[str]) -> list[Word]:
    """Words in order, except that each stretch of consecutive words whose direction is not
    in `keep` is reversed."""
    ordered: list[Word] = []
    stretch: list[Word] = []
    for word in words:
        if word.direction in keep:
            ordered.extend(stretch[::-1])
            stretch = []
            ordered.append(word)
        else:
            stretch.append(word)
    ordered.extend(stretch[::-1])
    return ordered
