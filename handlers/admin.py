"""Admin commands. Registered behind the ADMIN_IDS filter: anyone else falls through to the
unknown-command reply, so the commands' existence is not revealed."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import MusterContext
from bot.i18n import clipped
from handlers.common import PRIVATE_MESSAGE, reply
from storage import cities as city_store

SLUG = re.compile(r"[a-z0-9-]{2,32}")
NAME_LIMIT = 64


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # names are looked up as files
        return False
    return True


async def add_city(update: Update, context: MusterContext) -> None:
    """/addcity <slug> <IANA timezone> <display name>."""
    args = context.args or []
    if len(args) < 3:
        await reply(update, context, "usage_addcity")
        return
    slug, timezone, name = args[0], args[1], " ".join(args[2:])
    if not SLUG.fullmatch(slug):
        await reply(update, context, "bad_slug", slug=clipped(slug))
        return
    if len(name) > NAME_LIMIT:  # it stands on buttons and in every alert
        await reply(update, context, "too_long_for", limit=NAME_LIMIT)
        return
    if not valid_timezone(timezone):
        await reply(update, context, "bad_timezone", timezone=clipped(timezone))
        return
    try:
        city = await city_store.add(context.db, slug, timezone, name)
    except city_store.DuplicateCity:
        await reply(update, context, "duplicate_city", slug=slug)
        return
    await reply(update, context, "city_added", name=city.name, slug=city.slug, timezone=timezone)


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler[Update, MusterContext, None]]:
    admins = PRIVATE_MESSAGE & filters.User(user_id=admin_ids)
    return [CommandHandler("addcity", add_city, filters=admins)]
