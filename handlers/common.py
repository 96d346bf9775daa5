"""What every handler module shares: filters for who may call, and replying in the user's
language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import filters

from bot.context import MusterContext
from bot.i18n import t
from bot.localtime import LocalTimeError, Moment, parse_local

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
    if await context.supporters.get(query.from_user.id) is not None:
        return True
    language = await context.language_of(query.from_user)
    await query.answer(t(language, "start_first"), show_alert=True)
    return False


async def bounded_text(update: Update, context: MusterContext, limit: int) -> str | None:
    """The text the person typed, or None after saying it is over `limit` (in Telegram's
    unit, UTF-16 code units: an emoji counts double); None too for a message with no text."""
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not text:
        return None
    if utf16_length(text) > limit:
        await reply(update, context, "too_long_for", limit=limit)
        return None
    return text


async def read_local_time(update: Update, context: MusterContext, zone: ZoneInfo) -> Moment | None:
    """A future local time in the zone, or None after saying what is wrong. A time that
    happens twice takes the earlier, and says so."""
    message = update.effective_message
    try:
        now = datetime.fromtimestamp(context.clock.now(), UTC)  # the injected clock's "now"
        moment = parse_local(message.text or "" if message else "", zone, now)
    except LocalTimeError as error:
        await reply(update, context, error.problem.value, zone=zone.key)
        return None
    if moment.ambiguous:
        await reply(update, context, "time_ambiguous_note")
    return moment


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_id(text: str) -> int | None:
    """A numeric id typed or carried in callback data; None for anything else, including
    numbers too large for SQLite, which forged data may hold."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def argument_text(context: MusterContext) -> str:
    """The command's arguments as typed, joined back with single spaces."""
    return " ".join(context.args or []).strip()
