"""The Bot API simulator as a process of its own, so a benchmark's client and server do not
share one CPU core and one event loop.

    python -m bench.simulated_telegram --port 0 --rate-limit 30 --paid-rate-limit 1000
    python -m bench.simulated_telegram --port 0 --rate-limit none --storms

It accepts sends to any positive chat id (no users need creating) and keeps no record of
the messages, so a run of a million sends holds no million objects. It prints
``READY <url>`` once serving, and ``STATS <json>`` when it stops: on SIGTERM or SIGINT, or
after --max-seconds so a benchmark that died cannot leave it running.

With --storms it keeps every message (a button press needs the message it was pressed on, and
the bot edits it) and takes storm-driver commands on stdin (bench.storms): crowds of
simulated people who write or press at once, timed here. It then also stops when stdin
closes, so it cannot outlive the benchmark that drives it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from typing import Any

from bench.storms import StormDriver, StormSimulator, stdin_reader
from simulator.server import DEFAULT_TOKEN, BotApiSimulator


def parse_rate(value: str) -> float | None:
    """A rate in messages a second, or "none" for no limit."""
    return None if value.lower() in ("none", "off", "0") else float(value)


async def serve(
    host: str,
    port: int,
    token: str,
    rate: float | None,
    paid_rate: float,
    max_seconds: float,
    storms: bool,
) -> None:
    options: dict[str, Any] = {
        "token": token,
        "rate_limit": rate,
        "paid_rate_limit": paid_rate,
        "open_chats": True,
        "keep_messages": storms,
    }
    sim = StormSimulator(**options) if storms else BotApiSimulator(**options)
    url = await sim.start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    driving = asyncio.create_task(drive(sim, stop)) if isinstance(sim, StormSimulator) else None
    print(f"READY {url}", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max_seconds)
    if driving is not None:
        driving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driving
    await sim.stop()
    stats = {
        "sends_delivered": sim.stats.sends_delivered,
        "paid_sends": sim.stats.paid_sends,
        "rejected_429": sim.stats.rejected_429,
        "requests": dict(sim.stats.requests),
        "errors": {str(status): count for status, count in sim.stats.errors.items()},
    }
    print(f"STATS {json.dumps(stats)}", flush=True)


async def drive(sim: StormSimulator, stop: asyncio.Event) -> None:
    """Runs storm commands from stdin; its end (the benchmark gone) stops the simulator."""
    try:
        await StormDriver(sim).serve(await stdin_reader())
    finally:
        stop.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Loopback only: the simulator is for benchmarks on this machine.
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument(
        "--rate-limit", type=parse_rate, default=30.0, help='messages a second, or "none"'
    )
    parser.add_argument(
        "--paid-rate-limit",
        type=float,
        default=1000.0,
        help="messages a second for sends with allow_paid_broadcast (only with --rate-limit)",
    )
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument(
        "--storms", action="store_true", help="keep messages and take commands on stdin"
    )
    args = parser.parse_args()
    asyncio.run(
        serve(
            args.host,
            args.port,
            args.token,
            args.rate_limit,
            args.paid_rate_limit,
            args.max_seconds,
            args.storms,
        )
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
