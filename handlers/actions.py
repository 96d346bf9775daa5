"""Organizers and actions: /newaction (city, title, start, place, details, capacity, preview
with the reminders chosen, publish now or at a time), /myactions with change-time,
change-place, change-capacity and
cancel, and /rsvps.

As with broadcasts, who may act on which city is asked afresh at every step."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import MusterContext
from bot.i18n import Grouped, t
from bot.localtime import Moment, show
from domain.actions import Plan
from domain.drafts import ActionDraft
from domain.places import MOST, Change, parse_capacity
from handlers.common import (
    PRIVATE_MESSAGE,
    argument_text,
    bounded_text,
    edit,
    parse_id,
    read_local_time,
    reply,
)
from handlers.conversations import persistent, step
from handlers.fallback import unknown_command
from storage.actions import Action, ActionState, Cadence
from storage.turnout import Attendance
from views.actions import cadence_button, planned_reminders, render, share_link
from views.buttons import (
    ACTION_ABORT,
    ACTION_ASK_CANCEL,
    ACTION_CADENCE,
    ACTION_CANCEL,
    ACTION_CAPACITY,
    ACTION_CITY,
    ACTION_PLACE,
    ACTION_PUBLISH,
    ACTION_PUBLISH_LATER,
    ACTION_TIME,
    Button,
    one_per_row,
)

CITY, TITLE, WHEN, PLACE, DETAILS, CONFIRM, PUBLISH_AT, NEW_TIME, NEW_PLACE = range(9)
# Steps are stored with drafts (a restart resumes at them), so new ones are numbered after the
# old rather than renumbering those.
CAPACITY, NEW_CAPACITY = 9, 10
END = ConversationHandler.END
KIND = "action"
LIMITS = {"title": 200, "place": 300, "details": 2000}


def draft_of(context: MusterContext) -> ActionDraft:
    data = context.user_data if context.user_data is not None else {}
    draft = data.get("action_draft")
    if not isinstance(draft, ActionDraft):
        draft = ActionDraft()
        data["action_draft"] = draft
    return draft


async def may_manage(context: MusterContext, user_id: int, city_id: int) -> bool:
    return await context.services.reach.may_reach(user_id, city_id)


async def zone_of(context: MusterContext, city_id: int) -> ZoneInfo:
    return await context.cities.zone_of(city_id)


# --- /newaction -------------------------------------------------------------------------


async def begin(update: Update, context: MusterContext) -> int:
    reach = await context.reach(update.effective_user)
    if reach is None:
        await unknown_command(update, context)
        return END
    cities = [c for c in await context.cities.every() if reach.may_reach(c.id)]
    if not cities:
        await reply(update, context, "no_city_to_reach")
        return END
    language = await context.language_of(update.effective_user)
    markup = one_per_row(
        *((c.name, ACTION_CITY.data(c.id)) for c in cities),
        (t(language, "button_abort"), ACTION_ABORT.data()),
    )
    if context.user_data is not None:
        context.user_data["action_draft"] = ActionDraft()
    await reply(update, context, "newaction_pick_city", markup=markup)
    return CITY


async def choose_city(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    if query is None:
        return END
    city = await context.cities.get(ACTION_CITY.number(query.data) or 0)
    language = await context.language_of(query.from_user)
    if city is None or not await may_manage(context, query.from_user.id, city.id):
        await query.answer(t(language, "not_your_city"), show_alert=True)
        return CITY
    await query.answer()
    draft_of(context).city_id = city.id
    await edit(update, context, t(language, "newaction_title"))
    return TITLE


async def take_title(update: Update, context: MusterContext) -> int:
    title = await bounded_text(update, context, LIMITS["title"])
    if title is None:
        return TITLE
    draft = draft_of(context)
    draft.title = title
    zone = await zone_of(context, draft.city_id)
    await reply(update, context, "newaction_when", zone=zone.key)
    return WHEN


async def take_start(update: Update, context: MusterContext) -> int:
    draft = draft_of(context)
    moment = await _read_time(update, context, draft.city_id)
    if moment is None:
        return WHEN
    draft.starts_at = moment.timestamp
    if draft.place:
        # Asked again because the start passed while the preview waited: the rest stands.
        return await preview(update, context)
    await reply(update, context, "newaction_place")
    return PLACE


async def take_place(update: Update, context: MusterContext) -> int:
    place = await bounded_text(update, context, LIMITS["place"])
    if place is None:
        return PLACE
    draft_of(context).place = place
    await reply(update, context, "newaction_details")
    return DETAILS


async def take_details(update: Update, context: MusterContext) -> int:
    details = await bounded_text(update, context, LIMITS["details"])
    if details is None:
        return DETAILS
    draft_of(context).details = details
    await reply(update, context, "newaction_capacity")
    return CAPACITY


async def skip_details(update: Update, context: MusterContext) -> int:
    draft_of(context).details = ""
    await reply(update, context, "newaction_capacity")
    return CAPACITY


async def take_capacity(update: Update, context: MusterContext) -> int:
    capacity = await _read_capacity(update, context)
    if capacity is None:
        return CAPACITY
    draft_of(context).capacity = capacity
    return await preview(update, context)


async def skip_capacity(update: Update, context: MusterContext) -> int:
    draft_of(context).capacity = None
    return await preview(update, context)


async def _read_capacity(update: Update, context: MusterContext) -> int | None:
    """The number of places typed, or None after saying what is expected."""
    message = update.effective_message
    capacity = parse_capacity(message.text or "" if message else "")
    if capacity is None:
        language = await context.language_of(update.effective_user)
        await reply(update, context, "capacity_invalid", most=Grouped(MOST, language))
    return capacity


async def preview(update: Update, context: MusterContext) -> int:
    """The card exactly as followers will see it, the audience, and the choices."""
    draft, message, user = draft_of(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    if not await may_manage(context, user.id, draft.city_id):
        await reply(update, context, "not_your_city")
        return END
    language = await context.language_of(user)
    zone = await zone_of(context, draft.city_id)
    view = render(_unsaved(draft), zone, language, context.bot.username, open_=True, share=False)
    await message.reply_text(view.text, reply_markup=view.markup)
    text, markup = await _confirmation(context, draft, language)
    await message.reply_text(text, reply_markup=markup)
    return CONFIRM


async def choose_cadence(update: Update, context: MusterContext) -> int:
    """🔔 under the preview: the common reminders, or back to the default ones; the question
    then shows the reminders chosen."""
    query = update.callback_query
    draft = draft_of(context)
    if query is None or not await _still_allowed(update, context, draft):
        return END
    await query.answer()
    chosen = ACTION_CADENCE.parse(query.data)
    if chosen is not None:
        draft.cadence = Cadence(chosen[0])
    language = await context.language_of(query.from_user)
    text, markup = await _confirmation(context, draft, language)
    await edit(update, context, text, markup)
    return CONFIRM


async def _confirmation(
    context: MusterContext, draft: ActionDraft, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The question under the preview: whom it reaches, the reminders chosen, the choices."""
    count = await context.mobilizer.audience(draft.city_id)
    zone = await zone_of(context, draft.city_id)
    times = await context.mobilizer.reminder_times(_plan(draft))
    markup = one_per_row(
        (t(language, "button_publish_now"), ACTION_PUBLISH.data()),
        (t(language, "button_publish_at"), ACTION_PUBLISH_LATER.data()),
        cadence_button(draft.cadence, language),
        (t(language, "button_abort"), ACTION_ABORT.data()),
    )
    question = t(language, "newaction_confirm", count=count)
    return f"{question}\n\n{planned_reminders(times, zone, language)}", markup


def _plan(draft: ActionDraft) -> Plan:
    return Plan(
        draft.city_id,
        draft.title,
        draft.starts_at,
        draft.place,
        draft.details,
        capacity=draft.capacity,
        cadence=draft.cadence,
    )


def _unsaved(draft: ActionDraft) -> Action:
    return Action(
        id=0,
        city_id=draft.city_id,
        author_id=None,
        title=draft.title,
        starts_at=draft.starts_at,
        place=draft.place,
        details=draft.details,
        state=ActionState.PUBLISHED,
        publish_at=None,
        cadence=draft.cadence,
        capacity=draft.capacity,
    )


async def publish_now(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = draft_of(context)
    if query is None or not await _still_allowed(update, context, draft):
        return END
    await query.answer()
    language = await context.language_of(query.from_user)
    if draft.starts_at <= context.clock.now():
        # The preview waited past the start: the rest of the draft is still good.
        zone = await zone_of(context, draft.city_id)
        await edit(update, context, t(language, "newaction_start_passed", zone=zone.key))
        return WHEN
    action, count = await context.mobilizer.publish_new(query.from_user.id, _plan(draft))
    link = share_link(context.bot.username, action.id)
    await edit(
        update, context, t(language, "action_published", id=action.id, count=count, link=link)
    )
    return END


async def ask_publish_time(update: Update, context: MusterContext) -> int:
    query = update.callback_query
    draft = draft_of(context)
    if query is None or not await _still_allowed(update, context, draft):
        return END
    await query.answer()
    language = await context.language_of(query.from_user)
    zone = await zone_of(context, draft.city_id)
    await edit(update, context, t(language, "newaction_publish_when", zone=zone.key))
    return PUBLISH_AT


async def take_publish_time(update: Update, context: MusterContext) -> int:
    draft, user = draft_of(context), update.effective_user
    if user is None or not await may_manage(context, user.id, draft.city_id):
        await reply(update, context, "not_your_city")
        return END
    moment = await _read_time(update, context, draft.city_id)
    if moment is None:
        return PUBLISH_AT
    if moment.timestamp >= draft.starts_at:
        await reply(update, context, "publish_after_start")
        return PUBLISH_AT
    action = await context.mobilizer.schedule_new(user.id, _plan(draft), moment.timestamp)
    zone = await zone_of(context, draft.city_id)
    language = await context.language_of(user)
    await reply(
        update,
        context,
        "action_publish_scheduled",
        id=action.id,
        when=show(moment.utc, zone, language),
    )
    return END


async def _still_allowed(update: Update, context: MusterContext, draft: ActionDraft) -> bool:
    query = update.callback_query
    if query is None:
        return False
    if (
        draft.city_id
        and draft.title
        and await may_manage(context, query.from_user.id, draft.city_id)
    ):
        return True
    language = await context.language_of(query.from_user)
    await query.answer(t(language, "not_your_city"), show_alert=True)
    return False


async def _read_time(update: Update, context: MusterContext, city_id: int) -> Moment | None:
    return await read_local_time(update, context, await zone_of(context, city_id))


# --- /myactions and changes --------------------------------------------------------------


async def my_actions(update: Update, context: MusterContext) -> None:
    """/myactions: upcoming actions in the caller's cities, with headcounts and buttons."""
    user, message = update.effective_user, update.effective_message
    reach = await context.reach(user)
    if user is None or message is None or reach is None:
        await unknown_command(update, context)
        return
    language = await context.language_of(user)
    cities = {city.id: city for city in await context.cities.every()}
    shown = 0
    scope = None if reach.all_cities else user.id
    for action in await context.mobilizer.upcoming(scope):
        city = cities.get(action.city_id)
        count = await context.mobilizer.headcount(action)
        text = t(
            language,
            "myaction_line",
            id=action.id,
            title=action.title,
            city=city.name if city else "?",
            when=show(action.starts_at, ZoneInfo(city.timezone if city else "UTC"), language),
            yes=count.yes,
            no=count.no,
            waitlisted=count.waitlisted,
        )
        text += _capacity_line(action, count.yes, language)
        came = await context.turnout.attendance(action)
        if came.checked_in or came.reported_there or came.reported_absent:  # check-in open
            text += "\n" + _turnout_line(came, language)
        await message.reply_text(text, reply_markup=_manage_markup(action.id, language))
        shown += 1
    if shown == 0:
        await reply(update, context, "myactions_none")


def _turnout_line(came: Attendance, language: str) -> str:
    """Who came: checked in (from an hour before the start), and said so when asked."""
    return t(
        language,
        "rsvps_turnout",
        checked_in=came.checked_in,
        reported=came.reported_there,
        absent=came.reported_absent,
    )


def _capacity_line(action: Action, taken: int, language: str) -> str:
    """The places and how many are left, on a line of its own; nothing without a capacity."""
    if action.capacity is None:
        return ""
    left = max(action.capacity - taken, 0)
    return "\n" + t(language, "capacity_line", count=action.capacity, left=left)


def _manage_markup(action_id: int, language: str) -> InlineKeyboardMarkup:
    change_time = t(language, "button_change_time")
    change_place = t(language, "button_change_place")
    change_capacity = t(language, "button_change_capacity")
    cancel = t(language, "button_cancel_action")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(change_time, callback_data=ACTION_TIME.data(action_id)),
                InlineKeyboardButton(change_place, callback_data=ACTION_PLACE.data(action_id)),
                InlineKeyboardButton(
                    change_capacity, callback_data=ACTION_CAPACITY.data(action_id)
                ),
            ],
            [InlineKeyboardButton(cancel, callback_data=ACTION_ASK_CANCEL.data(action_id))],
        ]
    )


async def _managed_action(update: Update, context: MusterContext, button: Button) -> Action | None:
    """The action a button names, if it is upcoming and the presser may manage it."""
    query = update.callback_query
    if query is None:
        return None
    action = await context.mobilizer.get(button.number(query.data) or 0)
    language = await context.language_of(query.from_user)
    if action is None or not context.mobilizer.is_changeable(action):
        await query.answer(t(language, "action_unknown"), show_alert=True)
        return None
    if not await may_manage(context, query.from_user.id, action.city_id):
        await query.answer(t(language, "not_your_action"), show_alert=True)
        return None
    await query.answer()
    return action


async def _still_changeable(
    update: Update, context: MusterContext, action_id: int
) -> Action | None:
    """Checked again when the new value arrives: the action may have been cancelled, or the
    organizer demoted, since the button was pressed."""
    user = update.effective_user
    action = await context.mobilizer.get(action_id)
    if action is None or not context.mobilizer.is_changeable(action):
        await reply(update, context, "action_unknown")
        return None
    if user is None or not await may_manage(context, user.id, action.city_id):
        await reply(update, context, "not_your_action")
        return None
    return action


async def ask_new_time(update: Update, context: MusterContext) -> int:
    action = await _managed_action(update, context, ACTION_TIME)
    if action is None:
        return END
    draft_of(context).action_id, draft_of(context).city_id = action.id, action.city_id
    zone = await zone_of(context, action.city_id)
    await reply(update, context, "ask_new_time", title=action.title, zone=zone.key)
    return NEW_TIME


async def take_new_time(update: Update, context: MusterContext) -> int:
    draft, user = draft_of(context), update.effective_user
    action = await _still_changeable(update, context, draft.action_id)
    if user is None or action is None:
        return END
    moment = await _read_time(update, context, action.city_id)
    if moment is None:
        return NEW_TIME
    if (
        action.publish_at is not None
        and action.state is ActionState.SCHEDULED
        and (moment.timestamp <= action.publish_at)
    ):
        zone = await zone_of(context, action.city_id)
        language = await context.language_of(user)
        when = show(action.publish_at, zone, language)
        await reply(update, context, "start_after_publish", when=when)
        return NEW_TIME
    await context.mobilizer.change_time(user.id, action, moment.timestamp)
    zone = await zone_of(context, action.city_id)
    language = await context.language_of(user)
    await reply(update, context, "action_time_changed", when=show(moment.utc, zone, language))
    return END


async def ask_new_place(update: Update, context: MusterContext) -> int:
    action = await _managed_action(update, context, ACTION_PLACE)
    if action is None:
        return END
    draft_of(context).action_id = action.id
    await reply(update, context, "ask_new_place", title=action.title)
    return NEW_PLACE


async def take_new_place(update: Update, context: MusterContext) -> int:
    draft, user = draft_of(context), update.effective_user
    action = await _still_changeable(update, context, draft.action_id)
    if user is None or action is None:
        return END
    place = await bounded_text(update, context, LIMITS["place"])
    if place is None:
        return NEW_PLACE
    await context.mobilizer.change_place(user.id, action, place)
    await reply(update, context, "action_place_changed", place=place)
    return END


async def ask_new_capacity(update: Update, context: MusterContext) -> int:
    action = await _managed_action(update, context, ACTION_CAPACITY)
    if action is None:
        return END
    draft_of(context).action_id = action.id
    await reply(update, context, "ask_new_capacity", title=action.title)
    return NEW_CAPACITY


async def take_new_capacity(update: Update, context: MusterContext) -> int:
    capacity = await _read_capacity(update, context)
    if capacity is None:
        return NEW_CAPACITY
    return await _resize(update, context, capacity)


async def no_capacity(update: Update, context: MusterContext) -> int:
    """/skip when asked for the new capacity: no limit."""
    return await _resize(update, context, None)


async def _resize(update: Update, context: MusterContext, capacity: int | None) -> int:
    draft, user = draft_of(context), update.effective_user
    action = await _still_changeable(update, context, draft.action_id)
    if user is None or action is None:
        return END
    change = await context.places.resize(user.id, action, capacity)
    if change is None:  # the rights or the action changed between the two reads
        await reply(update, context, "not_your_action")
        return END
    language = await context.language_of(user)
    if update.effective_message is not None:
        await update.effective_message.reply_text(_capacity_report(action, change, language))
    return END


def _capacity_report(action: Action, change: Change, language: str) -> str:
    """What the new capacity means: the places, who came off the waitlist, or that the ones
    who hold more places than there are now keep them."""
    lines = [
        t(language, "capacity_unlimited", title=action.title)
        if change.capacity is None
        else t(language, "capacity_set", title=action.title, count=change.capacity)
    ]
    if change.promoted:
        lines.append(t(language, "capacity_promoted", count=change.promoted))
    if change.capacity is not None and change.taken > change.capacity:
        lines.append(t(language, "capacity_below_taken", count=change.taken))
    return "\n".join(lines)


async def ask_to_cancel(update: Update, context: MusterContext) -> None:
    action = await _managed_action(update, context, ACTION_ASK_CANCEL)
    query = update.callback_query
    if action is None or query is None:
        return
    language = await context.language_of(query.from_user)
    button = InlineKeyboardButton(
        t(language, "button_confirm_cancel_action"), callback_data=ACTION_CANCEL.data(action.id)
    )
    await reply(
        update,
        context,
        "confirm_cancel_action",
        markup=InlineKeyboardMarkup([[button]]),
        id=action.id,
        title=action.title,
    )


async def cancel_action(update: Update, context: MusterContext) -> None:
    action = await _managed_action(update, context, ACTION_CANCEL)
    query = update.callback_query
    if action is None or query is None:
        return
    await context.mobilizer.cancel(query.from_user.id, action)
    language = await context.language_of(query.from_user)
    await edit(update, context, t(language, "action_cancel_done", id=action.id))


# --- /rsvps -------------------------------------------------------------------------------


async def rsvps(update: Update, context: MusterContext) -> None:
    """/rsvps <action id>: the headcount and the time of the last answer."""
    user = update.effective_user
    if user is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    number = parse_id(argument_text(context))
    action = await context.mobilizer.get(number or 0)
    if action is None:
        await reply(update, context, "usage_rsvps" if number is None else "action_unknown")
        return
    if not await may_manage(context, user.id, action.city_id):
        await reply(update, context, "not_your_action")
        return
    count = await context.mobilizer.headcount(action)
    language = await context.language_of(user)
    zone = await zone_of(context, action.city_id)
    last = (
        show(datetime.fromtimestamp(count.last_answer_at, UTC), zone, language)
        if count.last_answer_at
        else t(language, "no_answers_yet")
    )
    turnout = _turnout_line(await context.turnout.attendance(action), language)
    headcount = t(
        language,
        "rsvps",
        id=action.id,
        title=action.title,
        yes=count.yes,
        no=count.no,
        waitlisted=count.waitlisted,
        last=last,
    )
    headcount += _capacity_line(action, count.yes, language)
    message = update.effective_message
    if message is not None:
        await message.reply_text(f"{headcount}\n{turnout}")


def conversation() -> ConversationHandler[MusterContext]:
    """/newaction, and the changes of time, place and capacity /myactions offers."""
    typed = PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND
    return persistent(
        KIND,
        [
            CommandHandler("newaction", step(KIND, begin, opens=True), filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(step(KIND, ask_new_time, opens=True), pattern=ACTION_TIME.pattern),
            CallbackQueryHandler(
                step(KIND, ask_new_place, opens=True), pattern=ACTION_PLACE.pattern
            ),
            CallbackQueryHandler(
                step(KIND, ask_new_capacity, opens=True), pattern=ACTION_CAPACITY.pattern
            ),
        ],
        {
            CITY: [CallbackQueryHandler(step(KIND, choose_city), pattern=ACTION_CITY.pattern)],
            TITLE: [MessageHandler(typed, step(KIND, take_title))],
            WHEN: [MessageHandler(typed, step(KIND, take_start))],
            PLACE: [MessageHandler(typed, step(KIND, take_place))],
            DETAILS: [
                CommandHandler("skip", step(KIND, skip_details), filters=PRIVATE_MESSAGE),
                MessageHandler(typed, step(KIND, take_details)),
            ],
            CAPACITY: [
                CommandHandler("skip", step(KIND, skip_capacity), filters=PRIVATE_MESSAGE),
                MessageHandler(typed, step(KIND, take_capacity)),
            ],
            CONFIRM: [
                CallbackQueryHandler(step(KIND, publish_now), pattern=ACTION_PUBLISH.pattern),
                CallbackQueryHandler(
                    step(KIND, ask_publish_time), pattern=ACTION_PUBLISH_LATER.pattern
                ),
                CallbackQueryHandler(step(KIND, choose_cadence), pattern=ACTION_CADENCE.pattern),
            ],
            PUBLISH_AT: [MessageHandler(typed, step(KIND, take_publish_time))],
            NEW_TIME: [MessageHandler(typed, step(KIND, take_new_time))],
            NEW_PLACE: [MessageHandler(typed, step(KIND, take_new_place))],
            NEW_CAPACITY: [
                CommandHandler("skip", step(KIND, no_capacity), filters=PRIVATE_MESSAGE),
                MessageHandler(typed, step(KIND, take_new_capacity)),
            ],
        },
        abort=ACTION_ABORT,
    )


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    """Everything but the conversation, which app.py registers ahead of all handlers."""
    return [
        CommandHandler("myactions", my_actions, filters=PRIVATE_MESSAGE),
        CommandHandler("rsvps", rsvps, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(ask_to_cancel, pattern=ACTION_ASK_CANCEL.pattern),
        CallbackQueryHandler(cancel_action, pattern=ACTION_CANCEL.pattern),
    ]
