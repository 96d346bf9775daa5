"""Admins' look at the whole: /export (daily counts per city and sign-ups per link, as CSV) and
/audit (the latest entries of the audit log). Registered behind the ADMIN_IDS filter like every
admin command, so anyone else gets the unknown-command reply."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import MusterContext
from bot.i18n import Html, clipped, t
from handlers.common import PRIVATE_MESSAGE, reply
from storage.audit import Entry
from views.exports import daily_csv, links_csv

ACTION_SHOWN, DETAIL_SHOWN = 40, 80  # 20 entries stay within one message's 4096 characters


async def export(update: Update, context: MusterContext) -> None:
    """/export: two CSV files, counts only; both written to the audit log."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    language = await context.language_of(user)
    day = datetime.fromtimestamp(context.clock.now(), UTC).date().isoformat()
    daily = daily_csv(await context.exports.daily(user.id), language)
    await message.reply_document(
        InputFile(daily, filename=f"muster-daily-{day}.csv"),
        caption=t(language, "export_daily_caption", day=day),
    )
    links = links_csv(await context.exports.links(user.id), language)
    await message.reply_document(
        InputFile(links, filename=f"muster-links-{day}.csv"),
        caption=t(language, "export_links_caption", day=day),
    )


async def audit(update: Update, context: MusterContext) -> None:
    """/audit: the last 20 entries, newest first: when (UTC), who, what."""
    entries = await context.exports.audit_log()
    if not entries:
        await reply(update, context, "audit_empty")
        return
    language = await context.language_of(update.effective_user)
    lines = Html("\n".join(_line(language, entry) for entry in entries))
    await reply(update, context, "audit", count=len(entries), lines=lines)


def _line(language: str, entry: Entry) -> str:
    when = datetime.fromtimestamp(entry.at, UTC).strftime("%Y-%m-%d %H:%M")
    parts = [f"user={entry.subject_id}" if entry.subject_id is not None else "", entry.detail]
    detail = clipped(" ".join(part for part in parts if part), DETAIL_SHOWN)
    action = clipped(entry.action, ACTION_SHOWN)
    if entry.actor_id is None:
        return t(language, "audit_line_nobody", when=when, action=action, detail=detail)
    who = entry.actor_id
    return t(language, "audit_line", when=when, who=who, action=action, detail=detail)


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler[Update, MusterContext, None]]:
    admins = PRIVATE_MESSAGE & filters.User(user_id=admin_ids)
    return [
        CommandHandler("export", export, filters=admins),
        CommandHandler("audit", audit, filters=admins),
    ]
