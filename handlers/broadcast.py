"""Composing a broadcast: /broadcast picks a city, takes the message, previews it exactly as
supporters will see it, then sends now or schedules. Also /broadcasts, /scheduled and the
stop and unschedule buttons.

Who may target which city is asked afresh at every step, button presses included: callback
data can be forged or replayed, and an organizer can be demoted mid-conversation."""

from __future__ import annotations

import html
import re
from dataclasses import replace
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

from bot.context import MusterContext
from bot.i18n import LANGUAGES, Html, chunked, joined, language_name, t
from bot.localtime import LocalTimeError, parse_local, show
from domain.drafts import BroadcastDraft
from handlers.common import PRIVATE_MESSAGE, edit, reply, utf16_length
from handlers.conversations import persistent, step
from handlers.fallback import unknown_command
from storage.broadcasts import Broadcast, Content, Outcome, Version
from views.buttons import (
    BROADCAST_ABORT,
    BROADCAST_ADD_VERSION,
    BROADCAST_CITY,
    BROADCAST_QUIET_URGENT,
    BROADCAST_QUIET_WAIT,
    BROADCAST_SCHEDULE,
    BROADCAST_SEND,
    BROADCAST_STOP,
    BROADCAST_VERSION_LANGUAGE,
    UNSCHEDULE,
    one_per_row,
)
from views.quiet import Asleep, question, split_report

CHOOSING_CITY, WRITING, CONFIRMING, SCHEDULING, VERSION_LANGUAGE, WRITING_VERSION, QUIET = range(7)
END = ConversationHandler.END
ALL = "all"
KIND = "broadcast"


def draft_of(context: MusterContext) -> BroadcastDraft:
    """The broadcast being composed (the conversation's steps keep it in the database)."""
    draft = context.user_data.get("draft") if context.user_data is not None else None
    if not isinstance(draft, BroadcastDraft):
        draft = BroadcastDraft()
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
    cities = [c for c in await context.cities.every() if reach.may_reach(c.id)]
    language = await context.language_of(update.effective_user)
    buttons = [
        [InlineKeyboardButton(city.name, callback_data=BROADCAST_CITY.data(city.id))]
        for city in cities
    ]
    if reach.all_cities:
        buttons.append(
            [
                InlineKeyboardButton(
                    t(language, "all_cities_button"), callback_data=BROADCAST_CITY.data(ALL)
                )
            ]
        )
    if not buttons:
        await reply(update, context, "no_city_to_reach")
        return END
    buttons.append(
        [InlineKeyboardButton(t(language, "button_abort"), callback_data=BROADCAST_ABORT.data())]
    )
    if context.user_data is not None:
        context.user_data["draft"] = BroadcastDraft()
    await reply(update, context, "broadcast_pick_city", markup=InlineKeyboardMarkup(buttons))
    return CHOOSING_CITY


async def choose_city(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    if query is None:
        return END
    (choice,) = BROADCAST_CITY.parse(query.data) or ("",)
    city = await context.cities.get(int(choice)) if choice.isdigit() else None
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


async def ask_version_language(update: Update, context: MusterContext) -> int:
    """🌐 Add a language: the languages the message is not yet written in."""
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None or draft.content is None:
        return END
    await query.answer()
    language = await context.language_of(query.from_user)
    written = {language, *draft.content.versions}  # the body is in the organizer's
    missing = [code for code in LANGUAGES if code not in written]
    markup = one_per_row(
        *((language_name(code), BROADCAST_VERSION_LANGUAGE.data(code)) for code in missing),
        (t(language, "button_abort"), BROADCAST_ABORT.data()),
    )
    await edit(update, context, t(language, "broadcast_pick_language"), markup)
    return VERSION_LANGUAGE


async def choose_version_language(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None:
        return END
    (code,) = BROADCAST_VERSION_LANGUAGE.parse(query.data) or ("",)
    if code not in LANGUAGES:
        await query.answer()
        return VERSION_LANGUAGE
    await query.answer()
    draft.version_language = code
    language = await context.language_of(query.from_user)
    name = language_name(code)
    await edit(update, context, t(language, "broadcast_write_version", language=name))
    return WRITING_VERSION


async def take_version(update: Update, context: MusterContext) -> int:
    """The message in another language: text (for a photo, the caption in that language)."""
    message, draft = update.effective_message, draft_of(context)
    reach = await context.reach(update.effective_user)
    if reach is None or not reach.may_reach(draft.city_id):
        await reply(update, context, "not_your_city")
        return END
    if message is None or draft.content is None or draft.version_language is None:
        return END
    if not message.text:
        await reply(update, context, "broadcast_version_text")
        return WRITING_VERSION
    photo = draft.content.photo_file_id is not None
    limit = MessageLimit.CAPTION_LENGTH if photo else MessageLimit.MAX_TEXT_LENGTH
    if utf16_length(message.text) > limit:
        await reply(update, context, "broadcast_too_long", limit=int(limit))
        return WRITING_VERSION
    versions = {**draft.content.versions, draft.version_language: Version(message.text_html)}
    draft.content = replace(draft.content, versions=versions)
    draft.version_language = None
    await preview(update, context, draft, shown=message.text_html)
    return CONFIRMING


def content_of(message: Message) -> Content | None:
    if message.photo:
        return Content(message.caption_html or "", photo_file_id=message.photo[-1].file_id)
    if message.text:
        return Content(message.text_html)
    return None


async def preview(
    update: Update, context: MusterContext, draft: BroadcastDraft, shown: str | None = None
) -> None:
    """Shows the message exactly as supporters will get it (the version just written, or the
    body), then the languages it is written in, the count and the choices."""
    message, content = update.effective_message, draft.content
    if message is None or content is None:
        return
    body = content.body if shown is None else shown
    if content.photo_file_id:
        await message.reply_photo(content.photo_file_id, caption=body)
    else:
        await message.reply_text(body)
    if content.versions:
        names = joined(language_name(code) for code in content.versions)
        await reply(update, context, "broadcast_versions", languages=names)
    recipients = await context.broadcasts.audience(draft.city_id)
    language = await context.language_of(update.effective_user)
    markup = one_per_row(
        (t(language, "button_send_now"), BROADCAST_SEND.data()),
        (t(language, "button_schedule"), BROADCAST_SCHEDULE.data()),
        (t(language, "button_add_version"), BROADCAST_ADD_VERSION.data()),
        (t(language, "button_abort"), BROADCAST_ABORT.data()),
    )
    await reply(update, context, "broadcast_confirm", markup=markup, count=recipients)


async def send_now(update: Update, context: MusterContext) -> int:
    """Sends, unless it is quiet hours where it goes: then the organizer is asked first."""
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None or draft.content is None:
        return END
    await query.answer()
    draft.send_at = 0
    asleep = await context.broadcasts.asleep(draft.city_id)
    if asleep:
        await _ask_about_quiet(update, context, draft, asleep)
        return QUIET
    await _send(update, context, draft, urgent=False)
    return END


async def _send(
    update: Update, context: MusterContext, draft: BroadcastDraft, *, urgent: bool
) -> None:
    """Sends the draft now and says to how many on the pressed message, by city when some
    wait for the morning."""
    user = update.effective_user
    if user is None or draft.content is None:
        return
    language = await context.language_of(user)
    sent = await context.broadcasts.send(user.id, draft.city_id, draft.content, urgent=urgent)
    if sent.split:
        text = split_report(language, sent.id, sent.now, sent.awake, sent.held)
    else:
        key = "broadcast_started_urgent" if urgent else "broadcast_started"
        text = t(language, key, id=sent.id, count=sent.now)
    await edit(update, context, text)


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
    asleep = await context.broadcasts.asleep(draft.city_id, moment.timestamp)
    if asleep:
        draft.send_at = moment.timestamp
        if moment.ambiguous:
            await reply(update, context, "time_ambiguous_note")
        await _ask_about_quiet(update, context, draft, asleep)
        return QUIET
    broadcast = await context.broadcasts.schedule(
        user.id, draft.city_id, draft.content, moment.timestamp
    )
    key = "broadcast_scheduled_ambiguous" if moment.ambiguous else "broadcast_scheduled"
    await reply(update, context, key, id=broadcast.id, when=show(moment.utc, zone, language))
    return END


# --- quiet hours: send when they end, or anyway --------------------------------------------


async def _ask_about_quiet(
    update: Update, context: MusterContext, draft: BroadcastDraft, asleep: list[Asleep]
) -> None:
    """Send when quiet hours end, or anyway? On the pressed message, or after a typed time."""
    quiet = context.settings.quiet_hours
    if quiet is None:
        return
    language = await context.language_of(update.effective_user)
    zone = await _zone(context, draft)
    every_city = draft.city_id is None
    send_at = draft.send_at or None
    text, markup = question(language, quiet, asleep, every_city, send_at, zone)
    if update.callback_query is not None:
        await edit(update, context, text, markup)
    elif update.effective_message is not None:  # after a typed time
        await update.effective_message.reply_text(text, reply_markup=markup)


async def wait_for_quiet_end(update: Update, context: MusterContext) -> int:
    """Send at 08:00: to one city, scheduled for the end of its quiet hours; to every city,
    now (or at the time chosen) where it is day and at the end of quiet hours elsewhere."""
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None or draft.content is None:
        return END
    await query.answer()
    if draft.city_id is None:
        await _wait_where_it_is_night(update, context, draft)
        return END
    morning = await context.broadcasts.morning(draft.city_id, draft.send_at or None)
    if morning <= context.clock.now():  # quiet hours ended while the question waited
        await _send(update, context, draft, urgent=False)
    else:
        await _schedule(update, context, draft, morning, urgent=False)
    return END


async def send_anyway(update: Update, context: MusterContext) -> int:
    """Send now anyway (urgent), or at the time chosen: a rapid-response alert cannot wait for
    the morning. The choice is written to the audit log with the broadcast."""
    query = update.callback_query
    draft = await _allowed_draft(update, context)
    if query is None or draft is None or draft.content is None:
        return END
    await query.answer()
    if draft.send_at:
        await _schedule(update, context, draft, draft.send_at, urgent=True)
    else:
        await _send(update, context, draft, urgent=True)
    return END


async def _wait_where_it_is_night(
    update: Update, context: MusterContext, draft: BroadcastDraft
) -> None:
    """Every city: split now, or scheduled as chosen and split when its time comes."""
    user = update.effective_user
    if user is None or draft.content is None:
        return
    if not draft.send_at:
        await _send(update, context, draft, urgent=False)
        return
    language = await context.language_of(user)
    broadcast = await context.broadcasts.schedule(user.id, None, draft.content, draft.send_at)
    when = show(draft.send_at, await _zone(context, draft), language)
    await edit(
        update, context, t(language, "broadcast_scheduled_waits", id=broadcast.id, when=when)
    )


async def _schedule(
    update: Update, context: MusterContext, draft: BroadcastDraft, send_at: int, *, urgent: bool
) -> None:
    user = update.effective_user
    if user is None or draft.content is None:
        return
    language = await context.language_of(user)
    scheduled = context.broadcasts.schedule
    broadcast = await scheduled(user.id, draft.city_id, draft.content, send_at, urgent=urgent)
    when = show(send_at, await _zone(context, draft), language)
    await edit(update, context, t(language, "broadcast_scheduled", id=broadcast.id, when=when))


async def _allowed_draft(update: Update, context: MusterContext) -> BroadcastDraft | None:
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


async def _zone(context: MusterContext, draft: BroadcastDraft) -> ZoneInfo:
    """The city's zone; a send to every city is timed in UTC."""
    return await context.cities.zone_of(draft.city_id)


# --- after sending: stop, list, unschedule ----------------------------------------------


async def stop_broadcast(update: Update, context: MusterContext) -> None:
    """The Cancel button on the live status message."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = await context.language_of(query.from_user)
    broadcast = await context.broadcasts.get(BROADCAST_STOP.number(query.data) or 0)
    if broadcast is None or not await context.broadcasts.may_manage(query.from_user.id, broadcast):
        await query.answer(t(language, "not_your_broadcast"), show_alert=True)
        return
    stopped = await context.broadcasts.stop(query.from_user.id, broadcast.id)
    await query.answer(t(language, "broadcast_stopping" if stopped else "broadcast_not_running"))


async def list_broadcasts(update: Update, context: MusterContext) -> None:
    """/broadcasts: recent and running broadcasts the caller may manage, with counts."""
    user = update.effective_user
    reach = await context.reach(user)
    if user is None or reach is None:
        await unknown_command(update, context)
        return
    language = await context.language_of(user)
    names = await context.cities.names()
    lines = []
    scope = None if reach.all_cities else user.id
    for broadcast, counts in await context.broadcasts.recent(scope):
        lines.append(
            t(
                language,
                "broadcast_line",
                id=broadcast.id,
                city=_target(broadcast, names, language),
                state=t(language, f"state_{broadcast.state.value}"),
                sent=counts[Outcome.SENT],
                total=counts.total,
                failed=counts[Outcome.FAILED] + counts[Outcome.BLOCKED],
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
    cities = {city.id: city for city in await context.cities.every()}
    shown = 0
    for broadcast in await context.broadcasts.waiting():
        if broadcast.send_at is None or not await context.broadcasts.may_manage(user.id, broadcast):
            continue
        # A city's share of an all-cities broadcast shows that city's time.
        city = cities.get(broadcast.part_city_id or broadcast.city_id or 0)
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
            t(language, "button_unschedule"), callback_data=UNSCHEDULE.data(broadcast.id)
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
    broadcast = await context.broadcasts.get(UNSCHEDULE.number(query.data) or 0)
    if broadcast is None or not await context.broadcasts.may_manage(query.from_user.id, broadcast):
        await query.answer(t(language, "not_your_broadcast"), show_alert=True)
        return
    await query.answer()
    if await context.broadcasts.unschedule(query.from_user.id, broadcast.id):
        await edit(update, context, t(language, "scheduled_cancelled", id=broadcast.id))
    else:
        await edit(update, context, t(language, "scheduled_gone", id=broadcast.id))


def _target(broadcast: Broadcast, names: dict[int, str], language: str) -> str:
    if broadcast.part_city_id is not None:
        city = names.get(broadcast.part_city_id, "?")
        return Html(t(language, "all_cities_share", city=city))  # escaped once, here
    if broadcast.all_cities:
        return t(language, "all_cities")
    return names.get(broadcast.city_id or 0, "?")


def _preview_text(broadcast: Broadcast) -> str:
    """The first words of the message, tags stripped, for lists."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", broadcast.content.body))
    return plain if len(plain) <= 60 else plain[:59] + "…"


def conversation() -> ConversationHandler[MusterContext]:
    """The /broadcast flow."""
    text_or_photo = PRIVATE_MESSAGE & ~filters.COMMAND
    return persistent(
        KIND,
        [CommandHandler("broadcast", step(KIND, begin, opens=True), filters=PRIVATE_MESSAGE)],
        {
            CHOOSING_CITY: [
                CallbackQueryHandler(step(KIND, choose_city), pattern=BROADCAST_CITY.pattern)
            ],
            WRITING: [MessageHandler(text_or_photo, step(KIND, take_message))],
            CONFIRMING: [
                CallbackQueryHandler(step(KIND, send_now), pattern=BROADCAST_SEND.pattern),
                CallbackQueryHandler(step(KIND, ask_time), pattern=BROADCAST_SCHEDULE.pattern),
                CallbackQueryHandler(
                    step(KIND, ask_version_language), pattern=BROADCAST_ADD_VERSION.pattern
                ),
            ],
            VERSION_LANGUAGE: [
                CallbackQueryHandler(
                    step(KIND, choose_version_language),
                    pattern=BROADCAST_VERSION_LANGUAGE.pattern,
                )
            ],
            WRITING_VERSION: [MessageHandler(text_or_photo, step(KIND, take_version))],
            SCHEDULING: [MessageHandler(text_or_photo & filters.TEXT, step(KIND, take_time))],
            QUIET: [
                CallbackQueryHandler(
                    step(KIND, wait_for_quiet_end), pattern=BROADCAST_QUIET_WAIT.pattern
                ),
                CallbackQueryHandler(
                    step(KIND, send_anyway), pattern=BROADCAST_QUIET_URGENT.pattern
                ),
            ],
        },
        abort=BROADCAST_ABORT,
    )


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    """Everything but the conversation, which app.py registers ahead of all handlers."""
    return [
        CommandHandler("broadcasts", list_broadcasts, filters=PRIVATE_MESSAGE),
        CommandHandler("scheduled", list_scheduled, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(stop_broadcast, pattern=BROADCAST_STOP.pattern),
        CallbackQueryHandler(unschedule, pattern=UNSCHEDULE.pattern),
    ]
