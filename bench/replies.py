"""Reply fairness benchmark: many people talking at once at Telegram's pace, and how long each
reply waits compared with its place in the queue.

    python -m bench.replies [--people 50] [--messages 2000] [--rate 25]

The whole bot runs as in production (build_application, long polling, the shared send budget
at BROADCAST_RATE) against the Bot API simulator in this process, with Telegram's limit of 30
a second. Every person sends their share of /myid at once, the people interleaved at random
(as a burst of many people typing looks to the bot). Each message's wait runs from enqueueing
it to the simulator receiving its reply. At the pace, the message at place p of the burst can
at best be answered after p / rate seconds; the target allows twice that plus one second.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

# python-telegram-bot 22 warns about RetryAfter's type on every 429 unless this opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from pydantic import SecretStr

from bench.common import TOKEN, Row, text_table, verdict, write_results
from bot.app import build_application
from bot.runtime import running
from bot.settings import Settings
from simulator.driver import SentMessage
from simulator.server import BotApiSimulator

FIRST_USER_ID = 30_000_001
SLACK = 1.0  # seconds the ideal allows for the round trips of one update


async def burst(
    workdir: Path, people: int, messages: int, rate: float
) -> list[tuple[float, float]]:
    """(wait, ideal) for every message, in the order the burst sent them."""
    asked: dict[int, deque[int]] = defaultdict(deque)  # person -> places of unanswered messages
    sent_at: list[float] = []
    answered_at: dict[int, float] = {}

    def on_send(message: SentMessage) -> None:
        # A person's messages are answered in order, so a reply answers their oldest one.
        waiting = asked.get(message.chat_id)
        if waiting:
            answered_at[waiting.popleft()] = time.perf_counter()

    sim = BotApiSimulator(token=TOKEN, rate_limit=30.0, on_send=on_send)
    await sim.start()
    try:
        settings = Settings(
            bot_token=SecretStr(TOKEN),
            telegram_api_url=sim.url,
            database_path=workdir / "replies.db",
            broadcast_rate=rate,
            # Each person sends dozens at once: flood control would ignore most of them, and
            # this measures how replies queue, so every message is let through.
            flood_limit=messages,
            _env_file=None,  # type: ignore[call-arg]
        )
        async with running(build_application(settings, TOKEN), poll_timeout=1):
            crowd = [sim.user(f"Person {n}", user_id=FIRST_USER_ID + n) for n in range(people)]
            order = [crowd[n % people] for n in range(messages)]
            random.Random(7).shuffle(order)
            for place, person in enumerate(order):
                asked[person.id].append(place)
                sent_at.append(time.perf_counter())
                await person.says("/myid")
            # Bounded: twice the time the pace needs, plus slack for a slow machine.
            await sim.wait_until(lambda: len(answered_at) == messages, 2 * messages / rate + 60)
    finally:
        await sim.stop()
    return [
        (answered_at[place] - sent_at[place], place / rate + SLACK)
        for place in range(messages)
        if place in answered_at
    ]


def rows_for(label: str, results: list[tuple[float, float]], messages: int) -> list[Row]:
    waits = sorted(wait for wait, _ in results)
    quantiles = statistics.quantiles(waits, n=100, method="inclusive")
    worst = max(results, key=lambda result: result[0] / result[1])
    ratio = worst[0] / worst[1]
    return [
        Row(label, "answered", f"{len(results):,} of {messages:,}"),
        Row(label, "wait p50", f"{quantiles[49]:.2f} s"),
        Row(label, "wait p95", f"{quantiles[94]:.2f} s"),
        Row(label, "wait max", f"{waits[-1]:.2f} s"),
        Row(
            label,
            "worst wait / ideal (place ÷ rate + 1 s)",
            f"{ratio:.2f} ({worst[0]:.2f} s against {worst[1]:.2f} s)",
            "≤ 2",
            verdict(ratio <= 2 and len(results) == messages),
        ),
    ]


async def run(args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="muster-replies-") as tmp:
        results = await burst(Path(tmp), args.people, args.messages, args.rate)
    label = f"{args.people} people, {args.messages:,} messages, BROADCAST_RATE {args.rate:g}"
    return rows_for(label, results, args.messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--rate", type=float, default=25.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    rows = asyncio.run(run(args))
    command = ("python -m bench.replies " + shlex.join(sys.argv[1:])).strip()
    print(f"\n{command}  ({time.perf_counter() - started:.0f} s)\n")
    print(text_table(rows))
    notes = [
        "Simulator in the bench process, with Telegram's 30/s limit; replies share the "
        "BROADCAST_RATE budget.",
        "Each person's messages are answered in order (one update per person at a time); a "
        "wait runs from enqueueing a message to the simulator receiving its reply.",
    ]
    write_results("bench.replies", command, rows, notes)


if __name__ == "__main__":
    main()
