"""What the benchmarks share: the simulator process, CPU and memory readings from /proc,
and the results table printed as text and written as markdown."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from simulator.server import DEFAULT_TOKEN

TOKEN = DEFAULT_TOKEN
RESULTS = Path(__file__).with_name("RESULTS.md")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the simulator in its own process -----------------------------------------------------


@dataclass
class SimProcess:
    """A running `python -m bench.simulated_telegram`."""

    url: str
    process: asyncio.subprocess.Process
    stats: dict[str, Any] = field(default_factory=dict)  # filled in when it stops

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    async def command(self, name: str, **arguments: object) -> dict[str, Any]:
        """Runs one storm-driver command (bench.storms) and returns its answer; a storm's
        answer comes when every person got what they wait for, or at its timeout."""
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:
            raise RuntimeError("the simulator was started without storms=True")
        stdin.write(f"{name} {json.dumps(arguments)}\n".encode())
        await stdin.drain()
        line = (await stdout.readline()).decode()
        kind, _, body = line.partition(" ")
        if kind != "DONE":
            raise RuntimeError(f"storm driver refused {name}: {line.strip() or 'it exited'}")
        answer: dict[str, Any] = json.loads(body)
        return answer


@contextlib.asynccontextmanager
async def simulator_process(
    rate_limit: float | None,
    paid_rate_limit: float = 1000.0,
    *,
    storms: bool = False,
    max_seconds: float = 900.0,
) -> AsyncIterator[SimProcess]:
    """Starts the simulator, waits until it answers getMe, and stops it at the end.
    rate_limit caps free sends in any sliding second (None: no limit at all);
    paid_rate_limit caps sends that ask for the paid tier, when rate_limit is set.
    storms: it keeps messages and takes storm commands (SimProcess.command); max_seconds is
    how long it lives at most if nobody stops it."""
    rate = "none" if rate_limit is None else str(rate_limit)
    arguments = ["--rate-limit", rate, "--paid-rate-limit", str(paid_rate_limit)]
    arguments += ["--token", TOKEN, "--max-seconds", str(max_seconds)]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.simulated_telegram",
        "--port",
        "0",
        *arguments,
        *(["--storms"] if storms else []),
        stdin=asyncio.subprocess.PIPE if storms else None,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 15)
        if not line.startswith(b"READY "):
            raise RuntimeError(f"the simulator did not start: {line!r}")
        sim = SimProcess(line.decode().split()[1], process)
        await _wait_for_get_me(sim.url)
        yield sim
        process.terminate()
        # The last line it prints is its counters; a few seconds is plenty to stop.
        async with asyncio.timeout(10):
            while raw := await process.stdout.readline():
                if raw.startswith(b"STATS "):
                    sim.stats = json.loads(raw[6:])
            await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _wait_for_get_me(url: str) -> None:
    async with aiohttp.ClientSession() as session, asyncio.timeout(10):
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/bot{TOKEN}/getMe") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)


async def settle_leftover_tasks(grace: float = 5.0) -> list[str]:
    """Cancels whatever tasks a phase left behind; returns the names of those that would not
    end. asyncio.run cancels each task once and then waits for ever, so a task that awaits
    again in a finally block after its cancellation would keep the benchmark from exiting."""
    current = asyncio.current_task()
    pending = {task for task in asyncio.all_tasks() if task is not current}
    for _ in range(3):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=grace / 3)
    return sorted(task.get_name() for task in pending)


# --- CPU and memory ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces; the fields after its closing parenthesis do not.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _status_kb(name: str) -> int:
    match = re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match[1]) if match else 0


def rss_mb() -> float:
    """Resident memory of this process now."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    """The high-water mark of resident memory since start or the last reset_peak_rss()."""
    return _status_kb("VmHWM") / 1024


def reset_peak_rss() -> bool:
    """Starts a new high-water mark at the current RSS, so each phase reports its own peak
    (Linux 4.0+: writing 5 to clear_refs). False where the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def lifetime_peak_rss_mb() -> float:
    """ru_maxrss: the peak over the process's whole life (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """Samples RSS while a phase runs, as a cross-check of the high-water mark."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RssSampler:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.samples.append(rss_mb())

    @property
    def peak(self) -> float:
        return max(self.samples, default=rss_mb())

    async def _run(self) -> None:
        while True:
            self.samples.append(rss_mb())
            await asyncio.sleep(self.interval)


@dataclass
class Meter:
    """Wall time, this process's CPU time and another process's CPU time over a span."""

    other_pid: int | None = None
    wall: float = 0.0
    cpu: float = 0.0
    other_cpu: float = 0.0

    def __enter__(self) -> Meter:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        self._other = cpu_seconds(self.other_pid) if self.other_pid else 0.0
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        if self.other_pid:
            self.other_cpu = cpu_seconds(self.other_pid) - self._other


# --- the event loop's share ----------------------------------------------------------

T = TypeVar("T")


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """What work() made, its seconds, and the longest the event loop was kept from a turn
    meanwhile (a ticker asks for one every 5 ms)."""
    worst = 0.0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            asked = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, loop.time() - asked - 0.005)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    made = await work()
    seconds = time.perf_counter() - started
    stop.set()
    await ticking
    return made, seconds, worst


# --- the results table --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    section: str
    metric: str
    value: str
    target: str = ""
    verdict: str = ""  # PASS, MISS or ""


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def machine() -> str:
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {platform.machine()}"
    )


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    git = shutil.which("git")
    if git is None:
        return "unknown (git not found)"
    try:
        commit = subprocess.run(  # noqa: S603 - fixed arguments, nothing from input
            [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - as above
            [git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} with uncommitted changes" if dirty else commit


def text_table(rows: list[Row]) -> str:
    header = ("section", "metric", "value", "target", "")
    cells = [header, *((r.section, r.metric, r.value, r.target, r.verdict) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| section | metric | value | target | |", "|---|---|---|---|---|"]
    lines += [f"| {r.section} | {r.metric} | {r.value} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def write_results(title: str, command: str, rows: list[Row], notes: list[str]) -> None:
    """Replaces this benchmark's section of RESULTS.md, keeping the other benchmarks'."""
    marker_start, marker_end = f"<!-- {title} -->", f"<!-- /{title} -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            marker_start,
            f"## {title}",
            "",
            f"- date: {stamp}",
            f"- command: `{command}`",
            f"- machine: {machine()}",
            f"- code: {code_version()}",
            "",
            markdown_table(rows),
            "",
            *(f"- {note}" for note in notes),
            marker_end,
        ]
    )
    existing = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if marker_start in existing and marker_end in existing:
        before, _, rest = existing.partition(marker_start)
        _, _, after = rest.partition(marker_end)
        updated = before + body + after
    else:
        updated = existing.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(updated)
