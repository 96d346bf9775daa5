"""What every handler module shares: filters for who may call, and replying in the user's
language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler, filters

from bot.context import MusterContext
from bot.i18n import t
from storage import supporters as supporter_store

# New messages in private chats only: edited messages and group chats are not commands to us.
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# Buttons that open a conversation of their own (changing an action's time or place): pressed
# during another conversation, they end it first, so the two never compete for the next text.
OPENS_CONVERSATION = r"^act:(time|place):"


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


async def edit(
    update: Update, context: MusterContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Shows this text and keyboard (None removes it) on the message whose button was
    pressed; a second press that asks for what is shown already sends no edit."""
    query = update.callback_query
    if query is not None and query.message is not None:
        message = query.message
        await context.editor.edit_text(
            message.chat.id, message.message_id, text, markup, copy=message
        )


async def edit_markup(
    update: Update, context: MusterContext, markup: InlineKeyboardMarkup | None
) -> None:
    """Shows this keyboard on the message whose button was pressed, the text unchanged."""
    query = update.callback_query
    if query is not None and query.message is not None:
        message = query.message
        await context.editor.edit_markup(message.chat.id, message.message_id, markup, copy=message)


async def signed_up(update: Update, context: MusterContext) -> bool:
    """Whether the person pressing a button is a supporter. A press from someone with no row
    records nothing: an old message (a city picker, an action card) must not bring back a
    person who asked to be forgotten. They are told that /start signs them up again."""
    query = update.callback_query
    if query is None:
        return False
    if await supporter_store.get(context.db, query.from_user.id) is not None:
        return True
    language = await context.language_of(query.from_user)
    await query.answer(t(language, "start_first"), show_alert=True)
    return False


def parse_id(text: str) -> int | None:
    """A numeric id typed or carried in callback data; None for anything else, including
    numbers too large for SQLite, which forged data may hold."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


async def abandon(update: Update, context: MusterContext, draft_key: str) -> int:
    """/cancel or the Cancel button inside a conversation: the draft goes, nothing is sent."""
    if context.user_data is not None:
        context.user_data.pop(draft_key, None)
    query = update.callback_query
    if query is not None:
        await query.answer()
        language = await context.language_of(query.from_user)
        await edit(update, context, t(language, "broadcast_aborted"))
    else:
        await reply(update, context, "broadcast_aborted")
    return ConversationHandler.END


def argument_text(context: MusterContext) -> str:
    """The command's arguments as typed, joined back with single spaces."""
    return " ".join(context.args or []).strip()


async def leave_for_command(update: Update, context: MusterContext) -> int:
    """Another command in the middle of a conversation: the draft is dropped and the command
    runs as if typed afresh, by the handler that would have taken it outside any
    conversation. It runs here, before the conversation records its end, so it can never
    be handed back to this fallback."""
    application = context.application
    for handler in application.handlers.get(0, []):
        check = handler.check_update(update)
        if check is None or check is False:
            continue
        if isinstance(handler, ConversationHandler) and _is_leaving(check):
            continue  # the conversation being left
        await handler.handle_update(update, application, check, context)  # type: ignore[arg-type]
        break
    return ConversationHandler.END


def _is_leaving(check: object) -> bool:
    """ConversationHandler.check_update returns (state, key, handler, handler's check)."""
    if not isinstance(check, tuple) or len(check) != 4:
        return False
    chosen = check[2]
    return getattr(chosen, "callback", None) is leave_for_command
