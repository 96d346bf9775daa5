"""/stats as text: a block for all supporters (admins), one for each city, and the privacy note,
packed into as few messages as Telegram's 4096 characters allow; and the charts' captions."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from bot.i18n import Html, locale_of, t
from bot.localtime import show
from storage.stats import SourceKind
from storage.supporters import Status
from views.chartset import Chart, Drawn
from views.figures import CityReport, Funnel, Group, Kind, Report, Scope, Sent, Shown, Source

MESSAGE_LIMIT = 4000  # Telegram's 4096, with room to spare
SOURCE_KEYS = {
    SourceKind.CITY: "stats_source_city",
    SourceKind.ACTION: "stats_source_action",
    SourceKind.PETITION: "stats_source_petition",
    SourceKind.CHECKIN: "stats_source_checkin",
    SourceKind.OTHER: "stats_source_other",
}


def number(value: Shown, language: str) -> Html:
    """A count as it may be shown: "1,234", "fewer than 5", "about 40" (as HTML, ready to
    go into another text)."""
    if value.kind is Kind.FEW:
        return Html(t(language, "stats_few"))
    grouped = format_decimal(value.value, locale=locale_of(language))
    if value.kind is Kind.ABOUT:
        return Html(t(language, "stats_about", number=grouped))
    return Html(html.escape(grouped, quote=False))


def messages(report: Report, language: str) -> list[str]:
    """The whole report, block by block, in messages under Telegram's limit."""
    blocks = []
    if report.everyone is not None and report.everyone_sent is not None:
        blocks.append(_everyone(report.everyone, report.everyone_sent, language))
    blocks += [_city(city, language) for city in report.cities]
    blocks.append(t(language, "stats_privacy"))
    packed: list[str] = []
    for block in blocks:
        if packed and len(packed[-1]) + len(block) + 2 <= MESSAGE_LIMIT:
            packed[-1] += "\n\n" + block
        else:
            packed.append(block)
    return packed


def _everyone(group: Group, sent: Sent, language: str) -> str:
    return "\n".join(
        [
            t(language, "stats_everyone"),
            _people(group, "stats_supporters", language),
            t(
                language,
                "stats_new_supporters",
                week=number(group.new_in_week, language),
                month=number(group.new_in_month, language),
            ),
            _sources(group, language),
            _sent(sent, language),
        ]
    )


def _city(report: CityReport, language: str) -> str:
    group = report.followers
    lines = [
        t(language, "stats_city", city=report.city.name),
        _people(group, "stats_followers", language),
        t(
            language,
            "stats_new_followers",
            week=number(group.new_in_week, language),
            month=number(group.new_in_month, language),
        ),
        _sources(group, language),
        _sent(report.sent, language),
    ]
    zone = ZoneInfo(report.city.timezone)
    if report.actions:
        lines.append(t(language, "stats_actions"))
        lines += [_funnel(funnel, zone, language) for funnel in report.actions]
    else:
        lines.append(t(language, "stats_no_actions"))
    return "\n".join(lines)


def _people(group: Group, key: str, language: str) -> str:
    return t(
        language,
        key,
        total=number(group.total, language),
        active=number(group.by_status[Status.ACTIVE], language),
        paused=number(group.by_status[Status.PAUSED], language),
        unreachable=number(group.by_status[Status.UNREACHABLE], language),
    )


def _sources(group: Group, language: str) -> str:
    if not group.sources:
        return t(language, "stats_sources_none")
    parts = [_source(source, value, language) for source, value in group.sources.items()]
    return t(language, "stats_sources", sources=Html(", ".join(parts)))


def _source(source: Source, value: Shown, language: str) -> str:
    shown = number(value, language)
    if source.kind is SourceKind.REFERRAL:
        if source.code is None:
            return t(language, "stats_source_other_codes", value=shown)
        return t(language, "stats_source_code", code=source.code, value=shown)
    return t(language, SOURCE_KEYS[source.kind], value=shown)


def _sent(sent: Sent, language: str) -> str:
    return t(
        language,
        "stats_broadcasts",
        count=format_decimal(sent.broadcasts, locale=locale_of(language)),
        sent=number(sent.sent, language),
        blocked=number(sent.blocked, language),
        failed=number(sent.failed, language),
    )


def _funnel(funnel: Funnel, zone: ZoneInfo, language: str) -> str:
    return t(
        language,
        "stats_action",
        id=funnel.action_id,
        title=funnel.title,
        when=show(funnel.starts_at, zone, language),
        alerted=number(funnel.alerted, language),
        yes=number(funnel.yes, language),
        came=number(funnel.came, language),
        no=number(funnel.no, language),
    )


CAPTIONS = {
    Chart.FOLLOWERS: "stats_caption_followers",
    Chart.SOURCES: "stats_caption_sources",
    Chart.FUNNEL: "stats_caption_funnel",
}
NOTHING_TO_DRAW = {
    Chart.FOLLOWERS: "stats_no_chart_followers",
    Chart.SOURCES: "stats_no_chart_sources",
    Chart.FUNNEL: "stats_no_chart_funnel",
}


def scope_name(scope: Scope, language: str) -> str:
    """A city's name, "all cities" or "your cities"."""
    if scope.one_city is not None:
        return scope.one_city.name
    return Html(t(language, "stats_scope_all" if scope.everyone else "stats_scope_yours"))


def caption(drawn: Drawn, scope: Scope, language: str) -> str:
    text = t(language, CAPTIONS[drawn.chart], scope=scope_name(scope, language))
    if drawn.in_english:
        text += "\n" + t(language, "stats_charts_in_english")
    return text


def not_drawn(drawn: list[Drawn], scope: Scope, language: str) -> str | None:
    """What to say of the charts with nothing to draw (None: every one was drawn)."""
    missing = [chart for chart in Chart if chart not in {item.chart for item in drawn}]
    if not missing:
        return None
    if len(missing) == len(Chart):
        return t(language, "stats_no_data", scope=scope_name(scope, language))
    return "\n".join(t(language, NOTHING_TO_DRAW[chart]) for chart in missing)
