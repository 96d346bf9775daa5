"""The command menu Telegram shows: supporter commands for all, admin ones in admins' chats."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, Forbidden

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

log = logging.getLogger(__name__)

SUPPORTER_COMMANDS = (
    "start",
    "cities",
    "actions",
    "subscribe",
    "unsubscribe",
    "mycities",
    "language",
    "stop",
    "deleteme",
    "myid",
    "help",
)
ORGANIZER_COMMANDS = (
    "newaction",
    "myactions",
    "rsvps",
    "broadcast",
    "broadcasts",
    "scheduled",
    "cancel",
)
ADMIN_COMMANDS = ("addcity", "promote", "demote", "organizers")


def commands(names: Iterable[str], language: str) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"command_{name}")) for name in names]


async def register_menu(bot: Bot, admin_ids: Iterable[int]) -> None:
    """Sets the menus for every language; an admin who never opened the bot is skipped with a
    warning, since Telegram cannot scope a menu to a chat that does not exist yet."""
    for language in LANGUAGES:
        # The default language's menu is also the one for every language we do not speak.
        code = None if language == DEFAULT_LANGUAGE else language
        await bot.set_my_commands(
            commands(SUPPORTER_COMMANDS, language), BotCommandScopeDefault(), code
        )
    for admin_id in admin_ids:
        for language in LANGUAGES:
            code = None if language == DEFAULT_LANGUAGE else language
            try:
                await bot.set_my_commands(
                    commands(SUPPORTER_COMMANDS + ORGANIZER_COMMANDS + ADMIN_COMMANDS, language),
                    BotCommandScopeChat(admin_id),
                    code,
                )
            except (BadRequest, Forbidden) as error:
                # Usual until the admin first opens the bot; the menu comes at the next start.
                log.info("no admin menu for admin %s yet: %s", admin_id, error.message)
                break


async def register_organizer_menu(bot: Bot, user_id: int, organizer: bool) -> None:
    """An organizer's own chat lists the organizer commands; a demoted one's is reset."""
    for language in LANGUAGES:
        code = None if language == DEFAULT_LANGUAGE else language
        try:
            if organizer:
                names = SUPPORTER_COMMANDS + ORGANIZER_COMMANDS
                await bot.set_my_commands(
                    commands(names, language), BotCommandScopeChat(user_id), code
                )
            else:
                await bot.delete_my_commands(BotCommandScopeChat(user_id), code)
        except (BadRequest, Forbidden) as error:
            log.info("no organizer menu for %s: %s", user_id, error.message)
            return
