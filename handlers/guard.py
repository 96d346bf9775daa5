"""The first handler of every update: what the gate (bot/gate.py) turned away ends here.

A banned person gets nothing. A flooder gets one notice as ignoring starts, and nothing
else for the minute. A button press either way gets an empty answer, so the person's
Telegram app stops its spinner, and nothing more happens.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import MusterContext
from bot.flood import IGNORE_FOR, WINDOW
from bot.gate import VERDICT, Verdict
from bot.i18n import t
from views.buttons import ERASE

log = logging.getLogger(__name__)


async def turn_away(update: Update, context: MusterContext) -> None:
    verdict = VERDICT.get() or Verdict.ADMIT
    user = update.effective_user
    if user is not None and context.bans.is_banned(user.id):
        # Asked again as its turn comes: a ban may have come since the update arrived.
        verdict = Verdict.BANNED
    if verdict is Verdict.ADMIT or (verdict is Verdict.BANNED and _erasing(update)):
        # Erasure stays everyone's: a ban keeps a troll from being heard, not from having
        # their data deleted (the ban itself, an id and a date, stays).
        return
    if verdict is Verdict.FLOODING and user is not None:
        log.warning(
            "update %s: its sender sent more than %s updates in %.0f s; their updates are "
            "ignored for %.0f s",
            update.update_id,
            context.settings.flood_limit,
            WINDOW,
            IGNORE_FOR,
        )
        await _tell_ignored(context, user.id, await context.language_of(user))
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError as error:
            log.info("a turned-away press was not answered: %s", error)
    raise ApplicationHandlerStop


def _erasing(update: Update) -> bool:
    """/deleteme, or a press of its confirmation's buttons."""
    message = update.message
    if message is not None and message.text is not None:
        return message.text.split("@")[0].split()[0:1] == ["/deleteme"]
    query = update.callback_query
    return query is not None and ERASE.parse(query.data) is not None


async def _tell_ignored(context: MusterContext, user_id: int, language: str) -> None:
    """In their private chat (the update may be a press, or come from a group). The text
    says "a minute": IGNORE_FOR."""
    try:
        await context.bot.send_message(user_id, t(language, "flood_notice"))
    except TelegramError as error:
        log.info("the flood notice was not delivered: %s", error)
