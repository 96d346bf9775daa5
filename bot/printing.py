"""Documents drawn in a child process, one at a time. ReportLab is pure Python: in a thread, a
quarter of a million names would hold the interpreter lock, and with it the bot, for the
quarter-minute they take. A child of its own also hands its memory back when it is done.

A printer may keep a spare child waiting with its modules imported (`preload`): matplotlib
takes half a second to import, longer than the /stats charts take to draw, so the next
drawing does not wait for it. A spare nobody used for a while is let go, and its memory with
it (about 70 MB with matplotlib)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import pickle
import sys
from collections.abc import Callable, Coroutine, Hashable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
SLICE = 10_000  # rows pickled at a time: a few milliseconds of the event loop's time
# Longer than the 250,000-name petition takes on a small server (bench/petition_pdf.py).
DRAWING_TIME = 300.0
SPARE_KEPT = 900.0  # seconds a spare child waits for a drawing before it is let go


class PrintFailed(Exception):
    """The document could not be drawn: the reason is in the log."""


class Printer:
    def __init__(
        self,
        time_allowed: float = DRAWING_TIME,
        preload: tuple[str, ...] = (),
        spare_kept: float = SPARE_KEPT,
    ) -> None:
        """preload: modules a spare child imports before it is given a job; with none, each
        job starts its child then. spare_kept: how long a spare waits unused."""
        self._time_allowed = time_allowed
        self._preload = preload
        self._spare_kept = spare_kept
        self._turn = asyncio.Lock()
        self._jobs: dict[Hashable, asyncio.Task[None]] = {}
        self._children: set[asyncio.subprocess.Process] = set()
        self._spare: asyncio.subprocess.Process | None = None
        self._spare_made = asyncio.Lock()
        self._refill: asyncio.Task[None] | None = None
        self._retiring: asyncio.Task[None] | None = None
        self._closed = False

    def busy_with(self, key: Hashable) -> bool:
        """Whether the job for `key` is still waiting or running: a second press of Export
        gets its document once."""
        return key in self._jobs

    def start(self, key: Hashable, job: Coroutine[Any, Any, None]) -> None:
        """Runs the job (drawing a document, then sending it) beside the update that asked
        for it, so the chat it came from is answered meanwhile."""
        task = asyncio.get_running_loop().create_task(job, name=f"print {key}")
        self._jobs[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: Hashable, task: asyncio.Task[None]) -> None:
        self._jobs.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("a print job failed", exc_info=task.exception())

    async def draw(
        self, render: Callable[[T, list[R]], bytes], what: T, rows: Sequence[R] = ()
    ) -> bytes:
        """render(what, rows) in a child process, one document at a time. `render` must be a
        module-level function, and `what` and `rows` plain data: they are pickled to it, the
        rows (a quarter of a million names) in slices with a turn for the event loop between
        them, which one pickling of the lot (a fifth of a second) would not give."""
        async with self._turn:
            return await self._in_child(render, what, rows)

    async def ready(self) -> None:
        """With preload: makes sure a spare child is importing or waiting, so the next draw
        finds it ready. Each drawing starts the next spare once it is done."""
        if not self._preload:
            return
        async with self._spare_made:
            if self._closed:
                return  # the bot is going down: no child to outlive it
            if self._spare is None or self._spare.returncode is not None:
                self._spare = await self._start_child()
                self._retiring = asyncio.get_running_loop().create_task(
                    self._retire(self._spare), name="spare child's time"
                )

    async def _retire(self, spare: asyncio.subprocess.Process) -> None:
        """Lets the spare go once it has waited its time unused. Taking a spare for a
        drawing and letting it go both hold the lock, so a spare is never given a job and
        stopped at once."""
        await asyncio.sleep(self._spare_kept)
        async with self._spare_made:
            if self._spare is not spare:
                return
            self._spare = None
        await _stop(spare)
        self._children.discard(spare)

    async def _start_child(self) -> asyncio.subprocess.Process:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            *self._preload,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # The child imports what the parent could, wherever Muster is installed.
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))},
        )
        self._children.add(child)
        return child

    async def _child(self) -> asyncio.subprocess.Process:
        """The spare if there is one still alive, else a new child."""
        async with self._spare_made:
            child, self._spare = self._spare, None
            if self._retiring is not None:
                self._retiring.cancel()
        if child is not None and child.returncode is None:
            return child
        if child is not None:
            self._children.discard(child)
        return await self._start_child()

    async def _in_child(
        self, render: Callable[..., bytes], what: object, rows: Sequence[Any]
    ) -> bytes:
        child = await self._child()
        try:
            async with asyncio.timeout(self._time_allowed):
                output = asyncio.gather(_read(child.stdout), _read(child.stderr))
                await _send(child, render, what, rows)
                drawn, errors = await output
                await child.wait()
        except TimeoutError:
            log.error("a document took more than %.0f s to draw; stopped", self._time_allowed)
            raise PrintFailed("too slow") from None
        finally:
            await _stop(child)
            self._children.discard(child)
        if self._preload:
            # The next drawing's child, started after this one is answered.
            self._refill = asyncio.get_running_loop().create_task(self.ready(), name="spare child")
        if child.returncode != 0:
            log.error(
                "drawing a document failed (%s): %s", child.returncode, errors.decode()[-4000:]
            )
            raise PrintFailed(f"exit status {child.returncode}")
        return drawn

    async def close(self) -> None:
        """Stops every job and whatever is being drawn: the bot is going down (an organizer
        presses Export again once it is back)."""
        async with self._spare_made:
            self._closed = True
        if self._retiring is not None:
            self._retiring.cancel()
        waiting = [task for task in (self._refill, self._retiring) if task is not None]
        await asyncio.gather(*waiting, return_exceptions=True)
        jobs = list(self._jobs.values())
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        for child in list(self._children):
            await _stop(child)


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.kill()
        await child.wait()


async def _send(
    child: asyncio.subprocess.Process,
    render: Callable[..., bytes],
    what: object,
    rows: Sequence[Any],
) -> None:
    """(render, what, number of slices), then each slice of rows, each pickled apart."""
    pipe = child.stdin
    if pipe is None:
        raise RuntimeError("the child has no standard input")
    slices = range(0, len(rows), SLICE)
    try:
        pipe.write(pickle.dumps((render, what, len(slices)), pickle.HIGHEST_PROTOCOL))
        for start in slices:
            pipe.write(pickle.dumps(list(rows[start : start + SLICE]), pickle.HIGHEST_PROTOCOL))
            await pipe.drain()  # and the event loop's turn
        pipe.close()
        await pipe.wait_closed()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the child ended early: its exit status and standard error say why


async def _read(stream: asyncio.StreamReader | None) -> bytes:
    return await stream.read() if stream is not None else b""


def main() -> None:
    """The child: the modules named on its command line imported first (a spare waits with
    them), then the pickled job on standard input, the document on standard output."""
    for module in sys.argv[1:]:
        importlib.import_module(module)
    # The only writer is the parent, Printer._in_child: nothing untrusted reaches this pipe.
    source = sys.stdin.buffer
    render, what, slices = pickle.load(source)  # noqa: S301
    rows: list[Any] = []
    for _ in range(slices):
        rows.extend(pickle.load(source))  # noqa: S301
    sys.stdout.buffer.write(render(what, rows))
    sys.stdout.buffer.flush()
    sys.stderr.flush()
    # Done: the parent has the document. Tearing down the interpreter (matplotlib's or
    # ReportLab's thousands of objects) would only keep it waiting, a sixth of a second.
    os._exit(0)


if __name__ == "__main__":
    main()
