"""Telegram's HTML (a petition's demand, a catalog text) read back into styled paragraphs, for
documents that are not Telegram messages."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

BOLD_TAGS = frozenset({"b", "strong"})
ITALIC_TAGS = frozenset({"i", "em"})


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False


Paragraph = list[Span]


def paragraphs(html: str) -> list[Paragraph]:
    """The text's paragraphs (one per line, empty lines kept as spacing), each a list of
    spans. Bold and italic are kept; links are printed with their address, since paper
    cannot be clicked; every other tag (underline, spoiler, code, quote) gives plain text."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.done()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._bold = 0
        self._italic = 0
        self._links: list[str | None] = []
        self._paragraphs: list[Paragraph] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BOLD_TAGS:
            self._bold += 1
        elif tag in ITALIC_TAGS:
            self._italic += 1
        elif tag == "a":
            self._links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in BOLD_TAGS:
            self._bold = max(0, self._bold - 1)
        elif tag in ITALIC_TAGS:
            self._italic = max(0, self._italic - 1)
        elif tag == "a" and self._links:
            address = self._links.pop()
            if address and not address.startswith("tg://"):
                self._add(f" ({address})")

    def handle_data(self, data: str) -> None:
        lines = data.split("\n")
        for number, line in enumerate(lines):
            if number:
                self._paragraphs.append([])
            if line:
                self._add(line)

    def _add(self, text: str) -> None:
        self._paragraphs[-1].append(Span(text, self._bold > 0, self._italic > 0))

    def done(self) -> list[Paragraph]:
        found = self._paragraphs
        while found and not found[-1]:
            found.pop()
        return found
