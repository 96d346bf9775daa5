"""Following cities: the /cities picker with its toggle buttons, /subscribe, /unsubscribe and
/mycities."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import clipped, joined, t
from handlers.common import (
    PRIVATE_MESSAGE,
    argument_text,
    edit_markup,
    reply,
    signed_up,
)
from storage.cities import City
from views.buttons import CITY_PAGE, CITY_TOGGLE

# Telegram caps an inline keyboard at 100 buttons; pages keep the picker short on a phone.
PAGE_SIZE = 16


def picker_markup(
    cities: list[City], followed: set[int], language: str, page: int = 0
) -> InlineKeyboardMarkup:
    """Two cities per row, a ✅ on the followed ones, and paging buttons where needed."""
    pages = max(1, -(-len(cities) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = cities[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [
        InlineKeyboardButton(
            f"✅ {city.name}" if city.id in followed else city.name,
            callback_data=CITY_TOGGLE.data(city.id, page),
        )
        for city in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(
                t(language, "button_page_previous"), callback_data=CITY_PAGE.data(page - 1)
            )
        )
    if page < pages - 1:
        paging.append(
            InlineKeyboardButton(
                t(language, "button_page_next"), callback_data=CITY_PAGE.data(page + 1)
            )
        )
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


async def picker_for(
    context: MusterContext,
    user_id: int,
    language: str,
    page: int = 0,
    followed: set[int] | None = None,
) -> InlineKeyboardMarkup | None:
    """The picker for this supporter, or None when no city exists yet."""
    picker = await context.cities.picker(user_id, followed)
    if picker is None:
        return None
    return picker_markup(picker.cities, picker.followed, language, page)


async def show_picker(update: Update, context: MusterContext) -> None:
    """/cities: the inline keyboard of every city, followed ones marked. Asking for it signs
    a newcomer up, as /start does, so its buttons work for them."""
    user = update.effective_user
    if user is None:
        return
    language = await context.language_of(user)
    await context.supporters.ensure(user.id, language)
    markup = await picker_for(context, user.id, language)
    if markup is None:
        await reply(update, context, "no_cities_yet")
        return
    await reply(update, context, "pick_cities", markup=markup)


async def toggle_city(update: Update, context: MusterContext) -> None:
    """A press on a city flips the follow and redraws the same message's keyboard."""
    query = update.callback_query
    if query is None:
        return
    city_id, page = CITY_TOGGLE.number(query.data, 0), CITY_TOGGLE.number(query.data, 1)
    city = await context.cities.get(city_id) if city_id is not None else None
    if city is None:
        # Forged or stale data (a city removed since): nothing to toggle.
        await query.answer()
        return
    if not await signed_up(update, context):
        return
    language = await context.language_of(query.from_user)
    followed = await context.cities.toggle(query.from_user.id, city.id)
    await query.answer()
    await _redraw(update, context, language, page or 0, followed)


async def turn_page(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    if query is None:
        return
    page = CITY_PAGE.number(query.data)
    await query.answer()
    language = await context.language_of(query.from_user)
    await _redraw(update, context, language, page or 0)


async def _redraw(
    update: Update,
    context: MusterContext,
    language: str,
    page: int,
    followed: set[int] | None = None,
) -> None:
    query = update.callback_query
    if query is None:
        return
    markup = await picker_for(context, query.from_user.id, language, page, followed)
    await edit_markup(update, context, markup)


async def subscribe(update: Update, context: MusterContext) -> None:
    """/subscribe <city>: follow a city named by slug or display name."""
    city = await _named_city(update, context, "usage_subscribe")
    user = update.effective_user
    if city is None or user is None:
        return
    language = await context.language_of(user)
    await context.supporters.ensure(user.id, language)
    followed = await context.cities.follow(user.id, city.id)
    await reply(update, context, "subscribed" if followed else "already_following", city=city.name)


async def unsubscribe(update: Update, context: MusterContext) -> None:
    """/unsubscribe <city>."""
    city = await _named_city(update, context, "usage_unsubscribe")
    user = update.effective_user
    if city is None or user is None:
        return
    dropped = await context.cities.unfollow(user.id, city.id)
    await reply(update, context, "unsubscribed" if dropped else "not_following", city=city.name)


async def _named_city(update: Update, context: MusterContext, usage_key: str) -> City | None:
    """The city the arguments name; otherwise replies with what is expected and the known
    cities."""
    query = argument_text(context)
    city = await context.cities.find(query) if query else None
    if city is not None:
        return city
    known = joined(city.name for city in await context.cities.every()) or "—"
    if query:
        await reply(update, context, "unknown_city", query=clipped(query), cities=known)
    else:
        await reply(update, context, usage_key, cities=known)
    return None


async def my_cities(update: Update, context: MusterContext) -> None:
    """/mycities: the cities the supporter follows."""
    user = update.effective_user
    if user is None:
        return
    followed = await context.cities.followed_by(user.id)
    if not followed:
        await reply(update, context, "my_cities_none")
        return
    await reply(update, context, "my_cities", cities=joined((c.name for c in followed), bold=True))


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("cities", show_picker, filters=PRIVATE_MESSAGE),
        CommandHandler("subscribe", subscribe, filters=PRIVATE_MESSAGE),
        CommandHandler("unsubscribe", unsubscribe, filters=PRIVATE_MESSAGE),
        CommandHandler("mycities", my_cities, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(toggle_city, pattern=CITY_TOGGLE.pattern),
        CallbackQueryHandler(turn_page, pattern=CITY_PAGE.pattern),
    ]
