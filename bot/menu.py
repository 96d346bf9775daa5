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
    "mysignatures",
    "subscribe",
    "unsubscribe",
    "mycities",
    "invite",
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
    "stats",
    "checkin",
    "newpetition",
    "petitions",
    "newlink",
    "links",
    "qr",
    "broadcast",
    "broadcasts",
    "scheduled",
    "cancel",
)
ADMIN_COMMANDS = (
    "addcity",
    "promote",
    "demote",
    "organizers",
    "ban",
    "unban",
    "banned",
    "export",
    "audit",
)


def commands(names: Iterable[str], language: str) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"command_{name}")) for name in names]


def _code(language: str) -> str | None:
    # The default language's menu is also the one for every language we do not speak.
    return None if language == DEFAULT_LANGUAGE else language


async def register_menu(bot: Bot, admin_ids: Iterable[int]) -> None:
    """Sets the menus for every language, and each admin's own."""
    for language in LANGUAGES:
        await bot.set_my_commands(
            commands(SUPPORTER_COMMANDS, language), BotCommandScopeDefault(), _code(language)
        )
    for admin_id in admin_ids:
        await register_personal_menu(bot, admin_id, ADMIN_MENU)


ADMIN_MENU = SUPPORTER_COMMANDS + ORGANIZER_COMMANDS + ADMIN_COMMANDS
ORGANIZER_MENU = SUPPORTER_COMMANDS + ORGANIZER_COMMANDS


async def register_personal_menu(bot: Bot, user_id: int, names: tuple[str, ...] | None) -> None:
    """A menu for one person's chat (None resets it to everyone's). Telegram refuses one for
    a person who has not opened the bot yet; their /start registers it then."""
    for language in LANGUAGES:
        scope = BotCommandScopeChat(user_id)
        try:
            if names is None:
                await bot.delete_my_commands(scope, _code(language))
            else:
                await bot.set_my_commands(commands(names, language), scope, _code(language))
        except (BadRequest, Forbidden) as error:
            log.info("no personal menu for %s yet: %s", user_id, error.message)
            return


def personal_menu(*, admin: bool, organizer: bool) -> tuple[str, ...] | None:
    """The menu a person's own chat shows: an admin's stays whatever their organizer role
    (ADMIN_IDS makes an admin, not a promotion); a demoted organizer's is reset."""
    if admin:
        return ADMIN_MENU
    return ORGANIZER_MENU if organizer else None
