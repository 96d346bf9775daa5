"""Drawing the /stats charts with matplotlib's Agg backend, headless, as PNGs of 1200 x 800.

Imported only in the drawing child of bot/printing.Printer (the bot's own process never loads
matplotlib). DejaVu Sans, which matplotlib carries, draws Latin with every accent, Vietnamese
and Arabic; Arabic is joined and laid right to left here first (matplotlib draws characters
one by one, left to right). Chinese needs a font matplotlib does not carry: one installed on
the machine is used if found (Noto Sans CJK, WenQuanYi, ...); without one, the words of the
charts are drawn in English and the caption says so, and a name in Chinese is replaced by
the city's slug or the action's number."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from functools import cache

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib: no display, no GUI toolkit

from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from storage.stats import SourceKind
from views.chartset import DPI, HEIGHT, WIDTH, Chart, ChartSet, Drawn, Name, Words

BASE_FONT = "DejaVu Sans"
# Fonts with Simplified Chinese that Linux distributions package, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
LINE_COLOURS = (
    "#1f5f99",
    "#d1495b",
    "#2e933c",
    "#edae49",
    "#7d3c98",
    "#00798c",
    "#8c564b",
    "#6c757d",
)
KIND_COLOURS = {
    SourceKind.CITY: "#1f5f99",
    SourceKind.REFERRAL: "#edae49",
    SourceKind.ACTION: "#d1495b",
    SourceKind.PETITION: "#7d3c98",
    SourceKind.CHECKIN: "#2e933c",
    SourceKind.OTHER: "#adb5bd",
}
STEP_COLOURS = ("#8da9c4", "#2e933c", "#1b5e20", "#d1495b")
MUTED = "#6c757d"
HIDDEN = "<5"  # marks what was not drawn; the footnote says it in the reader's language


@cache
def _fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """The font families to draw with, in the order tried for each character, and every
    character they have between them."""
    families = [BASE_FONT]
    files = [str(font_manager.findfont(BASE_FONT))]
    installed = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            families.append(family)
            files.append(str(installed[family]))
            break
    characters: set[int] = set()
    for file in files:
        characters.update(ft2font.FT2Font(file).get_charmap())
    matplotlib.rcParams["font.family"] = families
    return tuple(families), frozenset(characters)


_fonts()  # while a spare child waits, not when its drawing is asked for


def drawable(text: str) -> bool:
    _, characters = _fonts()
    return all(ord(char) in characters or char.isspace() for char in text)


def _named(name: Name) -> str:
    return name.text if drawable(name.text) else name.fallback


def _all_words(words: Words) -> Iterable[str]:
    yield from words.titles.values()
    yield from words.axes.values()
    yield from words.kinds.values()
    yield from words.steps
    yield from (words.few, words.hidden, *words.days, *words.weeks, *words.action_days)


def draw(charts: ChartSet) -> list[Drawn]:
    """Every chart with something to draw, in the reader's language if the fonts can write
    it, else in English."""
    _fonts()
    words = charts.words
    in_english = not all(drawable(text) for text in _all_words(words))
    if in_english:
        words = charts.english
    painters = {Chart.FOLLOWERS: _followers, Chart.SOURCES: _sources, Chart.FUNNEL: _funnel}
    return [Drawn(chart, painters[chart](charts, words), in_english) for chart in charts.charts()]


def _figure(title: str, axis: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    # Fixed margins, room for "250,000" on the left, half a date on the right and two lines
    # of labels below: a layout engine would draw every chart twice to measure it.
    figure.subplots_adjust(left=0.1, right=0.95, top=0.9, bottom=0.13)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=13, loc="left", pad=10)
    axes.set_ylabel(axis, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e9ecef", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _counts(axes: Axes, group: str) -> None:
    """Whole numbers on the y axis, grouped the reader's way (12,000 or 12.000)."""
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:,.0f}".replace(",", group))
    )
    axes.set_ylim(bottom=0)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # Quick compression: a chart is flat colour, and sending a few more kilobytes costs less
    # than the time of the thorough kind.
    figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _footnote(figure: Figure, text: str) -> None:
    figure.text(0.01, 0.005, text, fontsize=8, color=MUTED, ha="left", va="bottom")


def _followers(charts: ChartSet, words: Words) -> bytes:
    """Followers at the end of each day, one line a city; under 5, nothing is drawn, and a
    grey band says "fewer than 5"."""
    figure, axes = _figure(words.titles[Chart.FOLLOWERS], words.axes[Chart.FOLLOWERS])
    days = range(len(words.days))
    highest = 0
    for number, (name, values) in enumerate(charts.lines):
        heights = [math.nan if value is None else value for value in values]
        highest = max(highest, *(value for value in values if value is not None))
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        axes.plot(days, heights, label=_named(name), color=colour, linewidth=2)
    axes.axhspan(0, 5, color="#f1f3f5", zorder=0, linewidth=0)
    _counts(axes, words.group)
    axes.set_ylim(0, max(highest * 1.08, 10))
    if highest < 200:  # the band is tall enough to read its label
        axes.text(1, 2.5, words.few, fontsize=8, color=MUTED, va="center")
    axes.set_xlim(0, len(words.days) - 1)
    axes.set_xticks(list(charts.day_ticks), [words.days[day] for day in charts.day_ticks])
    axes.legend(loc="upper left", fontsize=9, frameon=False)
    return _png(figure)


def _sources(charts: ChartSet, words: Words) -> bytes:
    """New supporters each week, stacked by where they came from. A group of fewer than 5
    is left out of its bar, which gets "+<5" on top."""
    figure, axes = _figure(words.titles[Chart.SOURCES], words.axes[Chart.SOURCES])
    weeks = range(len(words.weeks))
    bottoms = [0] * len(words.weeks)
    hidden = [False] * len(words.weeks)
    for kind, values in charts.weekly.items():
        heights = [value or 0 for value in values]
        for week, value in enumerate(values):
            hidden[week] = hidden[week] or value is None
        if any(heights):
            axes.bar(
                weeks,
                heights,
                bottom=bottoms,
                width=0.7,
                label=words.kinds[kind],
                color=KIND_COLOURS[kind],
            )
            bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    _counts(axes, words.group)
    top = max(bottoms)
    for week in weeks:
        if hidden[week]:
            axes.text(
                week,
                bottoms[week] + top * 0.01,
                "+" + HIDDEN,
                ha="center",
                va="bottom",
                fontsize=8,
                color=MUTED,
            )
    axes.set_ylim(0, max(top * 1.12, 10))
    axes.set_xticks(list(weeks), list(words.weeks), fontsize=8)
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    if any(hidden):
        _footnote(figure, f"{HIDDEN}: {words.hidden}")
    return _png(figure)


def _funnel(charts: ChartSet, words: Words) -> bytes:
    """The latest actions side by side: the announcement's recipients reached, who said yes,
    who came, who said no; each bar with its number, "<5" where none is drawn."""
    figure, axes = _figure(words.titles[Chart.FUNNEL], words.axes[Chart.FUNNEL])
    width = 0.2
    highest = max((value or 0 for _, values in charts.funnels for value in values), default=0)
    hidden = False
    for step, (label, colour) in enumerate(zip(words.steps, STEP_COLOURS, strict=True)):
        positions = [number + (step - 1.5) * width for number in range(len(charts.funnels))]
        heights = [steps[step] for _, steps in charts.funnels]
        axes.bar(positions, [height or 0 for height in heights], width, label=label, color=colour)
        for position, height in zip(positions, heights, strict=True):
            hidden = hidden or height is None
            axes.text(
                position,
                (height or 0) + highest * 0.01,
                HIDDEN if height is None else f"{height:,}".replace(",", words.group),
                ha="center",
                va="bottom",
                fontsize=7,
                color=MUTED if height is None else "#212529",
            )
    _counts(axes, words.group)
    axes.set_ylim(0, max(highest * 1.15, 10))
    labels = [
        f"{_named(name)}\n{day}"
        for (name, _), day in zip(charts.funnels, words.action_days, strict=True)
    ]
    axes.set_xticks(range(len(charts.funnels)), labels, fontsize=8)
    axes.legend(loc="upper right", fontsize=8, frameon=False, ncols=2)
    if hidden:
        _footnote(figure, f"{HIDDEN}: {words.hidden}")
    return _png(figure)
