"""Lines of text in any of the scripts Muster's people write, set for a PDF: each character in a
font that has it, Arabic joined, mixed directions laid out by Unicode's bidirectional
algorithm, long text wrapped to a width (between words, and between Chinese or Japanese
characters, which have no spaces), and what cannot fit cut with "…"."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import arabic_reshaper
from bidi import algorithm as bidi
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
# Chinese, Japanese kana and Korean come from the PDF standard's Asian fonts, which readers
# provide: a font with all of CJK would add 16 MB or more to each document.
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
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
# Hebrew, Arabic and their presentation forms: a line with any needs the bidi algorithm.
RIGHT_TO_LEFT_TEXT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# A line may break at white space, and on either side of an ideograph or kana: Chinese and
# Japanese are written without spaces.
BREAKS = re.compile(
    r"(\s+|[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
)
ELLIPSIS = "…"
KEPT = 200_000  # lines set once and kept (a list of names says the same ones again)

Piece = tuple[str, str]  # text, font


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
class Line:
    runs: tuple[Run, ...]  # left to right, as drawn
    width: float  # at a font size of 1
    right_to_left: bool  # its paragraph reads from the right: flush it right

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


class Typesetter:
    """Knows which font draws which character, and how a line is laid out."""

    def __init__(self) -> None:
        register_fonts()
        folder = font_folder()
        self._covers = {name: _characters(name) for name in FONT_FILES}
        # The joining forms DejaVu has, and only the ligatures it draws; vowel marks are kept,
        # since they are part of how a person writes their name.
        configuration = arabic_reshaper.config_for_true_type_font(
            str(folder / FONT_FILES[REGULAR]), arabic_reshaper.ENABLE_ALL_LIGATURES
        )
        configuration["delete_harakat"] = False
        self._reshaper = arabic_reshaper.ArabicReshaper(configuration=configuration)
        self._chosen: dict[tuple[str, str], str] = {}
        self._lines: dict[tuple[str, str], Line] = {}

    # One line.

    def line(self, text: str, font: str = REGULAR) -> Line:
        """Text set on one line, never wrapped: a name, a city, a number."""
        key = (text, font)
        line = self._lines.get(key)
        if line is None:
            text = _clean(text)
            line = self._set([(self._joined(text), font)], _direction(text) == "R")
            if len(self._lines) < KEPT:
                self._lines[key] = line
        return line

    def fitted(self, text: str, width: float, size: float, font: str = REGULAR) -> Line:
        """The line, cut with "…" where it would be wider than `width` at `size`."""
        line = self.line(text, font)
        if line.width * size <= width:
            return line
        low, high = 0, len(text)  # the longest start of the text that fits with its "…"
        while low < high:
            middle = (low + high + 1) // 2
            if self.line(text[:middle].rstrip() + ELLIPSIS, font).width * size <= width:
                low = middle
            else:
                high = middle - 1
        return self.line(text[:low].rstrip() + ELLIPSIS, font)

    # A paragraph.

    def wrapped(self, paragraph: Paragraph, width: float, size: float) -> list[Line]:
        """A paragraph of styled spans broken into lines no wider than `width` at `size`."""
        pieces = [(_clean(span.text), _font(span.bold, span.italic)) for span in paragraph]
        right_to_left = _direction("".join(text for text, _ in pieces)) == "R"
        pieces = [(self._joined(text), font) for text, font in pieces if text]
        lines = [
            self._set(pieces_of_line, right_to_left)
            for pieces_of_line in self._broken(pieces, width / size)
        ]
        return lines or [Line((), 0.0, right_to_left)]

    def _broken(self, pieces: list[Piece], limit: float) -> list[list[Piece]]:
        """The pieces cut into lines of at most `limit` wide (in font-size units), in
        logical order. A word wider than a whole line is cut where it must."""
        lines: list[list[Piece]] = []
        current: list[Piece] = []
        used = 0.0
        for token, font in _tokens(pieces):
            if token.isspace():
                if current:
                    current.append((" ", font))
                    used += self._width(" ", font)
                continue
            width = self._width(token, font)
            if current and used + width > limit:
                lines.append(_trimmed(current))
                current, used = [], 0.0
            if width > limit:  # longer than a line on its own: cut by characters
                for part in self._cut(token, font, limit):
                    if current:
                        lines.append(_trimmed(current))
                    current, used = [(part, font)], self._width(part, font)
                continue
            current.append((token, font))
            used += width
        if current:
            lines.append(_trimmed(current))
        return lines

    def _cut(self, token: str, font: str, limit: float) -> list[str]:
        parts: list[str] = []
        start = 0
        for end in range(1, len(token) + 1):
            if end - start > 1 and self._width(token[start:end], font) > limit:
                parts.append(token[start : end - 1])
                start = end - 1
        parts.append(token[start:])
        return parts

    def _width(self, text: str, font: str) -> float:
        return sum(run.width for run in self._runs(text, font))

    # Setting a line: shaping, order, fonts.

    def _joined(self, text: str) -> str:
        """Arabic letters in the forms they take within their words."""
        return self._reshaper.reshape(text) if ARABIC.search(text) else text

    def _set(self, pieces: list[Piece], right_to_left: bool) -> Line:
        if right_to_left or any(RIGHT_TO_LEFT_TEXT.search(text) for text, _ in pieces):
            pieces = _visual(pieces, right_to_left)
        runs: list[Run] = []
        for text, font in pieces:
            runs.extend(self._runs(text, font))
        return Line(tuple(_merged(runs)), sum(run.width for run in runs), right_to_left)

    def _runs(self, text: str, font: str) -> list[Run]:
        covered = self._covers[font]
        if covered.issuperset(text):
            return [_run(font, text)] if text else []
        runs: list[Run] = []
        current, start = "", 0
        for index, char in enumerate(text):
            chosen = self._chosen.get((char, font)) or self._font_for(char, font)
            if chosen != current and index > start:
                runs.append(_run(current, text[start:index]))
                start = index
            current = chosen
        runs.append(_run(current, text[start:]))
        return runs

    def _font_for(self, char: str, font: str) -> str:
        chosen = self._fallback(char, font)
        self._chosen[char, font] = chosen
        return chosen

    def _fallback(self, char: str, font: str) -> str:
        if char in self._covers[font]:
            return font
        if char in self._covers[REGULAR]:
            return REGULAR  # italic DejaVu has no Arabic, for one
        code = ord(char)
        if any(low <= code <= high for low, high in CJK_RANGES):
            return CJK
        if any(low <= code <= high for low, high in HANGUL_RANGES):
            return HANGUL
        return font  # no font here has it: the reader shows the missing-glyph box

    def draw(self, canvas: Canvas, x: float, y: float, line: Line, size: float) -> None:
        """Draws the line with its left end at x (the caller aligns it)."""
        text = canvas.beginText(x, y)
        for run in line.runs:
            text.setFont(run.font, size)
            text.textOut(run.text)
        canvas.drawText(text)


def _visual(pieces: list[Piece], right_to_left: bool) -> list[Piece]:
    """The pieces in the order they are drawn: Unicode's bidirectional algorithm (rules W, N,
    I and L1-L4, brackets mirrored) over the whole line, each character keeping its font."""
    storage: dict[str, Any] = bidi.get_empty_storage()
    storage["base_level"] = 1 if right_to_left else 0
    storage["base_dir"] = "R" if right_to_left else "L"
    text = "".join(piece for piece, _ in pieces)
    bidi.get_embedding_levels(text, storage)
    fonts = [font for piece, font in pieces for _ in piece]
    for char, font in zip(storage["chars"], fonts, strict=True):
        char["font"] = font
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    bidi.reorder_resolved_levels(storage, False)
    bidi.apply_mirroring(storage, False)
    visual: list[Piece] = []
    for char in storage["chars"]:
        if visual and visual[-1][1] == char["font"]:
            visual[-1] = (visual[-1][0] + char["ch"], char["font"])
        else:
            visual.append((char["ch"], char["font"]))
    return visual


def _tokens(pieces: list[Piece]) -> list[Piece]:
    """Breakable units in logical order: white space, single ideographs, and words (a word
    may be drawn in several fonts; its pieces stay together)."""
    tokens: list[Piece] = []
    glue = False  # the last token is a word the next text may continue
    for text, font in pieces:
        for part in BREAKS.split(text):
            if not part:
                continue
            breakable = part.isspace() or BREAKS.fullmatch(part) is not None
            if not breakable and glue and tokens[-1][1] == font:
                tokens[-1] = (tokens[-1][0] + part, font)
            else:
                tokens.append((part, font))
            glue = not breakable
    return tokens


def _trimmed(pieces: list[Piece]) -> list[Piece]:
    while pieces and pieces[-1][0].isspace():
        pieces = pieces[:-1]
    return pieces


def _merged(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].font == run.font:
            last = merged[-1]
            merged[-1] = Run(run.font, last.text + run.text, last.width + run.width)
        else:
            merged.append(run)
    return merged


def _clean(text: str) -> str:
    """Composed characters (Vietnamese typed as letter plus marks draws its marks apart
    without shaping), and no controls: a bidi override could reorder the line."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if not unicodedata.category(c).startswith("C") or c == "\n")


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
    """The direction of the first letter that has one (the bidirectional algorithm's rules
    P2 and P3): R for Arabic or Hebrew, else L; L when there is none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RIGHT_TO_LEFT:
            return "R"
        if kind == "L":
            return "L"
    return "L"
