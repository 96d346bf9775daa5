"""The three /stats charts filled in for the process that draws them (views/plotting.py, run
by bot/printing.Printer): every word already in the reader's language, and in English for a
machine whose fonts cannot draw the reader's script; dates written by Babel; a hidden count
(fewer than 5) is None, so it cannot be drawn. This module never imports matplotlib: the bot
refers to render_charts by name, and only the child imports what draws."""

from __future__ import annotations

import html
from datetime import date, datetime

from babel.dates import format_skeleton
from babel.numbers import get_group_symbol

from bot.i18n import DEFAULT_LANGUAGE, locale_of, t
from storage.stats import SourceKind
from views.chartset import Chart, ChartSet, Name, Words, pack
from views.figures import Funnel, Trends

TITLE_LIMIT = 22  # an action's title under its bars
DAY_TICKS = 14  # a date under every second week of the follower line


def chart_set(trends: Trends, language: str) -> ChartSet:
    days = trends.scope.days
    return ChartSet(
        words=words(trends, language),
        english=words(trends, DEFAULT_LANGUAGE),
        lines=tuple(
            (Name(line.city.name, line.city.slug), tuple(line.values)) for line in trends.lines
        ),
        # A date under every second week, the last under today.
        day_ticks=tuple(range(len(days) - 1, -1, -DAY_TICKS))[::-1],
        weekly={kind: tuple(values) for kind, values in trends.weekly.items()},
        funnels=tuple((_action_name(funnel), _steps(funnel)) for funnel in trends.funnels),
    )


def words(trends: Trends, language: str) -> Words:
    def plain(key: str) -> str:
        # t() writes Telegram HTML; a chart wants the characters themselves.
        return html.unescape(t(language, key))

    return Words(
        language=language,
        titles={chart: plain(f"stats_chart_{chart.value}") for chart in Chart},
        axes={chart: plain(f"stats_axis_{chart.value}") for chart in Chart},
        few=plain("stats_few"),
        hidden=plain("stats_chart_hidden"),
        kinds={kind: plain(f"stats_kind_{kind.value}") for kind in SourceKind},
        steps=(
            plain("stats_step_alerted"),
            plain("stats_step_yes"),
            plain("stats_step_came"),
            plain("stats_step_no"),
        ),
        days=tuple(_day(day, language) for day in trends.scope.days),
        weeks=tuple(_day(week, language) for week in trends.scope.weeks),
        action_days=tuple(
            _day(datetime.fromtimestamp(funnel.starts_at, trends.scope.zone).date(), language)
            for funnel in trends.funnels
        ),
        group=get_group_symbol(locale=locale_of(language)),
    )


def _day(day: date, language: str) -> str:
    """Day and month the way the language writes them: Dec 4, 4 dic, 12月4日."""
    return format_skeleton("MMMd", day, locale=locale_of(language))


def _action_name(funnel: Funnel) -> Name:
    title = funnel.title if len(funnel.title) <= TITLE_LIMIT else funnel.title[: TITLE_LIMIT - 1]
    title = title.rstrip() + ("…" if len(funnel.title) > TITLE_LIMIT else "")
    return Name(f"#{funnel.action_id} {title}", f"#{funnel.action_id}")


def _steps(funnel: Funnel) -> tuple[int | None, ...]:
    return tuple(value.drawn for value in (funnel.alerted, funnel.yes, funnel.came, funnel.no))


def render_charts(charts: ChartSet, rows: list[object]) -> bytes:
    """In the drawing child: every chart with something to draw, packed (see pack)."""
    # Imported here, not above: only the child that draws may load matplotlib.
    from views import plotting

    return pack(plotting.draw(charts))
