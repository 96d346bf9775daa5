"""The one error handler: logs every failure with its update id and tells the user, at most
once a minute per chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import MusterContext
from bot.i18n import language_for, t

log = logging.getLogger(__name__)


async def on_error(update: object, context: MusterContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    await _apologize(update, context)
    # A failed update is done with: the handlers of later groups must not take it as well
    # (a conversation step that failed would otherwise reach the "I only understand
    # commands" reply, or another conversation).
    raise ApplicationHandlerStop


async def _apologize(update: Update, context: MusterContext) -> None:
    if isinstance(context.error, Forbidden):
        return
    chat, message = update.effective_chat, update.effective_message
    if message is None or chat is None or chat.type != chat.PRIVATE:
        return
    if not context.services.apologies.may_apologize(chat.id):
        return
    try:
        await message.reply_text(t(await _language(update, context), "error"))
    except TelegramError:
        log.warning("could not tell the user about the failure of update %s", update.update_id)


async def _language(update: Update, context: MusterContext) -> str:
    try:
        return await context.language_of(update.effective_user)
    except Exception:  # storage may be what failed; the apology must still go out
        user = update.effective_user
        return language_for(user.language_code if user else None)
