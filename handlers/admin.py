"""Admin commands. Registered behind the ADMIN_IDS filter: anyone else falls through to the
unknown-command reply, so the commands' existence is not revealed."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import MusterContext
from bot.i18n import clipped
from domain.cities import CityRejected
from handlers.common import PRIVATE_MESSAGE, reply


async def add_city(update: Update, context: MusterContext) -> None:
    """/addcity <slug> <IANA timezone> <display name>."""
    args = context.args or []
    if len(args) < 3:
        await reply(update, context, "usage_addcity")
        return
    slug, timezone, name = args[0], args[1], " ".join(args[2:])
    try:
        city = await context.cities.add(slug, timezone, name)
    except CityRejected as rejected:
        values = {key: clipped(str(value)) for key, value in rejected.values.items()}
        await reply(update, context, rejected.key, None, **values)
        return
    await reply(update, context, "city_added", name=city.name, slug=city.slug, timezone=timezone)


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler[Update, MusterContext, None]]:
    admins = PRIVATE_MESSAGE & filters.User(user_id=admin_ids)
    return [CommandHandler("addcity", add_city, filters=admins)]
