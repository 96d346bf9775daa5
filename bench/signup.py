"""Sign-up storm benchmark (issue 9): the real Application answering thousands of new
supporters at once, with the Bot API simulator in its own process.

    python -m bench.signup [--users 20000] [--free-users 2000] [--free-followers 3000]
                           [--phases baseline start rsvp cities free]

The bot runs here as in production (build_application, long polling, the shared send budget);
the simulator and the crowds run in another process (bench.simulated_telegram --storms,
driven by bench.storms), so this process's CPU time is the bot's alone, its aiosqlite thread
included, and the simulator's is measured apart. Phases:

- baseline: python-telegram-bot's plain setup (ApplicationBuilder defaults, concurrent
  updates) answering /start with one text and no database: what any bot pays per update;
  then the same bot on Muster's transport (bot/transport.py, aiohttp), so that Muster's own
  work per update is told apart from what the HTTP client costs.
- start: N new people send /start city-seattle at once (BROADCAST_RATE 1000, paid, no limit).
- rsvp: an action in Seattle is announced to them; all press "I'll be there" at once.
- sign: a petition for Seattle is announced to them; all press "✍️ Sign" at once (the count
  must then equal the people exactly).
- cities: all press "✅ Seattle" on their /start reply, which unfollows.
- free: BROADCAST_RATE 25 against Telegram's 30/s, a broadcast going out to the city's
  followers, and a storm of new people's /start beside it (every tenth also sends /cities).

Figures are printed as a table and written to bench/RESULTS.md; targets print PASS or MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# python-telegram-bot 22 warns about RetryAfter's type on every 429 unless this opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")

import aiosqlite
from pydantic import SecretStr
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bench.common import (
    TOKEN,
    Meter,
    Row,
    SimProcess,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
    settle_leftover_tasks,
    simulator_process,
    text_table,
    verdict,
    write_results,
)
from bot.app import build_application, services_of
from bot.context import MusterApp
from bot.i18n import DEFAULT_LANGUAGE
from bot.runtime import running
from bot.settings import Settings
from bot.transport import AiohttpRequest
from domain.petitions import PetitionPlan
from storage import actions as action_store
from storage import bulk
from storage import cities as city_store
from storage.broadcasts import Content

PHASES = ("baseline", "start", "rsvp", "sign", "cities", "free")
# Each crowd its own ids, so every /start is a newcomer's.
BASELINE_FIRST_ID = 20_000_001
LEAN_BASELINE_FIRST_ID = 30_000_001
MUSTER_FIRST_ID = 40_000_001
FREE_FIRST_ID = 60_000_001
FOLLOWER_FIRST_ID = 80_000_001  # the free tier's existing followers, made without chatting
AUTHOR_ID = 1_000_001  # the organizer of the free tier's broadcast
START = "/start city-seattle"
ACTION_TITLE = "Storm rally"
RSVP_LABEL = "I'll be there"
UNFOLLOW_LABEL = "✅ Seattle"
PETITION_TITLE = "Storm petition"
SIGN_LABEL = "✍️ Sign"
BROADCAST_TEXT = "<b>Rally</b> at 6pm"
RATE_TARGET = 500.0  # updates answered a second
CPU_TARGET = 1.5  # ms of the bot's CPU per update
FREE_RATE, FREE_ALLOWED = 25.0, 30.0
PACE_WINDOW = 4.0  # seconds the broadcast's pace is read over before the storm


@dataclass(frozen=True, slots=True)
class StormResult:
    """One storm as both processes saw it: the driver's answer and the bot's own costs."""

    label: str
    answer: dict[str, Any]  # the storm driver's DONE (bench.storms.summary)
    bot_cpu: float
    rss_before: float  # MB: Python keeps what earlier phases freed, so each starts higher
    peak_rss: float
    trips: int | None = None  # database round trips, where counted

    @property
    def count(self) -> int:
        return int(self.answer["count"])

    @property
    def answered(self) -> int:
        return int(self.answer["answered"])

    @property
    def rate(self) -> float:
        wall = float(self.answer["wall"])
        return self.answered / wall if wall else 0.0

    def per_update_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(self.count, 1)

    @property
    def bot_cpu_ms(self) -> float:
        return self.per_update_ms(self.bot_cpu)


class RoundTrips:
    """Counts the database round trips: every call aiosqlite hands to its thread goes through
    Connection._execute (cursors call their connection's), so one counter there sees all."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.count = 0

    @contextmanager
    def counting(self) -> Iterator[RoundTrips]:
        original: Callable[..., Awaitable[Any]] = self.connection._execute

        async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(fn, *args, **kwargs)

        # An instance attribute shadows the method; deleting it brings the method back.
        setattr(self.connection, "_execute", counted)  # noqa: B010 - mypy refuses assigning to a method
        try:
            yield self
        finally:
            delattr(self.connection, "_execute")


async def storm(
    sim: SimProcess,
    title: str,
    command: str,
    arguments: dict[str, object],
    trips: RoundTrips | None = None,
) -> StormResult:
    """Runs one storm command, measuring this process (the bot) while it lasts."""
    rss_before = rss_mb()
    reset_peak_rss()
    before = trips.count if trips else 0
    with Meter() as meter:
        answer = await sim.command(command, **arguments)
    counted = trips.count - before if trips else None
    return StormResult(title, answer, meter.cpu, rss_before, peak_rss_mb(), counted)


def crowd(first: int, users: int, **arguments: object) -> dict[str, object]:
    """A storm command's arguments: the people, what they do, and how long they may wait."""
    return {"first": first, "count": users, "timeout": storm_limit(users), **arguments}


def storm_limit(users: int) -> float:
    """Seconds a storm may take before it is reported unfinished: far below the target is
    still measured (50 a second), and a bot that stops answering still lets the run end."""
    return max(120.0, users / 50)


def muster_settings(sim: SimProcess, database: Path, rate: float, *, paid: bool) -> Settings:
    return Settings(
        bot_token=SecretStr(TOKEN),
        telegram_api_url=sim.url,
        database_path=database,
        broadcast_rate=rate,
        paid_broadcast=paid,
        _env_file=None,  # type: ignore[call-arg]
    )


# --- a. python-telegram-bot's plain setup ----------------------------------------------------


async def welcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None:
        await update.message.reply_text("Welcome!")


async def ptb_baseline(sim: SimProcess, users: int, *, aiohttp: bool = False) -> StormResult:
    """One CommandHandler, default transport and defaults, no database: the floor a bot built
    on python-telegram-bot starts from. aiohttp: the same on Muster's transport instead."""
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{sim.url}/bot").concurrent_updates(True)
    if aiohttp:
        builder = builder.request(AiohttpRequest(TOKEN)).get_updates_request(AiohttpRequest(TOKEN))
    application = builder.build()
    application.add_handler(CommandHandler("start", welcome))
    await application.initialize()
    updater = application.updater
    if updater is None:
        raise RuntimeError("the default application has no updater")
    await updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    label = "PTB plain on aiohttp /start" if aiohttp else "PTB plain /start"
    first = LEAN_BASELINE_FIRST_ID if aiohttp else BASELINE_FIRST_ID
    try:
        return await storm(sim, label, "start", crowd(first, users, text=START))
    finally:
        await updater.stop()
        await application.stop()
        await application.shutdown()


# --- b, c, d. Muster at full speed -----------------------------------------------------------


async def muster_storms(
    sim: SimProcess, workdir: Path, users: int, phases: set[str]
) -> list[StormResult]:
    """/start storm, then (if asked) the RSVP storm and the /cities toggle storm on the same
    people: both press buttons on what the first storm's replies and the announcement left."""
    settings = muster_settings(sim, workdir / "storms.db", 1000.0, paid=True)
    results: list[StormResult] = []
    async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
        db = services_of(app).db
        await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
        trips = RoundTrips(db.connection)
        with trips.counting():
            starts = crowd(MUSTER_FIRST_ID, users, text=START)
            results.append(await storm(sim, "Muster /start", "start", starts, trips))
            if "rsvp" in phases:
                await announce(app, sim, users)
                rsvps = crowd(MUSTER_FIRST_ID, users, label=RSVP_LABEL)
                results.append(await storm(sim, "Muster RSVP press", "press", rsvps, trips))
            if "sign" in phases:
                await announce_petition(app, sim, users)
                signs = crowd(MUSTER_FIRST_ID, users, label=SIGN_LABEL)
                results.append(await storm(sim, "Muster petition Sign", "press", signs, trips))
                await check_count(app, users)
            if "cities" in phases:
                toggles = crowd(MUSTER_FIRST_ID, users, label=UNFOLLOW_LABEL)
                results.append(await storm(sim, "Muster /cities toggle", "press", toggles, trips))
    return results


async def announce(app: MusterApp, sim: SimProcess, users: int) -> None:
    """An action in Seattle announced to its followers, as Publish now does; returns once
    every one of them has its card (the RSVP buttons)."""
    services = services_of(app)
    seattle = await city_store.find(services.db, "seattle")
    if seattle is None:
        raise RuntimeError("Seattle is missing")
    # Three days ahead: no reminder falls due while the benchmark runs.
    starts_at = int(time.time()) + 3 * 86_400
    action = await action_store.create(
        services.db, None, seattle.id, ACTION_TITLE, starts_at, "City Hall", "", None
    )
    await services.mobilizer.publish(action)
    cards = await sim.command(
        "wait", first=MUSTER_FIRST_ID, count=users, has=ACTION_TITLE, timeout=users / 100 + 120
    )
    if cards["answered"] < users:
        logging.getLogger(__name__).error(
            "the announcement reached %s of %s", cards["answered"], users
        )


async def announce_petition(app: MusterApp, sim: SimProcess, users: int) -> None:
    """A petition for Seattle announced to its followers, as /newpetition's Publish now does;
    returns once every one of them has its card (the Sign button)."""
    services = services_of(app)
    seattle = await city_store.find(services.db, "seattle")
    if seattle is None:
        raise RuntimeError("Seattle is missing")
    plan = PetitionPlan(seattle.id, PETITION_TITLE, "End the contract.", "Amazon", 250_000)
    await services.petitions.publish_new(None, plan)
    cards = await sim.command(
        "wait", first=MUSTER_FIRST_ID, count=users, has=PETITION_TITLE, timeout=users / 100 + 120
    )
    if cards["answered"] < users:
        logging.getLogger(__name__).error("the petition reached %s of %s", cards["answered"], users)


async def check_count(app: MusterApp, users: int) -> None:
    """Every press counted once: the petition's count equals the people and the rows."""
    db = services_of(app).db
    row = await db.fetch_one("SELECT signatures, id FROM petitions ORDER BY id DESC LIMIT 1")
    rows = (
        await db.fetch_one("SELECT count(*) FROM signatures WHERE petition_id = ?", (row[1],))
        if row
        else None
    )
    if row is None or rows is None or not row[0] == rows[0] == users:
        raise RuntimeError(
            f"signatures counted {row and row[0]}, rows {rows and rows[0]}, people {users}"
        )


# --- e. the free tier ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreeTierResult:
    storm: StormResult
    pace_before: float  # broadcast messages a second before the storm
    followers: int


async def free_tier(workdir: Path, users: int, followers: int) -> FreeTierResult:
    """Telegram's pace: a broadcast to the city's followers is going out when the storm hits.
    Replies come first; the broadcast must keep going beside them."""
    async with simulator_process(rate_limit=FREE_ALLOWED, storms=True, max_seconds=3600) as sim:
        settings = muster_settings(sim, workdir / "free.db", FREE_RATE, paid=False)
        async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
            services = services_of(app)
            seattle = await city_store.add(services.db, "seattle", "America/Los_Angeles", "Seattle")
            ids = range(FOLLOWER_FIRST_ID, FOLLOWER_FIRST_ID + followers)
            await bulk.add_followers(services.db, seattle.id, ids, DEFAULT_LANGUAGE)
            sent = await services.broadcasts.send(AUTHOR_ID, seattle.id, Content(BROADCAST_TEXT))
            broadcast_id = sent.id
            pace = await sends_per_second(sim, PACE_WINDOW)
            # A tenth say /cities right after /start; its reply must come second.
            starts = crowd(
                FREE_FIRST_ID,
                users,
                text=START,
                then="/cities",
                every=10,
                first_reply_has="Welcome",
            )
            # At the pace the storm needs (users + a tenth) / 25 seconds; twice that.
            starts["timeout"] = 2 * users * 1.1 / FREE_RATE + 60
            result = await storm(sim, "Muster /start, free tier", "start", starts)
            await services.broadcasts.stop(AUTHOR_ID, broadcast_id)
    return FreeTierResult(result, pace, followers)


async def sends_per_second(sim: SimProcess, seconds: float) -> float:
    """Messages delivered a second over a window (the broadcast, when nothing else sends)."""
    before = await sim.command("stats")
    await asyncio.sleep(seconds)
    after = await sim.command("stats")
    sent = after["sends_delivered"] - before["sends_delivered"]
    return float(sent / (after["clock"] - before["clock"]))


# --- the table -------------------------------------------------------------------------------


def storm_rows(result: StormResult, *, fast: bool) -> list[Row]:
    """A storm's figures; fast storms (limits off) carry the rate and CPU targets."""
    answer, section = result.answer, f"{result.label} ({result.count:,})"
    sim_cpu_ms = result.per_update_ms(answer["sim_cpu"])
    answered = f"{result.answered:,} of {result.count:,} in {answer['wall']:.1f} s"
    rows = [
        Row(section, "answered", answered),
        Row(
            section,
            "answered a second",
            f"{result.rate:,.0f} /s",
            f"≥ {RATE_TARGET:,.0f}" if fast else "",
            verdict(result.rate >= RATE_TARGET and result.answered == result.count) if fast else "",
        ),
        Row(
            section,
            "latency p50 / p95 / max",
            f"{answer['p50_ms']:,.0f} / {answer['p95_ms']:,.0f} / {answer['max_ms']:,.0f} ms",
        ),
        Row(
            section,
            "bot CPU per update",
            f"{result.bot_cpu_ms:.2f} ms",
            f"≤ {CPU_TARGET} ms" if fast else "",
            verdict(result.bot_cpu_ms <= CPU_TARGET) if fast else "",
        ),
        Row(section, "simulator CPU per update", f"{sim_cpu_ms:.2f} ms"),
        Row(section, "bot RSS before → peak", rss_text(result)),
        Row(section, "429s", str(answer["throttled"])),
    ]
    if result.trips is not None:
        trips = result.trips / max(result.count, 1)
        rows.append(Row(section, "database round trips per update", f"{trips:.1f}"))
    if answer["missing"]:
        rows.append(Row(section, "first unanswered chats", ", ".join(map(str, answer["missing"]))))
    return rows


def rss_text(result: StormResult) -> str:
    return f"{result.rss_before:.0f} → {result.peak_rss:.0f} MB"


def free_rows(free: FreeTierResult) -> list[Row]:
    result, answer = free.storm, free.storm.answer
    section = f"{result.label} ({result.count:,})"
    late, disorder = answer["throttled_late"], answer["out_of_order"]
    sends, late_sends = answer["other_sends"], answer["other_sends_late"]
    during = sends / answer["wall"] if answer["wall"] else 0.0
    return [
        Row(
            section,
            "answered (every reply)",
            f"{result.answered:,} of {result.count:,} in {answer['wall']:.1f} s",
            f"{result.count:,}",
            verdict(result.answered == result.count),
        ),
        Row(section, "the last person waited", f"{answer['max_ms'] / 1000:.1f} s"),
        Row(
            section,
            "latency p50 / p95",
            f"{answer['p50_ms'] / 1000:.1f} / {answer['p95_ms'] / 1000:.1f} s",
        ),
        Row(section, "429s after the storm's first second", str(late), "0", verdict(late == 0)),
        Row(section, "429s in all", str(answer["throttled"])),
        Row(
            section,
            f"out-of-order chats (of {answer['twice']:,} sending two)",
            str(disorder),
            "0",
            verdict(disorder == 0),
        ),
        Row(
            section,
            f"broadcast to {free.followers:,}: sends during the storm",
            f"{sends:,} ({during:.1f} /s; {free.pace_before:.1f} /s before)",
            "> 0",
            verdict(sends > 0),
        ),
        Row(
            section,
            "broadcast sends after the storm's first second",
            f"{late_sends:,}",
            "> 0",
            verdict(late_sends > 0),
        ),
        Row(section, "bot CPU per update", f"{result.bot_cpu_ms:.2f} ms"),
        Row(section, "bot RSS before → peak", rss_text(result)),
    ]


def comparison_rows(baseline: StormResult, muster: StormResult) -> list[Row]:
    section = f"Muster ÷ {baseline.label.removesuffix(' /start')} (/start)"
    ratio = muster.bot_cpu_ms / baseline.bot_cpu_ms if baseline.bot_cpu_ms else 0.0
    speed = muster.rate / baseline.rate if baseline.rate else 0.0
    own = muster.bot_cpu_ms - baseline.bot_cpu_ms
    return [
        Row(
            section,
            "bot CPU per update",
            f"{ratio:.2f}x ({muster.bot_cpu_ms:.2f} vs {baseline.bot_cpu_ms:.2f} ms; "
            f"difference {own:+.2f} ms)",
        ),
        Row(
            section,
            "answered a second",
            f"{speed:.2f}x ({muster.rate:,.0f} vs {baseline.rate:,.0f} /s)",
        ),
    ]


# --- running it ------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> list[Row]:
    phases = set(args.phases)
    rows: list[Row] = []
    baselines: list[StormResult] = []
    fast: list[StormResult] = []
    with tempfile.TemporaryDirectory(prefix="muster-signup-") as tmp:
        workdir = Path(tmp)
        # rsvp and cities press buttons on what the /start storm left, so they bring it along.
        if phases & {"baseline", "start", "rsvp", "sign", "cities"}:
            async with simulator_process(rate_limit=None, storms=True, max_seconds=3600) as sim:
                # Muster first: its memory figures then start from a fresh process.
                if phases & {"start", "rsvp", "sign", "cities"}:
                    fast = await muster_storms(sim, workdir, args.users, phases)
                    for result in fast:
                        rows += storm_rows(result, fast=True)
                if "baseline" in phases:
                    for aiohttp in (False, True):
                        result = await ptb_baseline(sim, args.users, aiohttp=aiohttp)
                        baselines.append(result)
                        rows += storm_rows(result, fast=False)
        for baseline in baselines if fast else []:
            rows += comparison_rows(baseline, fast[0])
        if "free" in phases:
            rows += free_rows(await free_tier(workdir, args.free_users, args.free_followers))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000, help="people in each fast storm")
    parser.add_argument(
        "--free-users", type=int, default=2_000, help="people in the free tier's storm"
    )
    parser.add_argument(
        "--free-followers",
        type=int,
        default=3_000,
        help="Seattle's followers the free tier's broadcast goes to",
    )
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    stuck = asyncio.run(report(args))
    if stuck:
        # Results are out; do not hang on tasks the bot left behind (see the log).
        print(f"tasks left running and not cancellable: {', '.join(stuck)}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(1)


async def report(args: argparse.Namespace) -> list[str]:
    """Runs the phases, prints and writes the table; returns the tasks that would not end."""
    started = time.perf_counter()
    rows = await run(args)
    command = ("python -m bench.signup " + shlex.join(sys.argv[1:])).strip()
    print(f"\n{command}  ({time.perf_counter() - started:.0f} s)\n")
    print(text_table(rows))
    notes = [
        "The simulator and the crowds run in their own process (bench.simulated_telegram "
        "--storms, bench.storms); the bot runs in the bench process, so its CPU time "
        "(time.process_time, the aiosqlite thread included) is the bot's alone.",
        "Each crowd acts at once; a latency runs from enqueueing a person's update to the "
        "simulator receiving what they wait for (the first reply; for a press, both the "
        "callback answer and the edit of the pressed message). Wall time runs from the first "
        "update enqueued to the last answer.",
        "Fast storms: BROADCAST_RATE 1000 with PAID_BROADCAST, the simulator's limits off. The "
        "free tier: BROADCAST_RATE 25 against the simulator's 30 a second, a broadcast to the "
        "city's followers going out as the storm comes; every tenth person also sends /cities "
        "right after /start, and its reply must come second.",
        "Database round trips: calls into aiosqlite's thread (Connection._execute) during the "
        "storm, per update.",
        "RSS: the bench process's before each storm and its high-water mark (VmHWM, reset as "
        "the storm starts) during it. Python keeps memory earlier phases freed, so a later "
        "phase's figures include them; Muster's storms run first.",
    ]
    write_results("bench.signup", command, rows, notes)
    return await settle_leftover_tasks()


if __name__ == "__main__":
    main()
