"""Admins ban and unban people: /ban, /unban, /banned. Registered behind the ADMIN_IDS
filter like every admin command, so anyone else gets the unknown-command reply. Numeric ids
only: usernames can change hands."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import MusterContext
from bot.i18n import chunked, t
from bot.localtime import show
from bot.menu import register_personal_menu
from domain.bans import Refusal
from handlers.common import PRIVATE_MESSAGE, parse_id, reply

UTC = ZoneInfo("UTC")


async def ban(update: Update, context: MusterContext) -> None:
    """/ban <user_id>"""
    user_id = _only_id(context)
    actor = update.effective_user
    if user_id is None or actor is None:
        await reply(update, context, "usage_ban")
        return
    outcome = await context.bans.ban(actor.id, user_id)
    if outcome is Refusal.ADMIN:
        await reply(update, context, "ban_refused_admin", user_id=user_id)
    elif outcome is Refusal.ALREADY:
        await reply(update, context, "ban_already", user_id=user_id)
    elif outcome.was_organizer:
        await register_personal_menu(context.bot, user_id, None)  # no organizer commands
        await reply(update, context, "banned_organizer", user_id=user_id)
    else:
        await reply(update, context, "banned", user_id=user_id)


async def unban(update: Update, context: MusterContext) -> None:
    """/unban <user_id>"""
    user_id = _only_id(context)
    actor = update.effective_user
    if user_id is None or actor is None:
        await reply(update, context, "usage_unban")
        return
    lifted = await context.bans.unban(actor.id, user_id)
    await reply(update, context, "unbanned" if lifted else "not_banned", user_id=user_id)


async def list_banned(update: Update, context: MusterContext) -> None:
    """/banned: who is banned, and since when."""
    bans = await context.bans.everyone()
    if not bans:
        await reply(update, context, "no_bans")
        return
    language = await context.language_of(update.effective_user)
    lines = [
        t(language, "ban_line", user_id=ban.user_id, when=show(ban.banned_at, UTC, language))
        for ban in bans
    ]
    for chunk in chunked(lines):  # a long list goes out in several messages
        await reply(update, context, "bans", lines=chunk)


def _only_id(context: MusterContext) -> int | None:
    args = context.args or []
    return parse_id(args[0]) if len(args) == 1 else None


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler[Update, MusterContext, None]]:
    admins = PRIVATE_MESSAGE & filters.User(user_id=admin_ids)
    return [
        CommandHandler("ban", ban, filters=admins),
        CommandHandler("unban", unban, filters=admins),
        CommandHandler("banned", list_banned, filters=admins),
    ]
