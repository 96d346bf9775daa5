"""The composition root: builds the Application with every handler and long-lived service."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, TypeHandler

from bot.apologies import Apologies
from bot.botapi import BotApiClient
from bot.budget import SendBudget
from bot.calls import PlainCalls
from bot.clock import Clock, SystemClock
from bot.context import MusterApp, MusterContext, Services
from bot.delivery import DeliveryEngine, Tuning
from bot.edits import Editor
from bot.flood import FloodControl
from bot.gate import Gate, GatedOrder
from bot.menu import register_menu
from bot.metrics import Metrics
from bot.persistence import DraftPersistence
from bot.printing import Printer
from bot.pulse import Pulse
from bot.ratelimit import InteractiveRateLimiter
from bot.settings import Settings
from bot.transport import AiohttpRequest
from domain.actions import Mobilizer
from domain.bans import Bans
from domain.broadcasts import Broadcasts
from domain.cities import Cities
from domain.drafts import Drafts
from domain.exports import Exports
from domain.links import Links
from domain.organizers import Reach
from domain.petitions import Petitions
from domain.places import Places
from domain.posters import Posters
from domain.retention import Retention
from domain.stats import CHARTS_PRELOAD, Insight
from domain.supporters import Supporters
from domain.turnout import Turnout
from handlers import (
    account,
    actions,
    admin,
    bans,
    broadcast,
    checkin,
    cities,
    errors,
    exports,
    fallback,
    guard,
    links,
    membership,
    petitions,
    qr,
    roles,
    rsvp,
    signup,
    stats,
)
from storage import Database
from storage import throttle as throttle_store

log = logging.getLogger(__name__)

RETENTION_JOB, RETENTION_INTERVAL = "retention", timedelta(days=1)
CHARTS_TIME = 60.0  # seconds the /stats charts may take to draw (about half of one)

# What the bot asks Telegram for; edited messages come so they can be ignored on purpose.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


def build_application(
    settings: Settings, token: str, tuning: Tuning | None = None, clock: Clock | None = None
) -> MusterApp:
    """The one way the bot is wired, for production, the simulator and the tests alike."""
    rate = settings.broadcast_rate
    clock = clock or SystemClock()
    metrics = Metrics(clock)
    # Every successful answer from Telegram, on either way of calling it, is noted here.
    pulse = Pulse(clock)
    db = Database(settings.database_path)
    drafts = Drafts(db, clock)
    budget = SendBudget(rate, keep=partial(_keep_pause, db))
    transport = AiohttpRequest(token, pulse=pulse)
    limiter = InteractiveRateLimiter(budget)
    gate = Gate(FloodControl(settings.flood_limit, clock), settings.admin_ids)
    app: MusterApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=MusterContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Replies to people share the bulk sends' budget, ahead of them in the queue.
        .rate_limiter(limiter)
        # Banned people and flooders are turned away as their updates arrive (bot/gate.py).
        .concurrent_updates(GatedOrder(gate, metrics=metrics))
        # bot.polling fetches updates, confirming them only once handled.
        .updater(None)
        # One transport for every call python-telegram-bot makes (it polls for nothing).
        .request(transport)
        .get_updates_request(transport)
        # Conversations resume after a restart at the step their draft reached.
        .persistence(DraftPersistence(db, drafts))
        .post_init(_open_services)
        .post_stop(_stop_deliveries)
        .post_shutdown(_close_services)
        # The builder's overloads do not carry the context type into JobQueue's parameter.
        .build()  # type: ignore[assignment]
    )
    client = BotApiClient(settings.telegram_api_url, token, pulse=pulse)
    tuning = tuning or Tuning.for_rate(rate, paid=settings.paid_broadcast)
    engine = DeliveryEngine(db, client, budget, app.bot, tuning, clock, metrics)
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    reach = Reach(db, settings.admin_ids)
    cities = Cities(db)
    grace = settings.missed_grace
    invite_links = Links(db, reach, clock)
    app.bot_data["services"] = Services(
        settings=settings,
        db=db,
        clock=clock,
        engine=engine,
        supporters=Supporters(db, engine, clock),
        cities=cities,
        reach=reach,
        broadcasts=Broadcasts(
            db, engine, reach, app.job_queue, app.bot, clock, grace, settings.quiet_hours
        ),
        mobilizer=Mobilizer(
            db,
            engine,
            reach,
            cities,
            app.job_queue,
            app.bot,
            clock,
            settings.reminder_offsets,
            grace,
            settings.quiet_hours,
        ),
        petitions=Petitions(db, engine, reach, app.job_queue, app.bot, clock),
        turnout=Turnout(
            db,
            engine,
            reach,
            cities,
            app.job_queue,
            clock,
            settings.followup_after,
            settings.quiet_hours,
        ),
        places=Places(db, engine, reach, clock),
        drafts=drafts,
        retention=Retention(
            db, clock, engine, settings.delivery_retention, settings.audit_retention
        ),
        editor=Editor(
            PlainCalls(BotApiClient(settings.telegram_api_url, token, pulse=pulse), limiter)
        ),
        apologies=Apologies(),
        printer=Printer(),
        metrics=metrics,
        pulse=pulse,
        bans=Bans(db, engine, gate, settings.admin_ids),
        links=invite_links,
        posters=Posters(db, reach, invite_links, clock),
        exports=Exports(db, clock),
        insight=Insight(db, reach, clock, Printer(CHARTS_TIME, preload=CHARTS_PRELOAD)),
    )
    register_handlers(app, settings)
    return app


# Handler groups, in the order python-telegram-bot consults them; in each group the first
# handler that matches runs. A conversation's step ends the update's handling
# (ApplicationHandlerStop); a command or a conversation-opening button in the middle of a
# conversation ends it and goes on to the later groups, where its own handler takes it.
GUARD = -1
BROADCAST_CONVERSATION, ACTION_CONVERSATION, PETITION_CONVERSATION, EVERYTHING_ELSE = 0, 1, 2, 3


def register_handlers(app: MusterApp, settings: Settings) -> None:
    # First of all: updates of banned people and flooders end here (ApplicationHandlerStop),
    # before any conversation could take them as its next step.
    app.add_handler(TypeHandler(Update, guard.turn_away), group=GUARD)
    app.add_handler(broadcast.conversation(), group=BROADCAST_CONVERSATION)
    # After the broadcast conversation: its Change-time and Change-place buttons, pressed
    # while composing a broadcast, leave that and then open this one.
    app.add_handler(actions.conversation(), group=ACTION_CONVERSATION)
    app.add_handler(petitions.conversation(), group=PETITION_CONVERSATION)
    # Order matters within a group: admin commands sit behind the ADMIN_IDS filter, so a
    # non-admin's /addcity falls through to the unknown-command reply at the end.
    for handler in [
        *signup.handlers(),
        *cities.handlers(),
        *account.handlers(),
        *admin.handlers(settings.admin_ids),
        *roles.handlers(settings.admin_ids),
        *bans.handlers(settings.admin_ids),
        *exports.handlers(settings.admin_ids),
        *broadcast.handlers(),
        *actions.handlers(),
        *stats.handlers(),
        *checkin.handlers(),
        *rsvp.handlers(),
        *petitions.handlers(),
        *links.handlers(),
        *qr.handlers(),
        *membership.handlers(),
        petitions.name_handler(),  # before fallback: plain text may be a name asked for
        *fallback.handlers(),  # last: whatever nobody else claimed
    ]:
        app.add_handler(handler, group=EVERYTHING_ELSE)
    app.add_error_handler(errors.on_error)


def services_of(app: MusterApp) -> Services:
    services = app.bot_data["services"]
    if not isinstance(services, Services):
        raise RuntimeError("the application has no services")
    return services


async def _open_services(app: MusterApp) -> None:
    services = services_of(app)
    await services.db.open()
    await services.bans.load()  # before the first update reaches the gate
    await services.editor.open()
    await _restore_pause(services.engine.budget, services.db)
    await register_menu(app.bot, services.settings.admin_ids)
    await services.drafts.expire()
    # Before any broadcast resumes, so none of this process's is running yet. A backlog
    # (after an upgrade, or days down) delays polling by about 1.7 s a million rows.
    await services.retention.sweep()
    if app.job_queue is not None:
        # Drafts untouched for a day go while the bot runs, not only at start-up.
        app.job_queue.run_repeating(_expire_drafts, interval=3600, name="expire-drafts")
        app.job_queue.run_repeating(_sweep, interval=RETENTION_INTERVAL, name=RETENTION_JOB)
    await services.engine.start()
    await services.broadcasts.start()
    await services.mobilizer.start()
    await services.petitions.start()
    await services.turnout.start()
    log.info("Muster is up as @%s", app.bot.username)


async def _expire_drafts(context: MusterContext) -> None:
    await context.services.drafts.expire()


async def _sweep(context: MusterContext) -> None:
    await context.services.retention.sweep()


async def _keep_pause(db: Database, seconds: float) -> None:
    await throttle_store.pause_until(db, time.time() + seconds)


async def _restore_pause(budget: SendBudget, db: Database) -> None:
    """A pause Telegram asked of the previous process holds for this one too."""
    until = await throttle_store.paused_until(db)
    if until is not None and until > time.time():
        log.info("Telegram asked for a pause until %s; waiting it out", until)
        budget.hold(until - time.time())


async def _stop_deliveries(app: MusterApp) -> None:
    """Before the bot's HTTP client closes: sends in flight finish and are recorded; print
    jobs stop (they would send through it)."""
    await services_of(app).printer.close()
    await services_of(app).insight.close()
    await services_of(app).engine.stop()


async def _close_services(app: MusterApp) -> None:
    services = services_of(app)
    await services.editor.close()
    await services.db.close()
