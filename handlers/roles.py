"""Admins name organizers: /promote, /demote, /organizers. Only numeric user ids are trusted:
usernames can change hands."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import MusterContext
from bot.i18n import DEFAULT_LANGUAGE, Html, chunked, clipped, joined, t
from bot.menu import personal_menu, register_personal_menu
from handlers.common import PRIVATE_MESSAGE, parse_id, reply
from storage.cities import City
from storage.organizers import Organizer


async def promote(update: Update, context: MusterContext) -> None:
    """/promote <user_id> <city-slug>... | all"""
    args = context.args or []
    actor = update.effective_user
    user_id = parse_id(args[0]) if args else None
    if len(args) < 2 or user_id is None or actor is None:
        await reply(update, context, "usage_promote")
        return
    wanted = [arg.lower() for arg in args[1:]]
    if await context.supporters.get(user_id) is None:
        await reply(update, context, "not_started", user_id=user_id)
        return
    everything = wanted == ["all"]
    cities = [] if everything else await _cities_named(update, context, wanted)
    if cities is None:
        return
    organizer = await context.services.reach.promote(
        actor.id, user_id, [city.id for city in cities], everything
    )
    if organizer is None:
        await reply(update, context, "promote_refused_banned", user_id=user_id)
        return
    scope = await describe_scope(context, organizer, await context.language_of(actor))
    await _refresh_menu(context, user_id, organizer=True)
    await _tell(context, user_id, "you_were_promoted", organizer)
    await reply(update, context, "promoted", user_id=user_id, cities=scope)


async def _cities_named(
    update: Update, context: MusterContext, slugs: list[str]
) -> list[City] | None:
    """The cities for these slugs, or None after telling the admin which ones are unknown."""
    found = {city.slug: city for city in await context.cities.every()}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        await reply(
            update,
            context,
            "unknown_slugs",
            slugs=joined((clipped(slug) for slug in unknown), limit=10),
            cities=joined(found) or "—",
        )
        return None
    return [found[slug] for slug in dict.fromkeys(slugs)]


async def _refresh_menu(context: MusterContext, user_id: int, organizer: bool) -> None:
    admin = user_id in context.settings.admin_ids
    await register_personal_menu(
        context.bot, user_id, personal_menu(admin=admin, organizer=organizer)
    )


async def demote(update: Update, context: MusterContext) -> None:
    """/demote <user_id>"""
    args = context.args or []
    actor = update.effective_user
    user_id = parse_id(args[0]) if len(args) == 1 else None
    if user_id is None or actor is None:
        await reply(update, context, "usage_demote")
        return
    demoted = await context.services.reach.demote(actor.id, user_id)
    if demoted:
        await _refresh_menu(context, user_id, organizer=False)
    await reply(update, context, "demoted" if demoted else "not_an_organizer", user_id=user_id)


async def list_organizers(update: Update, context: MusterContext) -> None:
    """/organizers: who may reach which cities."""
    organizers = await context.services.reach.everyone()
    if not organizers:
        await reply(update, context, "no_organizers")
        return
    language = await context.language_of(update.effective_user)
    lines = [
        t(
            language,
            "organizer_line",
            user_id=organizer.user_id,
            cities=await describe_scope(context, organizer, language),
        )
        for organizer in organizers
    ]
    for chunk in chunked(lines):  # a long list goes out in several messages
        await reply(update, context, "organizers", lines=chunk)


async def describe_scope(context: MusterContext, organizer: Organizer, language: str) -> Html:
    if organizer.all_cities:
        return Html(t(language, "all_cities"))
    cities = await context.cities.every()
    return joined(city.name for city in cities if city.id in organizer.city_ids)


async def _tell(context: MusterContext, user_id: int, key: str, organizer: Organizer) -> None:
    """Lets the new organizer know; a person who blocked the bot simply is not told."""
    language = await context.supporters.language_of(user_id, DEFAULT_LANGUAGE)
    scope = await describe_scope(context, organizer, language)
    try:
        await context.bot.send_message(user_id, t(language, key, cities=scope))
    except TelegramError:
        return


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler[Update, MusterContext, None]]:
    admins = PRIVATE_MESSAGE & filters.User(user_id=admin_ids)
    return [
        CommandHandler("promote", promote, filters=admins),
        CommandHandler("demote", demote, filters=admins),
        CommandHandler("organizers", list_organizers, filters=admins),
    ]
