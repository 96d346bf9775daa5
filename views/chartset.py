"""The /stats charts as plain data, shared by the bot that fills it (views/charts.py) and the
child that draws it (views/plotting.py): names, words and numbers, nothing to import."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.stats import SourceKind

WIDTH, HEIGHT, DPI = 1200, 800, 150  # pixels: sharp on a phone, and 8 x 5.3 inches at 150 dpi


class Chart(StrEnum):
    FOLLOWERS = "followers"
    SOURCES = "sources"
    FUNNEL = "funnel"


@dataclass(frozen=True, slots=True)
class Name:
    """A city's or an action's name, and what is drawn instead when the fonts lack one of
    its characters (a Chinese name on a machine without a Chinese font): the city's slug, the
    action's number."""

    text: str
    fallback: str


@dataclass(frozen=True, slots=True)
class Words:
    """Every word the charts draw, in one language."""

    language: str
    titles: dict[Chart, str]
    axes: dict[Chart, str]
    few: str  # the band under the follower lines: "fewer than 5"
    hidden: str  # the footnote of a chart that left something out
    kinds: dict[SourceKind, str]
    steps: tuple[str, str, str, str]  # alerted, said yes, came, said no
    days: tuple[str, ...]
    weeks: tuple[str, ...]
    action_days: tuple[str, ...]
    group: str  # the digit group separator: 12,000 or 12.000


@dataclass(frozen=True, slots=True)
class ChartSet:
    words: Words
    english: Words  # when the reader's script cannot be drawn
    lines: tuple[tuple[Name, tuple[int | None, ...]], ...]
    day_ticks: tuple[int, ...]  # the days that get a date under them
    weekly: dict[SourceKind, tuple[int | None, ...]]
    funnels: tuple[tuple[Name, tuple[int | None, ...]], ...]

    def charts(self) -> list[Chart]:
        """The charts with something to draw: a chart of nothing is no chart."""
        present = []
        if self.lines:
            present.append(Chart.FOLLOWERS)
        if any(value for values in self.weekly.values() for value in values):
            present.append(Chart.SOURCES)
        if self.funnels:
            present.append(Chart.FUNNEL)
        return present


@dataclass(frozen=True, slots=True)
class Drawn:
    chart: Chart
    png: bytes
    in_english: bool  # the reader's script could not be drawn: the words are English


# The child answers with bytes: each chart as its name, a flag, the PNG's length and the PNG.


def pack(drawn: list[Drawn]) -> bytes:
    out = bytearray()
    for item in drawn:
        name = item.chart.value.encode()
        out += bytes([len(name)]) + name + bytes([int(item.in_english)])
        out += len(item.png).to_bytes(4, "big") + item.png
    return bytes(out)


def unpack(data: bytes) -> list[Drawn]:
    drawn = []
    at = 0
    while at < len(data):
        size = data[at]
        chart = Chart(data[at + 1 : at + 1 + size].decode())
        at += 1 + size
        in_english = bool(data[at])
        length = int.from_bytes(data[at + 1 : at + 5], "big")
        drawn.append(Drawn(chart, data[at + 5 : at + 5 + length], in_english))
        at += 5 + length
    return drawn
