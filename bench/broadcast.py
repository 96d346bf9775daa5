"""Broadcast benchmark: the delivery engine's ceiling, its use of Telegram's allowance, and a
million-recipient broadcast's enqueue time and memory.

    python -m bench.broadcast [--subscribers 100000] [--paced 600] [--paid-count 5000]
                              [--million 1000000]

The Bot API simulator runs in a separate process (bench.simulated_telegram); the engine runs
here with a temporary SQLite database. Figures are printed as a table and written to
bench/RESULTS.md. Targets print PASS or MISS; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shlex
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bench.common import (
    TOKEN,
    Meter,
    Row,
    RssSampler,
    SimProcess,
    lifetime_peak_rss_mb,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
    settle_leftover_tasks,
    simulator_process,
    text_table,
    verdict,
    write_results,
)
from bot.botapi import BotApiClient, Reply
from bot.budget import SendBudget, busiest_second
from bot.delivery import DeliveryEngine, Tuning
from bot.i18n import DEFAULT_LANGUAGE
from storage import Database, bulk
from storage import broadcasts as store
from storage import cities as city_store
from storage.broadcasts import Content, Outcome

TEXT = "<b>Rally</b> at 6pm"
FIRST_USER_ID = 10_000_001  # plausible Telegram user ids, all positive
CEILING_TARGET = 1500.0  # msg/s
UTILISATION_TARGET = 0.95
FREE_ALLOWED = 30.0  # the simulator's limit for ordinary sends, as Telegram's
PAID_ALLOWED = 1000.0  # and for sends with allow_paid_broadcast
PAID_RATE = 1000.0  # the BROADCAST_RATE of the paid-tier run
ENQUEUE_TARGET = 10.0  # seconds for 1M recipients
RSS_TARGET = 200.0  # MB with 1M recipients
BENCH_ACTOR = 0  # who "cancels" the million-recipient run in the audit log


def recipients(count: int) -> range:
    return range(FIRST_USER_ID, FIRST_USER_ID + count)


@asynccontextmanager
async def seeded_database(path: Path, followers: int) -> AsyncIterator[tuple[Database, int, float]]:
    """A fresh database with one city and its followers; yields (db, city id, seed seconds)."""
    db = Database(path)
    await db.open()
    try:
        city = await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
        started = time.perf_counter()
        await bulk.add_followers(db, city.id, recipients(followers), DEFAULT_LANGUAGE)
        yield db, city.id, time.perf_counter() - started
    finally:
        await db.close()


@asynccontextmanager
async def started_engine(
    db: Database,
    url: str,
    rate: float | None,
    client: BotApiClient | None = None,
    *,
    paid: bool = False,
) -> AsyncIterator[DeliveryEngine]:
    """An engine wired as bot/app.py wires it; paid asks for the paid tier as
    PAID_BROADCAST=true does. The Bot is never used: a broadcast without an author has no
    progress message."""
    engine = DeliveryEngine(
        db,
        client or BotApiClient(url, TOKEN),
        SendBudget(rate),
        Bot(TOKEN, base_url=f"{url}/bot"),
        Tuning.for_rate(rate, paid=paid),
    )
    # Before the broadcast exists: start() would otherwise resume it as unfinished.
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


async def wait_bounded(engine: DeliveryEngine, broadcast_id: int, seconds: float) -> bool:
    """Waits for the run to end; after `seconds` cancels it so the benchmark still ends.
    False when it had to cancel."""
    try:
        async with asyncio.timeout(seconds):
            await engine.wait(broadcast_id)
    except TimeoutError:
        logging.getLogger(__name__).error(
            "broadcast %s still running after %.0f s", broadcast_id, seconds
        )
        await engine.cancel(broadcast_id, BENCH_ACTOR)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                await engine.wait(broadcast_id)
        return False
    return True


class TimedClient(BotApiClient):
    """Notes when each send succeeded and when each 429 came, to see the pace second by
    second (the engine itself only counts 429s)."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url, token)
        self.sent_at: list[float] = []
        self.throttled_at: list[float] = []

    async def call(
        self, method: str, payload: dict[str, Any], *, within: float | None = None
    ) -> Reply:
        reply = await super().call(method, payload, within=within)
        if reply.ok:
            self.sent_at.append(time.perf_counter())
        elif reply.status == 429:
            self.throttled_at.append(time.perf_counter())
        return reply


# --- 1. ceiling -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Throughput:
    sent: int
    meter: Meter

    @property
    def rate(self) -> float:
        return self.sent / self.meter.wall if self.meter.wall else 0.0

    def cpu_per_1000(self) -> float:
        return 1000 * self.meter.cpu / max(self.sent, 1)

    def sim_cpu_per_1000(self) -> float:
        return 1000 * self.meter.other_cpu / max(self.sent, 1)


async def engine_ceiling(sim: SimProcess, workdir: Path, subscribers: int) -> list[Row]:
    section = f"ceiling ({subscribers:,})"
    async with seeded_database(workdir / "ceiling.db", subscribers) as (db, city_id, seeded):
        async with started_engine(db, sim.url, None) as engine:
            broadcast = await store.create(db, None, city_id, Content(TEXT))
            reset_peak_rss()
            with Meter(sim.pid) as enqueue:
                await engine.send_now(broadcast.id)
            with Meter(sim.pid) as delivery:
                # Bounded: even 200 msg/s would be far below any engine worth measuring.
                await wait_bounded(engine, broadcast.id, subscribers / 200 + 60)
            peak = peak_rss_mb()
        counts = await store.counts(db, broadcast.id)
    result = Throughput(counts[Outcome.SENT], delivery)
    return [
        Row(section, "seed followers (bulk insert)", f"{seeded:.2f} s"),
        Row(section, "enqueue_followers", f"{enqueue.wall * 1000:.0f} ms"),
        Row(section, "engine: messages sent", f"{result.sent:,} of {subscribers:,}"),
        Row(
            section,
            "engine: throughput",
            f"{result.rate:,.0f} msg/s",
            f"≥ {CEILING_TARGET:,.0f}",
            verdict(result.rate >= CEILING_TARGET),
        ),
        Row(section, "engine: bench CPU per 1000 msgs", f"{result.cpu_per_1000():.3f} s"),
        Row(section, "engine: bench CPU utilisation", f"{delivery.cpu / delivery.wall:.0%}"),
        Row(section, "engine: simulator CPU per 1000", f"{result.sim_cpu_per_1000():.3f} s"),
        Row(
            section,
            "engine: simulator CPU utilisation",
            f"{delivery.other_cpu / delivery.wall:.0%}",
        ),
        Row(section, "engine: 429s", str(engine.throttled)),
        Row(section, "engine: peak RSS (phase)", f"{peak:.0f} MB"),
    ]


async def naive_baseline(
    sim: SimProcess, user_ids: Sequence[int], concurrency: int, limiter: AIORateLimiter
) -> Throughput:
    """python-telegram-bot as most bots send: Bot.send_message through its httpx transport
    and AIORateLimiter, one at a time or in chunks gathered concurrently."""
    application = (
        ApplicationBuilder().token(TOKEN).base_url(f"{sim.url}/bot").rate_limiter(limiter).build()
    )
    await application.initialize()
    bot = application.bot
    sent = 0
    try:
        with Meter(sim.pid) as meter:
            if concurrency == 1:
                for user_id in user_ids:
                    await bot.send_message(user_id, TEXT, parse_mode="HTML")
                    sent += 1
            else:
                for start in range(0, len(user_ids), concurrency):
                    chunk = user_ids[start : start + concurrency]
                    await asyncio.gather(
                        *(bot.send_message(uid, TEXT, parse_mode="HTML") for uid in chunk)
                    )
                    sent += len(chunk)
    finally:
        await application.shutdown()
    return Throughput(sent, meter)


async def baselines(
    sim: SimProcess, engine_rate: float, count: int, default_count: int
) -> list[Row]:
    section = f"baseline ({count:,})"
    user_ids = recipients(count)
    rows: list[Row] = []
    # overall_max_rate=0: the limiter's 30/s cap off, as SendBudget(None) is for the engine,
    # so both measure the cost of sending rather than a configured pace.
    for label, concurrency in (("sequential", 1), ("gather x64", 64)):
        result = await naive_baseline(
            sim, user_ids, concurrency, AIORateLimiter(overall_max_rate=0)
        )
        rows += [
            Row(section, f"PTB {label}: throughput", f"{result.rate:,.0f} msg/s"),
            Row(section, f"PTB {label}: bench CPU per 1000", f"{result.cpu_per_1000():.3f} s"),
            Row(
                section,
                f"PTB {label}: simulator CPU per 1000",
                f"{result.sim_cpu_per_1000():.3f} s",
            ),
            Row(section, f"engine / PTB {label}", f"{engine_rate / result.rate:.1f}x"),
        ]
    if default_count:
        # With its defaults AIORateLimiter caps the bot at 30/s, whatever the transport.
        result = await naive_baseline(sim, recipients(default_count), 64, AIORateLimiter())
        rows.append(
            Row(
                f"baseline ({default_count:,})",
                "PTB gather x64, AIORateLimiter() defaults",
                f"{result.rate:,.1f} msg/s",
            )
        )
    return rows


# --- 2. utilisation -------------------------------------------------------------------------


async def utilisation(
    sim: SimProcess,
    workdir: Path,
    rate: float,
    count: int,
    *,
    allowed: float = FREE_ALLOWED,
    paid: bool = False,
) -> list[Row]:
    """Paces a broadcast at `rate` against the simulator's limit `allowed`; paid sends ask
    for the paid tier (allow_paid_broadcast), which the simulator limits separately."""
    tier = " paid" if paid else ""
    section = f"paced {rate:g}/s{tier} ({count:,})"
    database = workdir / f"paced-{rate:g}{tier.replace(' ', '-')}.db"
    async with seeded_database(database, count) as (db, city_id, _):
        client = TimedClient(sim.url, TOKEN)
        async with started_engine(db, sim.url, rate, client, paid=paid) as engine:
            broadcast = await store.create(db, None, city_id, Content(TEXT))
            await engine.send_now(broadcast.id)
            started = time.perf_counter()
            await wait_bounded(engine, broadcast.id, 3 * count / rate + 30)
            wall = time.perf_counter() - started
        counts = await store.counts(db, broadcast.id)
    sent = counts[Outcome.SENT]
    achieved = sent / wall
    times = client.sent_at
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    late_429 = sum(1 for at in client.throttled_at if at > started + 1.0)
    busiest = busiest_second(times)
    return [
        Row(section, "messages sent", f"{sent:,} of {count:,} in {wall:.1f} s"),
        Row(section, "achieved rate", f"{achieved:.2f} msg/s"),
        Row(
            section,
            "achieved / configured",
            f"{achieved / rate:.1%}",
            f"≥ {UTILISATION_TARGET:.0%}",
            verdict(achieved / rate >= UTILISATION_TARGET),
        ),
        Row(
            section,
            f"achieved / allowed ({allowed:g})",
            f"{achieved / allowed:.1%}",
            f"≥ {UTILISATION_TARGET:.0%}",
            verdict(achieved / allowed >= UTILISATION_TARGET),
        ),
        Row(section, "steady rate (first to last send)", f"{steady:.2f} msg/s"),
        Row(section, "most sends in any 1 s window", str(busiest)),
        Row(section, "429s (engine.throttled)", str(engine.throttled)),
        Row(section, "429s after the first second", str(late_429), "0", verdict(late_429 == 0)),
    ]


# --- 3. a million recipients --------------------------------------------------------------


async def million(sim: SimProcess, workdir: Path, count: int, window: float) -> list[Row]:
    section = f"enqueue ({count:,})"
    reset_peak_rss()
    async with seeded_database(workdir / "million.db", count) as (db, city_id, seeded):
        seed_peak = peak_rss_mb()
        async with started_engine(db, sim.url, None) as engine:
            broadcast = await store.create(db, None, city_id, Content(TEXT))
            reset_peak_rss()
            rss_before = rss_mb()
            with Meter() as enqueue:
                total = await store.enqueue_followers(db, broadcast.id)
            enqueue_peak = peak_rss_mb()
            reset_peak_rss()
            async with RssSampler() as sampler:
                with Meter(sim.pid) as delivery:
                    await engine.launch(broadcast.id)
                    run = engine.runs[broadcast.id]
                    waiting = asyncio.create_task(engine.wait(broadcast.id))
                    await asyncio.wait({waiting}, timeout=window)
                    sent_in_window = run.sent_here
                # Cancelling marks every pending row cancelled, in one UPDATE.
                with Meter() as cancelling:
                    await engine.cancel(broadcast.id, BENCH_ACTOR)
                    await waiting
            delivery_peak = peak_rss_mb()
        counts = await store.counts(db, broadcast.id)
    rate = sent_in_window / delivery.wall
    overall_peak = max(seed_peak, enqueue_peak, delivery_peak)
    return [
        Row(section, "seed followers (bulk insert)", f"{seeded:.1f} s"),
        Row(section, "peak RSS while seeding", f"{seed_peak:.0f} MB"),
        Row(
            section,
            "enqueue_followers",
            f"{enqueue.wall:.2f} s for {total:,} rows",
            f"< {ENQUEUE_TARGET:.0f} s",
            verdict(enqueue.wall < ENQUEUE_TARGET),
        ),
        Row(section, "RSS before → peak in enqueue", f"{rss_before:.0f} → {enqueue_peak:.0f} MB"),
        Row(
            section,
            f"delivery for {delivery.wall:.0f} s",
            f"{sent_in_window:,} sent, {rate:,.0f} msg/s",
        ),
        Row(
            section,
            "peak RSS during delivery",
            f"{delivery_peak:.0f} MB (sampled max {sampler.peak:.0f})",
            f"< {RSS_TARGET:.0f} MB",
            verdict(delivery_peak < RSS_TARGET),
        ),
        Row(
            section,
            "peak RSS, whole phase",
            f"{overall_peak:.0f} MB",
            f"< {RSS_TARGET:.0f} MB",
            verdict(overall_peak < RSS_TARGET),
        ),
        Row(section, "cancel (mark rest cancelled)", f"{cancelling.wall:.2f} s"),
        Row(
            section,
            "outcomes after cancel",
            f"{counts[Outcome.SENT]:,} sent, {counts[Outcome.CANCELLED]:,} cancelled",
        ),
    ]


# --- running it -----------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="muster-bench-") as tmp:
        workdir = Path(tmp)
        if "ceiling" not in args.skip or "million" not in args.skip:
            async with simulator_process(rate_limit=None) as sim:
                if "ceiling" not in args.skip:
                    ceiling_rows = await engine_ceiling(sim, workdir, args.subscribers)
                    rows += ceiling_rows
                    engine_rate = float(ceiling_rows[3].value.split()[0].replace(",", ""))
                    if args.baseline:
                        rows += await baselines(
                            sim, engine_rate, args.baseline, args.baseline_default_limiter
                        )
                if "million" not in args.skip:
                    rows += await million(sim, workdir, args.million, args.delivery_window)
        paced = "paced" not in args.skip
        paid = "paid" not in args.skip and args.paid_count > 0
        if paced or paid:
            async with simulator_process(
                rate_limit=FREE_ALLOWED, paid_rate_limit=PAID_ALLOWED
            ) as sim:
                for rate in args.rates if paced else []:
                    rows += await utilisation(sim, workdir, rate, args.paced)
                if paid:
                    rows += await utilisation(
                        sim, workdir, PAID_RATE, args.paid_count, allowed=PAID_ALLOWED, paid=True
                    )
    rows.append(
        Row(
            "process", "peak RSS over the whole run (ru_maxrss)", f"{lifetime_peak_rss_mb():.0f} MB"
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000, help="ceiling run size")
    parser.add_argument("--baseline", type=int, default=5_000, help="PTB baseline size; 0 skips")
    parser.add_argument(
        "--baseline-default-limiter",
        type=int,
        default=300,
        help="PTB with AIORateLimiter's default 30/s cap; 0 skips",
    )
    parser.add_argument("--paced", type=int, default=600, help="recipients of each paced run")
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[25.0, 29.0, 30.0],
        help="BROADCAST_RATEs to pace at",
    )
    parser.add_argument(
        "--paid-count",
        type=int,
        default=5_000,
        help=f"recipients of the paid-tier run at {PAID_RATE:g}/s; 0 skips",
    )
    parser.add_argument("--million", type=int, default=1_000_000, help="enqueue run size")
    parser.add_argument("--delivery-window", type=float, default=12.0, help="seconds")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["ceiling", "paced", "paid", "million"]
    )
    args = parser.parse_args()
    # The engine logs each broadcast's start and end; the table is the output here.
    logging.basicConfig(level=logging.WARNING)
    stuck = asyncio.run(report(args))
    if stuck:
        # Results are out; do not hang on tasks the engine left behind (see the log).
        print(f"tasks left running and not cancellable: {', '.join(stuck)}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(1)


async def report(args: argparse.Namespace) -> list[str]:
    """Runs the phases, prints and writes the table; returns the tasks that would not end."""
    started = time.perf_counter()
    rows = await run(args)
    command = "python -m bench.broadcast " + shlex.join(sys.argv[1:])
    print(f"\n{command.strip()}  ({time.perf_counter() - started:.0f} s)\n")
    print(text_table(rows))
    notes = [
        "The simulator runs in its own process (bench.simulated_telegram), sends accepted "
        "for any chat id and not recorded; the engine and the PTB baseline run in the bench "
        "process, against a temporary SQLite database (WAL, synchronous=FULL).",
        "PTB baselines use AIORateLimiter(overall_max_rate=0), i.e. the limiter without its "
        "30/s cap, on a subset of the recipients; the last baseline row keeps the defaults.",
        "Peak RSS per phase is the kernel's VmHWM, reset at the start of each phase.",
        f"Paced runs: the simulator allows {FREE_ALLOWED:g} sends in any sliding second, as "
        "Telegram does; the paid run's sends carry allow_paid_broadcast, which the simulator "
        f"allows {PAID_ALLOWED:g} of in any sliding second (the engine at BROADCAST_RATE="
        f"{PAID_RATE:g} with PAID_BROADCAST on).",
    ]
    write_results("bench.broadcast", command.strip(), rows, notes)
    return await settle_leftover_tasks()


if __name__ == "__main__":
    main()
