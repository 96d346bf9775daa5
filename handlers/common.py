"""What every handler module shares: filters for who may call, and replying in the user's
language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler, filters

from bot.context import MusterContext
from bot.i18n import t

# New messages in private chats only: edited messages and group chats are not commands to us.
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


async def reply(
    update: Update,
    context: MusterContext,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    **values: object,
) -> Message | None:
    """Replies to the update's chat with a catalog text in the caller's language."""
    message = update.effective_message
    if message is None:
        return None
    language = await context.language_of(update.effective_user)
    return await message.reply_text(t(language, key, **values), reply_markup=markup)


def argument_text(context: MusterContext) -> str:
    """The command's arguments as typed, joined back with single spaces."""
    return " ".join(context.args or []).strip()


async def leave_for_command(update: Update, context: MusterContext) -> int:
    """Another command in the middle of a conversation: the draft is dropped and the command
    runs as if typed afresh, once the conversation has ended."""
    context.application.create_task(context.application.process_update(update), update=update)
    return ConversationHandler.END
