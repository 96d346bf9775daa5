"""/start: sign-up on first contact, deep links, and welcoming back paused supporters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import joined
from bot.menu import ADMIN_MENU, register_personal_menu
from domain.cities import SLUG
from handlers.checkin import check_in
from handlers.cities import picker_for
from handlers.common import PRIVATE_MESSAGE, reply
from handlers.petitions import show_linked_petition
from handlers.rsvp import show_linked_action
from storage.cities import City
from storage.petitions import PetitionState
from storage.supporters import Status

CITY_LINK = re.compile(f"city-({SLUG.pattern})")
REFERRAL_LINK = re.compile(r"ref-([A-Za-z0-9_-]{1,40})")
ACTION_LINK = re.compile(r"action-(\d{1,12})")
PETITION_LINK = re.compile(r"petition-(\d{1,12})")
CHECKIN_LINK = re.compile(r"checkin-([A-Za-z0-9_-]{16})")


@dataclass(frozen=True, slots=True)
class DeepLink:
    city: City | None = None
    source: str | None = None
    action_id: int | None = None
    petition_id: int | None = None
    checkin: str | None = None  # an action's check-in token
    follow: City | None = None  # a city the link's content belongs to, followed quietly


async def read_deep_link(context: MusterContext) -> DeepLink:
    """The /start payload as a city to follow and a source to record; unknown ones count as
    no payload at all."""
    payload = (context.args or [""])[0]
    if match := CITY_LINK.fullmatch(payload):
        city = await context.cities.find(match[1])
        return DeepLink(city, f"city:{city.slug}") if city else DeepLink()
    if match := REFERRAL_LINK.fullmatch(payload):
        return await _referral_link(context, match[1])
    if match := ACTION_LINK.fullmatch(payload):
        return DeepLink(source=f"action:{match[1]}", action_id=int(match[1]))
    if match := PETITION_LINK.fullmatch(payload):
        petition = await context.petitions.get(int(match[1]))
        city_id = petition.city_id if petition and petition.state is PetitionState.OPEN else None
        city = await context.cities.get(city_id) if city_id is not None else None
        return DeepLink(source=f"petition:{match[1]}", petition_id=int(match[1]), follow=city)
    if match := CHECKIN_LINK.fullmatch(payload):
        return await _checkin_link(context, match[1])
    return DeepLink()


async def _referral_link(context: MusterContext, code: str) -> DeepLink:
    """A personal or campaign link: the newcomer counts for its code; a campaign link for a
    city has them follow it, as the city's own link does."""
    campaign = await context.links.arriving_by(code)
    city_id = campaign.city_id if campaign else None
    city = await context.cities.get(city_id) if city_id is not None else None
    return DeepLink(city, f"ref:{code}")


async def _checkin_link(context: MusterContext, token: str) -> DeepLink:
    """Someone checking in follows the action's city, if check-in is open; a link that is
    no action's, or whose window is shut, signs them up and follows nothing."""
    action = await context.turnout.action_for(token)
    if action is None:
        return DeepLink(checkin=token)
    open_ = context.turnout.window_open(action)
    city = await context.cities.get(action.city_id) if open_ else None
    return DeepLink(source=f"checkin:{action.id}", checkin=token, follow=city)


async def start(update: Update, context: MusterContext) -> None:
    """Registers a newcomer, resumes a paused or unreachable supporter, and greets each."""
    user = update.effective_user
    if user is None:
        return
    link = await read_deep_link(context)
    language = await context.language_of(user)
    city = link.city
    follow = city or link.follow
    arrival = await context.supporters.arrive(
        user.id, language, link.source, follow=follow.id if follow else None
    )
    if arrival.is_new and context.is_admin(user):
        # Telegram could not take an admin's menu before their first /start.
        await register_personal_menu(context.bot, user.id, ADMIN_MENU)
    picker = await picker_for(context, user.id, language, followed=arrival.follows)
    resumed = not arrival.is_new and arrival.was is not Status.ACTIVE
    linked = any(x is not None for x in (link.action_id, link.petition_id, link.checkin))
    if resumed and (linked or city is not None):
        await reply(update, context, "resumed")  # said first: the link's answer follows
    if link.checkin is not None:
        await check_in(update, context, link.checkin)
    elif link.action_id is not None:
        await show_linked_action(update, context, link.action_id)
    elif link.petition_id is not None:
        await show_linked_petition(update, context, link.petition_id)
    elif city is not None:
        key = (
            "followed_from_link"
            if arrival.is_new
            else ("subscribed" if arrival.followed else "already_following")
        )
        await reply(update, context, key, markup=picker, city=city.name)
    elif arrival.is_new:
        await reply(update, context, "welcome_new" if picker else "no_cities_yet", markup=picker)
    elif resumed:
        await reply(update, context, "resumed", markup=picker)
    else:
        await welcome_back(update, context, arrival.follows)


async def welcome_back(
    update: Update, context: MusterContext, followed_ids: set[int] | None = None
) -> None:
    user = update.effective_user
    if user is None:
        return
    language = await context.language_of(user)
    if followed_ids is None:
        followed = await context.cities.followed_by(user.id)
    else:
        followed = [city for city in await context.cities.every() if city.id in followed_ids]
    if not followed:
        # Someone who follows nothing gets the picker, not an instruction to ask for it.
        picker = await picker_for(context, user.id, language, followed=set())
        await reply(update, context, "welcome_back_none", markup=picker)
        return
    names = joined((city.name for city in followed), bold=True)
    await reply(update, context, "welcome_back", cities=names)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [CommandHandler("start", start, filters=PRIVATE_MESSAGE)]
