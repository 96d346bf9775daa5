"""Composing a broadcast: /broadcast picks a city, takes the message, previews it exactly as
supporters will see it, then sends now or schedules. Also /broadcasts, /scheduled and the
stop and unschedule buttons.

Who may target which city is asked afresh at every step, button presses included: callback
data can be forged or replayed, and an organizer can be demoted mid-conversation."""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import MusterContext
from bot.delivery import STOP_BUTTON
from bot.i18n import chunked, t
from bot.localtime import LocalTimeError, parse_local, show
from handlers.common import (
    OPENS_CONVERSATION,
    PRIVATE_MESSAGE,
    abandon,
    edit,
    leave_for_command,
    parse_id,
    reply,
)
from handlers.fallback import unknown_command
from storage import broadcasts as store
from storage import cities as city_store
from storage.broadcasts import Broadcast, Content, State

CHOOSING_CITY, WRITING, CONFIRMING, SCHEDULING = range(4)
END = ConversationHandler.END
CITY = "bc:city:"
ALL = "all"
SEND, SCHEDULE, ABORT = "bc:send", "bc:schedule", "bc:abort"
UNSCHEDULE = "bc:unschedule:"


@dataclass(slots=True)
class Draft:
    """The broadcast being composed; kept in user_data until sent or abandoned."""

    city_id: int | None = None  # None: every city
    content: Content | None = None


def draft_of(context: MusterContext) -> Draft:
    draft = context.user_data.get("draft") if context.user_data is not None else None
    if not isinstance(draft, Draft):
        draft = Draft()
        if context.user_data is not None:
            context.user_data["draft"] = draft
    return draft


async def begin(update: Update, context: MusterContext) -> int:
    """/broadcast: organizers and admins get their cities as buttons; anyone else gets the
    unknown-command reply."""
    reach = await context.reach(update.effective_user)
    if reach is None:
        await unknown_command(update, context)
        return END
    cities = [c for c in await city_store.all_cities(context.db) if reach.may_reach(c.id)]
    language = await context.language_of(update.effective_user)
    buttons = [
        [InlineKeyboardButton(city.name, callback_data=f"{CITY}{city.id}")] for city in cities
    ]
    if reach.all_cities:
        buttons.append(
            [InlineKeyboardButton(t(language, "all_cities_button"), callback_data=f"{CITY}{ALL}")]
        )
    if not buttons:
        await reply(update, context, "no_city_to_reach")
        return END
    buttons.append([InlineKeyboardButton(t(language, "button_abort"), callback_data=ABORT)])
    if context.user_data is not None:
        context.user_data["draft"] = Draft()
    await reply(update, context, "broadcast_pick_city", markup=InlineKeyboardMarkup(buttons))
    return CHOOSING_CITY


async def choose_city(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    if query is None or query.data is None:
        return END
    choice = query.data.removeprefix(CITY)
    city_id = parse_id(choice)
    city = await city_store.by_id(context.db, city_id) if city_id is not None else None
    reach = await context.reach(query.from_user)
    language = await context.language_of(query.from_user)
    valid = (choice == ALL) or city is not None
    if not valid or reach is None or not reach.may_reach(city.id if city else None):
        await query.answer(t(language, "not_your_city"), show_alert=True)
        return CHOOSING_CITY
    await query.answer()
    draft_of(context).city_id = city.id if city else None
    target = city.name if city else t(language, "all_cities")
    await edit(update, context, t(language, "broadcast_write", city=target))
    return WRITING


async def take_message(update: Update, context: MusterContext) -> int:
    """The organizer's message, with its formatting as Telegram HTML; too long is refused."""
    message = update.effective_message
    if message is None:
        return WRITING
    reach = await context.reach(update.effective_user)
    if reach is None or not reach.may_reach(draft_of(context).city_id):
        await reply(update, context, "not_your_city")
        return END
    content = content_of(message)
    if content is None:
        await reply(update, context, "broadcast_text_or_photo")
        return WRITING
    limit = MessageLimit.CAPTION_LENGTH if content.photo_file_id else MessageLimit.MAX_TEXT_LENGTH
    if utf16_length(message.caption or message.text or "") > limit:
        await reply(update, context, "broadcast_too_long", limit=int(limit))
        return WRITING
    draft = draft_of(context)
    draft.content = content
    await preview(update, context, draft)
    return CONFIRMING


def content_of(message: Message) -> Content | None:
    if message.photo:
        return Content(message.caption_html or "", photo_file_id=message.photo[-1].file_id)
    if message.text:
        return Content(message.text_html)
    return None


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


async def preview(update: Update, context: MusterContext, draft: Draft) -> None:
    """Shows the message exactly as supporters will get it, then the count and the choices."""
    message, content = update.effective_message, draft.content
    if message is None or content is None:
        return
    if content.photo_file_id:
        await message.reply_photo(content.photo_file_id, caption=content.body)
    else:
        await message.reply_text(content.body)
    recipients = await store.audience_size(context.db, draft.city_id)
    language = await context.language_of(update.effective_user)
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(language, "button_send_now"), callback_data=SEND)],
            [InlineKeyboardButton(t(language, "button_schedule"), callback_data=SCHEDULE)],
            [InlineKeyboardButton(t(language, "button_abort"), callback_data=ABORT)],
        ]
    )
    await reply(update, context, "broadcast_confirm", markup=markup, count=recipients)


async def send_now(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None or draft.content is None:
        return END
    language = await context.language_of(query.from_user)
    await query.answer()
    broadcast = await store.create(context.db, query.from_user.id, draft.city_id, draft.content)
    total = await context.engine.send_now(broadcast.id)
    await edit(update, context, t(language, "broadcast_started", id=broadcast.id, count=total))
    return END


async def ask_time(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None:
        return END
    await query.answer()
    language = await context.language_of(query.from_user)
    zone = await _zone(context, draft)
    await edit(update, context, t(language, "broadcast_when", zone=zone.key))
    return SCHEDULING


async def take_time(update: Update, context: MusterContext) -> int:
    """A local time in the city's zone; a bad one gets the reason and another chance."""
    message, user = update.effective_message, update.effective_user
    draft = draft_of(context)
    if message is None or user is None or draft.content is None:
        return END
    reach = await context.reach(user)
    if reach is None or not reach.may_reach(draft.city_id):
        await reply(update, context, "not_your_city")
        return END
    zone = await _zone(context, draft)
    language = await context.language_of(user)
    try:
        moment = parse_local(message.text or "", zone)
    except LocalTimeError as error:
        await reply(update, context, error.problem.value, zone=zone.key)
        return SCHEDULING
    broadcast = await store.create(
        context.db, user.id, draft.city_id, draft.content, moment.timestamp
    )
    await context.scheduler.arm(broadcast)
    key = "broadcast_scheduled_ambiguous" if moment.ambiguous else "broadcast_scheduled"
    await reply(update, context, key, id=broadcast.id, when=show(moment.utc, zone, language))
    return END


async def abort(update: Update, context: MusterContext) -> int:
    """The Cancel button or /cancel, at any step: nothing is sent."""
    return await abandon(update, context, "draft")


async def _allowed_draft(update: Update, context: MusterContext) -> Draft | None:
    """The draft, if its target is still within the presser's reach."""
    query = update.callback_query
    if query is None:
        return None
    draft = draft_of(context)
    reach = await context.reach(query.from_user)
    if reach is None or draft.content is None or not reach.may_reach(draft.city_id):
        language = await context.language_of(query.from_user)
        await query.answer(t(language, "not_your_city"), show_alert=True)
        return None
    return draft


async def _zone(context: MusterContext, draft: Draft) -> ZoneInfo:
    """The city's zone; a send to every city is timed in UTC."""
    city = await city_store.by_id(context.db, draft.city_id) if draft.city_id else None
    return ZoneInfo(city.timezone if city else "UTC")


# --- after sending: stop, list, unschedule ----------------------------------------------


async def may_manage(context: MusterContext, user_id: int, broadcast: Broadcast) -> bool:
    """An admin, or an organizer who may reach the broadcast's city now. Having written it
    is not enough: a demoted author keeps no power over it."""
    organizer = await context.reach_by_id(user_id)
    return organizer is not None and organizer.may_reach(
        None if broadcast.all_cities else broadcast.city_id
    )


async def stop_broadcast(update: Update, context: MusterContext) -> None:
    """The Cancel button on the live status message."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = await context.language_of(query.from_user)
    number = query.data.removeprefix(STOP_BUTTON)
    broadcast = await store.get(context.db, parse_id(number) or 0)
    if broadcast is None or not await may_manage(context, query.from_user.id, broadcast):
        await query.answer(t(language, "not_your_broadcast"), show_alert=True)
        return
    stopped = await context.engine.cancel(broadcast.id, query.from_user.id)
    await query.answer(t(language, "broadcast_stopping" if stopped else "broadcast_not_running"))


async def list_broadcasts(update: Update, context: MusterContext) -> None:
    """/broadcasts: recent and running broadcasts the caller may manage, with counts."""
    user = update.effective_user
    reach = await context.reach(user)
    if user is None or reach is None:
        await unknown_command(update, context)
        return
    language = await context.language_of(user)
    names = {city.id: city.name for city in await city_store.all_cities(context.db)}
    lines = []
    scope = None if reach.all_cities else user.id
    for broadcast in await store.recent(context.db, limit=10, organizer_id=scope):
        counts = await store.counts(context.db, broadcast.id)
        lines.append(
            t(
                language,
                "broadcast_line",
                id=broadcast.id,
                city=_target(broadcast, names, language),
                state=t(language, f"state_{broadcast.state.value}"),
                sent=counts[store.Outcome.SENT],
                total=counts.total,
                failed=counts[store.Outcome.FAILED] + counts[store.Outcome.BLOCKED],
            )
        )
    if not lines:
        await reply(update, context, "no_broadcasts")
        return
    for chunk in chunked(lines):  # a long list goes out in several messages
        await reply(update, context, "broadcasts", lines=chunk)


async def list_scheduled(update: Update, context: MusterContext) -> None:
    """/scheduled: waiting broadcasts, each with a button to cancel it."""
    user = update.effective_user
    reach = await context.reach(user)
    if user is None or reach is None:
        await unknown_command(update, context)
        return
    language = await context.language_of(user)
    cities = {city.id: city for city in await city_store.all_cities(context.db)}
    shown = 0
    for broadcast in await store.in_state(context.db, State.SCHEDULED):
        if not await may_manage(context, user.id, broadcast) or broadcast.send_at is None:
            continue
        city = cities.get(broadcast.city_id or 0)
        zone = ZoneInfo(city.timezone if city else "UTC")
        text = t(
            language,
            "scheduled_line",
            id=broadcast.id,
            city=_target(broadcast, {c.id: c.name for c in cities.values()}, language),
            when=show(broadcast.send_at, zone, language),
            preview=_preview_text(broadcast),
        )
        button = InlineKeyboardButton(
            t(language, "button_unschedule"), callback_data=f"{UNSCHEDULE}{broadcast.id}"
        )
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                text, reply_markup=InlineKeyboardMarkup([[button]])
            )
        shown += 1
    if shown == 0:
        await reply(update, context, "no_scheduled")


async def unschedule(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = await context.language_of(query.from_user)
    number = query.data.removeprefix(UNSCHEDULE)
    broadcast = await store.get(context.db, parse_id(number) or 0)
    if broadcast is None or not await may_manage(context, query.from_user.id, broadcast):
        await query.answer(t(language, "not_your_broadcast"), show_alert=True)
        return
    await query.answer()
    if await store.cancel_scheduled(context.db, broadcast.id, query.from_user.id):
        context.scheduler.disarm(broadcast.id)
        await edit(update, context, t(language, "scheduled_cancelled", id=broadcast.id))
    else:
        await edit(update, context, t(language, "scheduled_gone", id=broadcast.id))


def _target(broadcast: Broadcast, names: dict[int, str], language: str) -> str:
    if broadcast.all_cities:
        return t(language, "all_cities")
    return names.get(broadcast.city_id or 0, "?")


def _preview_text(broadcast: Broadcast) -> str:
    """The first words of the message, tags stripped, for lists."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", broadcast.content.body))
    return plain if len(plain) <= 60 else plain[:59] + "…"


def conversation() -> ConversationHandler[MusterContext]:
    text_or_photo = PRIVATE_MESSAGE & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that button presses are tracked per chat, not per message: that is the
        # intent here, since one person composes one broadcast at a time.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[CommandHandler("broadcast", begin, filters=PRIVATE_MESSAGE)],
            states={
                CHOOSING_CITY: [CallbackQueryHandler(choose_city, pattern=f"^{CITY}")],
                WRITING: [MessageHandler(text_or_photo, take_message)],
                CONFIRMING: [
                    CallbackQueryHandler(send_now, pattern=f"^{SEND}$"),
                    CallbackQueryHandler(ask_time, pattern=f"^{SCHEDULE}$"),
                ],
                SCHEDULING: [MessageHandler(text_or_photo & filters.TEXT, take_time)],
            },
            fallbacks=[
                CommandHandler("cancel", abort, filters=PRIVATE_MESSAGE),
                CallbackQueryHandler(abort, pattern=f"^{ABORT}$"),
                MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, leave_for_command),
                CallbackQueryHandler(leave_for_command, pattern=OPENS_CONVERSATION),
            ],
            conversation_timeout=30 * 60,
            allow_reentry=True,
        )


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    """Everything but the conversation, which app.py registers ahead of all handlers."""
    return [
        CommandHandler("broadcasts", list_broadcasts, filters=PRIVATE_MESSAGE),
        CommandHandler("scheduled", list_scheduled, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(stop_broadcast, pattern=f"^{STOP_BUTTON}"),
        CallbackQueryHandler(unschedule, pattern=f"^{UNSCHEDULE}"),
    ]
