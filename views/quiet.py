"""What an organizer sees of quiet hours: the question before a broadcast goes into them, its
two buttons, and the report of an all-cities broadcast that waits in some cities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.i18n import Html, joined, t
from bot.localtime import show
from bot.quiet import QuietHours
from storage.cities import City
from views.buttons import BROADCAST_ABORT, BROADCAST_QUIET_URGENT, BROADCAST_QUIET_WAIT, one_per_row


@dataclass(frozen=True, slots=True)
class Asleep:
    """A city in quiet hours at some moment, and when they end there (UTC seconds)."""

    city: City
    until: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)


@dataclass(frozen=True, slots=True)
class Held:
    """A city's share of an all-cities broadcast, held until its quiet hours end."""

    city: City
    send_at: int
    expected: int  # its followers as counted at the split
    broadcast_id: int


def question(
    language: str,
    quiet: QuietHours,
    asleep: list[Asleep],
    every_city: bool,
    send_at: int | None,
    zone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup]:
    """Send when quiet hours end, or anyway? For a broadcast now (send_at None) or at a time
    (shown in `zone`, the target's); every_city when it goes to all cities."""
    values: dict[str, object] = {"window": str(quiet)}
    if every_city:
        values["cities"] = joined(sleeping.city.name for sleeping in asleep)
        key = "quiet_now_cities" if send_at is None else "quiet_at_cities"
        wait = t(language, "button_quiet_wait_local", time=quiet.ends)
    else:
        values["city"] = asleep[0].city.name
        key = "quiet_now_city" if send_at is None else "quiet_at_city"
        wait = t(language, "button_quiet_wait", time=quiet.ends)
    if send_at is None:
        urgent = t(language, "button_quiet_urgent")
    else:
        values["when"] = show(send_at, zone, language)
        local = datetime.fromtimestamp(send_at, UTC).astimezone(zone)
        urgent = t(language, "button_quiet_urgent_at", time=f"{local:%H:%M}")
    markup = one_per_row(
        (wait, BROADCAST_QUIET_WAIT.data()),
        (urgent, BROADCAST_QUIET_URGENT.data()),
        (t(language, "button_abort"), BROADCAST_ABORT.data()),
    )
    return t(language, key, **values), markup


def split_report(
    language: str, broadcast_id: int, now: int, awake: list[City], held: list[Held]
) -> str:
    """Who gets an all-cities broadcast now, by city, and who later, city by city."""
    if awake:
        cities = joined(city.name for city in awake)
        first = t(language, "broadcast_split_now", id=broadcast_id, count=now, cities=cities)
    else:
        first = t(language, "broadcast_split_nobody_now", id=broadcast_id)
    if not held:
        return first
    lines = Html(
        "\n".join(
            t(
                language,
                "broadcast_split_line",
                city=share.city.name,
                count=share.expected,
                when=show(share.send_at, ZoneInfo(share.city.timezone), language),
                id=share.broadcast_id,
            )
            for share in held
        )
    )
    return first + "\n" + t(language, "broadcast_split_later", lines=lines)
