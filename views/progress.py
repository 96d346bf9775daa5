"""The organizer's live status message for a broadcast going out, and its last edit: the
delivery report."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from storage.broadcasts import Counts, Outcome
from views.buttons import BROADCAST_STOP


def progress_text(
    broadcast_id: int,
    counts: Counts,
    language: str,
    *,
    final: bool,
    cancelled: bool = False,
    rate: float = 0.0,
) -> str:
    """Sent of total, failed, percent, and while it runs the rate and an ETA."""
    total = max(counts.total, 1)
    values = {
        "id": broadcast_id,
        "sent": counts[Outcome.SENT],
        "total": counts.total,
        "failed": counts[Outcome.FAILED] + counts[Outcome.BLOCKED],
        "blocked": counts[Outcome.BLOCKED],
        "percent": round(100 * counts.finished / total),
    }
    if final:
        key = "broadcast_cancelled_report" if cancelled else "broadcast_report"
        return t(language, key, cancelled=counts[Outcome.CANCELLED], **values)
    eta = counts[Outcome.PENDING] / rate if rate > 0 else None
    return t(
        language,
        "broadcast_progress",
        rate=f"{rate:.1f}",
        eta=duration(eta) if eta is not None else "…",
        **values,
    )


def stop_markup(broadcast_id: int, language: str) -> InlineKeyboardMarkup:
    """The Cancel button under a broadcast going out."""
    button = InlineKeyboardButton(
        t(language, "button_stop_broadcast"), callback_data=BROADCAST_STOP.data(broadcast_id)
    )
    return InlineKeyboardMarkup([[button]])


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02}m"
