"""The composition root: builds the Application with every handler and long-lived service."""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, BaseHandler, ContextTypes, Defaults

from bot.actions import Mobilizer
from bot.apologies import Apologies
from bot.botapi import BotApiClient
from bot.budget import SendBudget
from bot.context import MusterApp, MusterContext, Services
from bot.delivery import DeliveryEngine, Tuning
from bot.edits import Editor
from bot.menu import register_menu
from bot.ratelimit import InteractiveRateLimiter
from bot.scheduling import BroadcastScheduler
from bot.settings import Settings
from bot.updates import PerChatOrder
from handlers import (
    account,
    actions,
    admin,
    broadcast,
    cities,
    errors,
    fallback,
    membership,
    roles,
    rsvp,
    signup,
)
from storage import Database
from storage import throttle as throttle_store

log = logging.getLogger(__name__)

# What the bot asks Telegram for; edited messages come so they can be ignored on purpose.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


def build_application(settings: Settings, token: str, tuning: Tuning | None = None) -> MusterApp:
    """The one way the bot is wired, for production, the simulator and the tests alike."""
    rate = settings.broadcast_rate
    db = Database(settings.database_path)
    budget = SendBudget(rate, keep=partial(_keep_pause, db))
    app: MusterApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=MusterContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Replies to people share the bulk sends' budget, ahead of them in the queue.
        .rate_limiter(InteractiveRateLimiter(budget))
        .concurrent_updates(PerChatOrder())
        .post_init(_open_services)
        .post_stop(_stop_deliveries)
        .post_shutdown(_close_services)
        # The builder's overloads do not carry the context type into JobQueue's parameter.
        .build()  # type: ignore[assignment]
    )
    client = BotApiClient(settings.telegram_api_url, token)
    tuning = tuning or Tuning.for_rate(rate, paid=settings.paid_broadcast)
    engine = DeliveryEngine(db, client, budget, app.bot, tuning)
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    scheduler = BroadcastScheduler(db, engine, app.job_queue, app.bot, settings.missed_grace)
    mobilizer = Mobilizer(
        db, engine, app.job_queue, app.bot, settings.reminder_offsets, settings.missed_grace
    )
    app.bot_data["services"] = Services(
        settings, db, engine, scheduler, mobilizer, Editor(app.bot), Apologies()
    )
    register_handlers(app, settings)
    return app


def register_handlers(app: MusterApp, settings: Settings) -> None:
    # Order matters within a group: PTB runs the first handler that matches. Conversations
    # come first, so that while one is active it sees every message of its person (a command
    # mid-conversation ends it and is then run by its own handler). Admin commands sit behind
    # the ADMIN_IDS filter, so a non-admin's /addcity falls through to the unknown-command
    # reply at the end.
    conversations: list[BaseHandler[Update, MusterContext, Any]] = [
        broadcast.conversation(),
        actions.conversation(),
    ]
    for handler in [
        *conversations,
        *signup.handlers(),
        *cities.handlers(),
        *account.handlers(),
        *admin.handlers(settings.admin_ids),
        *roles.handlers(settings.admin_ids),
        *broadcast.handlers(),
        *actions.handlers(),
        *rsvp.handlers(),
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
    await _restore_pause(services.engine.budget, services.db)
    await register_menu(app.bot, services.settings.admin_ids)
    await services.engine.start()
    await services.scheduler.start()
    await services.mobilizer.start()
    log.info("Muster is up as @%s", app.bot.username)


async def _keep_pause(db: Database, seconds: float) -> None:
    await throttle_store.pause_until(db, time.time() + seconds)


async def _restore_pause(budget: SendBudget, db: Database) -> None:
    """A pause Telegram asked of the previous process holds for this one too."""
    until = await throttle_store.paused_until(db)
    if until is not None and until > time.time():
        log.info("Telegram asked for a pause until %s; waiting it out", until)
        budget.hold(until - time.time())


async def _stop_deliveries(app: MusterApp) -> None:
    """Before the bot's HTTP client closes: sends in flight finish and are recorded."""
    await services_of(app).engine.stop()


async def _close_services(app: MusterApp) -> None:
    await services_of(app).db.close()
