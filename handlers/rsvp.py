"""Supporters and actions: RSVP buttons, /actions, and /start action-<id>."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import t
from handlers.common import PRIVATE_MESSAGE, edit, edit_markup, reply, signed_up
from storage.actions import Action, ActionState, Answer
from views.actions import ANSWERS, OVER, rsvp_markup
from views.buttons import RSVP


async def answer(update: Update, context: MusterContext) -> None:
    """A press on I'll be there / Can't make it: records (or changes) the answer and shows it
    on the same message. After the start it records nothing and says the action is over."""
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
    await context.mobilizer.answer(query.from_user.id, action, given)
    await query.answer(t(language, "rsvp_yes_thanks" if given is Answer.YES else "rsvp_no_thanks"))
    view = await context.mobilizer.card(action, language, context.bot.username, given)
    await edit(update, context, view.text, view.markup)


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
    given = await context.mobilizer.answer_of(user.id, action)
    view = await context.mobilizer.card(action, language, context.bot.username, given)
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
    ]
