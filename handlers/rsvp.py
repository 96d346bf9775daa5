"""Supporters and actions: RSVP buttons, /actions, and /start action-<id>."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.actions import NO, OVER, RSVP, YES, render, rsvp_markup
from bot.context import MusterContext
from bot.i18n import t
from handlers.common import PRIVATE_MESSAGE, edit, edit_markup, parse_id, reply, signed_up
from storage import actions as action_store
from storage.actions import Action, ActionState, Answer

ANSWERS = {YES: Answer.YES, NO: Answer.NO}


def is_open(action: Action) -> bool:
    return action.state is ActionState.PUBLISHED and action.starts_at > time.time()


async def answer(update: Update, context: MusterContext) -> None:
    """A press on I'll be there / Can't make it: records (or changes) the answer and shows it
    on the same message. After the start it records nothing and says the action is over."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    number, _, choice = query.data.removeprefix(RSVP).partition(":")
    action = await action_store.get(context.db, parse_id(number) or 0)
    language = await context.language_of(query.from_user)
    if action is None or action.state is ActionState.SCHEDULED:
        await query.answer(t(language, "action_unknown"), show_alert=True)
        return
    given = ANSWERS.get(choice)
    if given is None or choice == OVER or not is_open(action):
        closed = "action_called_off" if action.state is ActionState.CANCELLED else "action_over"
        await query.answer(t(language, closed), show_alert=True)
        await edit_markup(update, context, rsvp_markup(action, language, None))
        return
    if not await signed_up(update, context):
        return
    await action_store.answer(context.db, action.id, query.from_user.id, given)
    await query.answer(t(language, "rsvp_yes_thanks" if given is Answer.YES else "rsvp_no_thanks"))
    view = render(
        action, await context.mobilizer.zone_of(action), language, context.bot.username, given
    )
    await edit(update, context, view.text, view.markup)


async def list_actions(update: Update, context: MusterContext) -> None:
    """/actions: upcoming actions in the supporter's cities, soonest first, each with its
    buttons and the supporter's current answer."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    actions = await action_store.upcoming_in_cities_of(context.db, user.id, limit=10)
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
    given = await action_store.answer_of(context.db, action.id, user.id)
    zone = await context.mobilizer.zone_of(action)
    view = render(action, zone, language, context.bot.username, given)
    await message.reply_text(view.text, reply_markup=view.markup)


async def show_linked_action(update: Update, context: MusterContext, action_id: int) -> None:
    """/start action-<id>: the action, or a clear word that it is unknown or over."""
    action = await action_store.get(context.db, action_id)
    if action is None or not is_open(action):
        await reply(update, context, "action_unknown")
        return
    await show_action(update, context, action)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("actions", list_actions, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(answer, pattern=f"^{RSVP}"),
    ]
