"""Check-in at an action: /checkin gives the organizer the code to show at the entrance, and
/start checkin-<token> (the code, scanned) records a person as there."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import clipped, t
from bot.localtime import show
from domain.turnout import CLOSES_AFTER, OPENS_BEFORE, CheckIn
from handlers.actions import zone_of
from handlers.common import PRIVATE_MESSAGE, argument_text, edit, parse_id, reply
from handlers.fallback import unknown_command
from storage.actions import Action
from views.actions import checkin_link
from views.buttons import MADE_IT
from views.qr import qr_png

OUTCOME_TEXTS = {
    CheckIn.DONE: "checkin_done",
    CheckIn.ALREADY: "checkin_already",
    CheckIn.CANCELLED: "checkin_cancelled",
    CheckIn.NOT_YET: "checkin_not_yet",
    CheckIn.OVER: "checkin_over",
}


async def checkin_code(update: Update, context: MusterContext) -> None:
    """/checkin <action id>: the check-in link as a QR code to print or show, and as text."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or await context.reach(user) is None:
        await unknown_command(update, context)
        return
    number = parse_id(argument_text(context))
    action = await context.mobilizer.get(number or 0)
    if action is None:
        await reply(update, context, "usage_checkin" if number is None else "action_unknown")
        return
    token = await context.turnout.checkin_token(user.id, action)
    if token is None:
        allowed = await context.services.reach.may_reach(user.id, action.city_id)
        await reply(update, context, "checkin_none" if allowed else "not_your_action", id=action.id)
        return
    link = checkin_link(context.bot.username, token)
    language = await context.language_of(user)
    opens, closes = await _window(context, action, language)
    title = clipped(action.title, 200)  # the caption holds 1024 characters
    caption = t(language, "checkin_code", id=action.id, title=title, opens=opens, closes=closes)
    photo = InputFile(qr_png(link), filename=f"checkin-{action.id}.png")
    await message.reply_photo(photo, caption=f"{caption}\n{link}")


async def check_in(update: Update, context: MusterContext, token: str) -> None:
    """/start checkin-<token>, once the person is signed up: checked in, or why not."""
    user = update.effective_user
    if user is None:
        return
    checked = await context.turnout.check_in(user.id, token)
    action = checked.action
    if action is None or checked.outcome is CheckIn.UNKNOWN:
        await reply(update, context, "checkin_unknown")
        return
    language = await context.language_of(user)
    opens, _ = await _window(context, action, language)
    await reply(update, context, OUTCOME_TEXTS[checked.outcome], title=action.title, opens=opens)


async def _window(context: MusterContext, action: Action, language: str) -> tuple[str, str]:
    """When check-in opens and closes, in the action's city's time."""
    zone = await zone_of(context, action.city_id)
    opens = datetime.fromtimestamp(action.starts_at - OPENS_BEFORE, UTC)
    closes = datetime.fromtimestamp(action.starts_at + CLOSES_AFTER, UTC)
    return show(opens, zone, language), show(closes, zone, language)


async def made_it(update: Update, context: MusterContext) -> None:
    """Yes, I was there / No, I couldn't: recorded for someone who said yes, and shown
    under the question (a second press of the same answer changes nothing)."""
    query = update.callback_query
    if query is None:
        return
    number, choice = MADE_IT.parse(query.data) or ("0", "")
    language = await context.language_of(query.from_user)
    action = await context.mobilizer.get(int(number))
    there = choice == "yes"
    if action is None or not await context.turnout.report(query.from_user.id, action.id, there):
        await query.answer(t(language, "followup_not_asked"), show_alert=True)
        return
    await query.answer()
    question = context.turnout.question(action, language)
    recorded = t(language, "followup_recorded_there" if there else "followup_recorded_absent")
    await edit(update, context, f"{question.text}\n\n{recorded}", question.markup)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("checkin", checkin_code, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(made_it, pattern=MADE_IT.pattern),
    ]
