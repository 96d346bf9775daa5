"""Supporters and actions: RSVP buttons, /actions, /start action-<id>, and giving back a place
got from the waitlist."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import ordinal, t
from handlers.common import PRIVATE_MESSAGE, edit, edit_markup, reply, signed_up
from storage.actions import Action, ActionState, Answer
from views.actions import ANSWERS, OVER, rsvp_markup
from views.buttons import PLACE_BACK, RSVP


async def answer(update: Update, context: MusterContext) -> None:
    """A press on I'll be there / Can't make it: records (or changes) the answer, or the place
    in the waitlist's line when the action is full, and shows it on the same message. After
    the start it records nothing and says the action is over."""
    query = update.callback_query
    if query is None:
        return
    number, choice = RSVP.parse(query.data) or ("0", "")
    action = await context.mobilizer.get(int(number))
    language = await context.language_of(query.from_user)
    if action is None or action.state is ActionState.SCHEDULED:
        await query.answer(t(language, "action_unknown"), show_alert=True)
        return
    given = ANSWERS.get(choice)
    if given is None or choice == OVER or not context.mobilizer.is_open(action):
        closed = "action_called_off" if action.state is ActionState.CANCELLED else "action_over"
        await query.answer(t(language, closed), show_alert=True)
        markup = rsvp_markup(action, language, None, open_=context.mobilizer.is_open(action))
        await edit_markup(update, context, markup)
        return
    if not await signed_up(update, context):
        return
    standing = await context.places.answer(query.from_user.id, action, given)
    if standing.waiting is not None:
        # An alert, not a toast: they pressed I'll be there and did not get a place.
        place = ordinal(language, standing.waiting)
        await query.answer(t(language, "rsvp_waitlisted", place=place), show_alert=True)
    else:
        thanks = "rsvp_yes_thanks" if given is Answer.YES else "rsvp_no_thanks"
        await query.answer(t(language, thanks))
    view = await context.mobilizer.card(action, language, context.bot.username, standing)
    await edit(update, context, view.text, view.markup)


async def give_back(update: Update, context: MusterContext) -> None:
    """Give my place back, on the message saying they got one from the waitlist: counts as
    Can't make it, and the place goes to the next in line."""
    query = update.callback_query
    if query is None:
        return
    action = await context.mobilizer.get(PLACE_BACK.number(query.data) or 0)
    language = await context.language_of(query.from_user)
    if action is None or not context.mobilizer.is_open(action):
        closed = action is not None and action.state is ActionState.CANCELLED
        await query.answer(t(language, "action_called_off" if closed else "action_over"))
        await edit_markup(update, context, None)
        return
    if not await signed_up(update, context):
        return
    if not await context.places.give_back(query.from_user.id, action):
        await query.answer(t(language, "place_not_held"), show_alert=True)
        await edit_markup(update, context, None)
        return
    await query.answer()
    await edit(update, context, t(language, "place_given_back", title=action.title))


async def list_actions(update: Update, context: MusterContext) -> None:
    """/actions: upcoming actions in the supporter's cities, soonest first, each with its
    buttons and the supporter's current answer."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    actions = await context.mobilizer.upcoming_for(user.id)
    if not actions:
        await reply(update, context, "actions_none")
        return
    for action in actions:
        await show_action(update, context, action)


async def show_action(update: Update, context: MusterContext, action: Action) -> None:
    """One action's card with the reader's answer."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    language = await context.language_of(user)
    standing = await context.places.standing(user.id, action)
    view = await context.mobilizer.card(action, language, context.bot.username, standing)
    await message.reply_text(view.text, reply_markup=view.markup)


async def show_linked_action(update: Update, context: MusterContext, action_id: int) -> None:
    """/start action-<id>: the action, or a clear word that it is unknown or over."""
    action = await context.mobilizer.get(action_id)
    if action is None or not context.mobilizer.is_open(action):
        await reply(update, context, "action_unknown")
        return
    await show_action(update, context, action)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("actions", list_actions, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(answer, pattern=RSVP.pattern),
        CallbackQueryHandler(give_back, pattern=PLACE_BACK.pattern),
    ]
