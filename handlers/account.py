"""The supporter's own account: /language, /stop, /deleteme and /help."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import MusterContext
from bot.i18n import LANGUAGES, language_name, t
from bot.menu import ADMIN_MENU, register_personal_menu
from handlers.common import PRIVATE_MESSAGE, edit, reply, signed_up
from views.buttons import ERASE, LANGUAGE, one_per_row


async def choose_language(update: Update, context: MusterContext) -> None:
    """/language: one button per language. Asking signs a newcomer up, so the choice has a
    row to be kept in."""
    user = update.effective_user
    if user is not None:
        language = await context.language_of(user)
        await context.supporters.ensure(user.id, language)
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(language_name(code), callback_data=LANGUAGE.data(code))]
            for code in LANGUAGES
        ]
    )
    await reply(update, context, "pick_language", markup=markup)


async def set_language(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    if query is None:
        return
    (language,) = LANGUAGE.parse(query.data) or ("",)
    if language not in LANGUAGES:
        await query.answer()
        return
    if not await signed_up(update, context):
        return
    await query.answer()
    await context.supporters.set_language(query.from_user.id, language)
    await edit(update, context, t(language, "language_set"))


async def stop(update: Update, context: MusterContext) -> None:
    """/stop: no more messages until /start."""
    user = update.effective_user
    if user is None:
        return
    await context.supporters.pause(user.id)
    await reply(update, context, "stopped")


async def ask_to_erase(update: Update, context: MusterContext) -> None:
    """/deleteme: erasure waits for an explicit confirmation."""
    language = await context.language_of(update.effective_user)
    markup = one_per_row(
        (t(language, "button_erase_yes"), ERASE.data("yes")),
        (t(language, "button_erase_no"), ERASE.data("no")),
    )
    await reply(update, context, "erase_confirm", markup=markup)


async def answer_erase(update: Update, context: MusterContext) -> None:
    query = update.callback_query
    if query is None:
        return
    # The language is read before erasing: afterwards nothing about the person is left.
    language = await context.language_of(query.from_user)
    await query.answer()
    if ERASE.parse(query.data) != ("yes",):
        await edit(update, context, t(language, "erase_cancelled"))
        return
    erased = await context.supporters.erase(query.from_user.id)
    if context.user_data is not None:
        context.user_data.clear()  # drafts in memory are theirs too
    # A personal command menu lives at Telegram, keyed by the person's id: an organizer's
    # goes with the rest, an admin's stays (ADMIN_IDS, not the database, makes an admin).
    menu = ADMIN_MENU if context.is_admin(query.from_user) else None
    await register_personal_menu(context.bot, query.from_user.id, menu)
    await edit(update, context, t(language, "erased" if erased else "erase_nothing"))


async def show_help(update: Update, context: MusterContext) -> None:
    """/help: the commands the caller's role may use."""
    language = await context.language_of(update.effective_user)
    text = t(language, "help_supporter") + t(language, "help_supporter_invite")
    if await context.reach(update.effective_user) is not None:
        text += t(language, "help_organizer") + t(language, "help_organizer_turnout")
        text += t(language, "help_organizer_links")
    if context.is_admin(update.effective_user):
        text += t(language, "help_admin") + t(language, "help_admin_bans")
        text += t(language, "help_admin_exports")
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def show_id(update: Update, context: MusterContext) -> None:
    """/myid: what an admin needs to make this person an organizer."""
    if update.effective_user is not None:
        await reply(update, context, "your_id", user_id=update.effective_user.id)


def handlers() -> list[BaseHandler[Update, MusterContext, None]]:
    return [
        CommandHandler("language", choose_language, filters=PRIVATE_MESSAGE),
        CommandHandler("stop", stop, filters=PRIVATE_MESSAGE),
        CommandHandler("deleteme", ask_to_erase, filters=PRIVATE_MESSAGE),
        CommandHandler("help", show_help, filters=PRIVATE_MESSAGE),
        CommandHandler("myid", show_id, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(set_language, pattern=LANGUAGE.pattern),
        CallbackQueryHandler(answer_erase, pattern=ERASE.pattern),
    ]
