"""What nobody else handled: unknown commands, stray text and media, forged buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import MusterContext
from handlers.common import PRIVATE_MESSAGE, reply


async def unknown_command(update: Update, context: MusterContext) -> None:
    """Also the reply a non-admin gets for an admin command, so those stay hidden."""
    await reply(update, context, "unknown_command")


async def not_understood(update: Update, context: MusterContext) -> None:
    await reply(update, context, "not_understood")


async def stray_button(update: Update, context: MusterContext) -> None:
    """Answers a press no handler claims (old or forged data), so the client stops waiting."""
    if update.callback_query is not None:
        await update.callback_query.answer()


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, unknown_command),
        # Plain text, stickers and photos get the same pointer to /help.
        MessageHandler(PRIVATE_MESSAGE, not_understood),
        CallbackQueryHandler(stray_button),
    ]
