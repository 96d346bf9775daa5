"""The composition root: builds the Application with every handler and long-lived service."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from bot.context import MusterApp, MusterContext, Services
from bot.menu import register_menu
from bot.settings import Settings
from bot.updates import PerChatOrder
from handlers import account, admin, cities, errors, fallback, membership, signup
from storage import Database

log = logging.getLogger(__name__)

# What the bot asks Telegram for; edited messages come so they can be ignored on purpose.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


def build_application(settings: Settings, token: str) -> MusterApp:
    """The one way the bot is wired, for production, the simulator and the tests alike."""
    app: MusterApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=MusterContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Replies to people go through PTB's limiter, which also retries after a 429.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrder())
        .post_init(_open_services)
        .post_shutdown(_close_services)
        # The builder's overloads do not carry the context type into JobQueue's parameter.
        .build()  # type: ignore[assignment]
    )
    app.bot_data["services"] = Services(settings=settings, db=Database(settings.database_path))
    register_handlers(app, settings)
    return app


def register_handlers(app: MusterApp, settings: Settings) -> None:
    # Order matters within a group: PTB runs the first handler that matches. The feature
    # handlers come first; admin commands sit behind the ADMIN_IDS filter, so a non-admin's
    # /addcity falls through to the fallback's unknown-command reply.
    for handler in [
        *signup.handlers(),
        *cities.handlers(),
        *account.handlers(),
        *admin.handlers(settings.admin_ids),
        *membership.handlers(),
        *fallback.handlers(),  # last: whatever nobody else claimed
    ]:
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)


def services_of(app: MusterApp) -> Services:
    services = app.bot_data["services"]
    if not isinstance(services, Services):
        raise RuntimeError("the application has no services")
    return services


async def _open_services(app: MusterApp) -> None:
    services = services_of(app)
    await services.db.open()
    await register_menu(app.bot, services.settings.admin_ids)
    log.info("Muster is up as @%s", app.bot.username)


async def _close_services(app: MusterApp) -> None:
    await services_of(app).db.close()
