"""Sign-up benchmark: how many "/start city-seattle" the real Application answers a second,
and how long each person waits for the reply.

    python -m bench.signup [--users 2000] [--paced-users 250]

The whole bot runs as in production (build_application, long polling, the shared send
budget) against the Bot API simulator. Unlike bench.broadcast the simulator runs in THIS
process: the benchmark has to enqueue updates and see replies, which the simulator offers
as Python calls. Bot and simulator therefore share one core's event loop, so the figures
are a lower bound. Every user sends /start at once (a burst, as after a rally's QR code is
shown); latency runs from enqueueing a user's update to the simulator receiving the reply.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# python-telegram-bot 22 warns about RetryAfter's type on every 429 unless this opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from pydantic import SecretStr

from bench.common import TOKEN, Row, text_table, write_results
from bot.app import build_application, services_of
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SentMessage
from simulator.server import BotApiSimulator
from storage import cities as city_store

FIRST_USER_ID = 20_000_001


@dataclass(frozen=True, slots=True)
class SignupResult:
    users: int
    answered: int
    wall: float
    cpu: float
    latencies: list[float]
    rejected_429: int

    @property
    def rate(self) -> float:
        return self.answered / self.wall if self.wall else 0.0

    def percentile(self, fraction: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[
            round(fraction * 100) - 1
        ]


async def sign_up(
    workdir: Path, users: int, rate: float, paid: bool, sim_rate: float | None
) -> SignupResult:
    enqueued: dict[int, float] = {}
    answered: dict[int, float] = {}

    def on_send(message: SentMessage) -> None:
        # Only the first reply counts: that is what the person waits for.
        if message.chat_id in enqueued and message.chat_id not in answered:
            answered[message.chat_id] = time.perf_counter()

    sim = BotApiSimulator(token=TOKEN, rate_limit=sim_rate, on_send=on_send)
    await sim.start()
    try:
        settings = Settings(
            bot_token=SecretStr(TOKEN),
            telegram_api_url=sim.url,
            database_path=workdir / f"signup-{rate:g}.db",
            broadcast_rate=rate,
            paid_broadcast=paid,
            _env_file=None,  # type: ignore[call-arg]
        )
        async with running(build_application(settings, TOKEN), poll_timeout=1) as app:
            db = services_of(app).db
            await city_store.add(db, "seattle", "America/Los_Angeles", "Seattle")
            people = [sim.user(f"Supporter {n}", user_id=FIRST_USER_ID + n) for n in range(users)]
            cpu_started = time.process_time()
            started = time.perf_counter()
            for person in people:
                enqueued[person.id] = time.perf_counter()
                await person.says("/start city-seattle")
            # Bounded: twice the time the pace needs, plus slack for a slow machine.
            await sim.wait_until(lambda: len(answered) == users, 2 * users / rate + 60)
            wall = (max(answered.values()) if answered else time.perf_counter()) - started
            cpu = time.process_time() - cpu_started
    finally:
        await sim.stop()
    latencies = [answered[uid] - enqueued[uid] for uid in answered]
    return SignupResult(users, len(answered), wall, cpu, latencies, sim.stats.rejected_429)


def rows_for(label: str, result: SignupResult) -> list[Row]:
    section = f"{label} ({result.users:,} users)"
    return [
        Row(section, "answered", f"{result.answered:,} of {result.users:,} in {result.wall:.1f} s"),
        Row(section, "throughput", f"{result.rate:,.1f} updates/s"),
        Row(section, "latency p50", f"{result.percentile(0.50) * 1000:,.0f} ms"),
        Row(section, "latency p95", f"{result.percentile(0.95) * 1000:,.0f} ms"),
        Row(
            section,
            "CPU per update (bot + simulator)",
            f"{result.cpu / result.users * 1000:.2f} ms",
        ),
        Row(section, "429s from the simulator", str(result.rejected_429)),
    ]


async def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="muster-signup-") as tmp:
        workdir = Path(tmp)
        # PAID_BROADCAST with 1000/s lifts the bot's own pace, so this measures the bot; the
        # simulator's limit is off for the same reason.
        fast = await sign_up(workdir, args.users, 1000.0, paid=True, sim_rate=None)
        rows += rows_for("BROADCAST_RATE 1000, paid", fast)
        # The defaults: replies share the 25/s budget, against Telegram's 30/s.
        paced = await sign_up(workdir, args.paced_users, 25.0, paid=False, sim_rate=30.0)
        rows += rows_for("BROADCAST_RATE 25 (default)", paced)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument(
        "--paced-users", type=int, default=250, help="users of the run at the default 25/s"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    rows = asyncio.run(run(args))
    command = ("python -m bench.signup " + shlex.join(sys.argv[1:])).strip()
    print(f"\n{command}  ({time.perf_counter() - started:.0f} s)\n")
    print(text_table(rows))
    notes = [
        "Simulator in the bench process (it is driven through Python calls), so bot and "
        "simulator share one event loop and one core: a lower bound for the bot alone.",
        "All users send /start city-seattle at once; latency is from enqueueing the update "
        "to the simulator receiving the first reply to that user.",
    ]
    write_results("bench.signup", command, rows, notes)


if __name__ == "__main__":
    main()
