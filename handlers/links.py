"""Invite links that count: /invite (anyone's own link and how many joined through it),
/newlink and /links (organizers' campaign links and their sign-ups)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import Html, chunked, t
from domain.links import Counted, LinkRefused
from handlers.common import PRIVATE_MESSAGE, reply
from handlers.fallback import unknown_command
from views.counts import group_count
from views.links import deep_link, invite_payload


async def invite(update: Update, context: MusterContext) -> None:
    """/invite: the supporter's personal link, made on their first ask, and how many people
    joined through it (their own count: shown whatever its size)."""
    user = update.effective_user
    if user is None:
        return
    invited = await context.links.invite(user.id)
    if invited is None:
        await reply(update, context, "start_first")
        return
    language = await context.language_of(user)
    link = deep_link(context.bot.username, invite_payload(invited.code))
    joined = (
        t(language, "invite_joined", count=invited.joined)
        if invited.joined
        else t(language, "invite_nobody_yet")
    )
    await reply(update, context, "invite", link=link, joined=Html(joined))


async def new_link(update: Update, context: MusterContext) -> None:
    """/newlink <name> [city-slug]: a campaign link whose newcomers count under the name and
    follow the city, if one is named last."""
    user = update.effective_user
    if user is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    words = context.args or []
    city = await context.cities.find(words[-1]) if len(words) > 1 else None
    name = " ".join(words[:-1] if city else words)
    try:
        made = await context.links.create(user.id, name, city)
    except LinkRefused as refused:
        await reply(update, context, refused.key, None, **refused.values)
        return
    link = deep_link(context.bot.username, invite_payload(made.code))
    if city is None:
        await reply(update, context, "newlink_made_nowhere", name=made.name, link=link)
    else:
        await reply(update, context, "newlink_made", name=made.name, city=city.name, link=link)


async def list_links(update: Update, context: MusterContext) -> None:
    """/links: the organizer's cities' links and campaign links, each with its sign-ups in
    the last 7 days and in all; a count under five shows as "fewer than 5"."""
    user = update.effective_user
    if user is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    counted = await context.links.counted_for(user.id)
    if not counted:
        await reply(update, context, "links_none")
        return
    language = await context.language_of(user)
    lines = [_line(context, language, entry) for entry in counted]
    for chunk in chunked(lines):  # many cities and links go out in several messages
        await reply(update, context, "links", lines=chunk)


def _line(context: MusterContext, language: str, entry: Counted) -> str:
    values = {
        "link": deep_link(context.bot.username, entry.payload),
        "week": group_count(entry.sign_ups.recent, language),
        "total": group_count(entry.sign_ups.total, language),
    }
    if entry.campaign is None:
        city = entry.city.name if entry.city else ""
        return t(language, "links_city_line", city=city, **values)
    if entry.city is None:
        return t(language, "links_campaign_line_nowhere", name=entry.campaign.name, **values)
    name, city = entry.campaign.name, entry.city.name
    return t(language, "links_campaign_line", name=name, city=city, **values)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("invite", invite, filters=PRIVATE_MESSAGE),
        CommandHandler("newlink", new_link, filters=PRIVATE_MESSAGE),
        CommandHandler("links", list_links, filters=PRIVATE_MESSAGE),
    ]
