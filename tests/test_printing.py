"""Documents drawn beside the bot: in a child process, one at a time, each job known while
it runs, and a failure told rather than hanging."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import pytest

from bot.printing import Printer, PrintFailed


def shout(text: str, rows: list[str]) -> bytes:
    """A stand-in document: module-level, so the child can import it."""
    return " ".join([text, *rows]).upper().encode()


def broken(text: str, rows: list[str]) -> bytes:
    raise ValueError(f"cannot draw {text}")


def slow(seconds: float, rows: list[str]) -> bytes:
    time.sleep(seconds)
    return b"late"


async def test_a_document_is_drawn_in_a_child_process() -> None:
    """What the child drew comes back whole, a megabyte as well as a word, and every row
    sent in slices arrives, in order."""
    printer = Printer()
    assert await printer.draw(shout, "petition") == b"PETITION"
    assert await printer.draw(shout, "x" * 1_000_000) == b"X" * 1_000_000
    rows = [str(number) for number in range(25_001)]
    drawn = await printer.draw(shout, "names", rows)
    assert drawn.split() == [b"NAMES", *(row.encode() for row in rows)]


async def test_a_drawing_that_fails_or_takes_too_long_is_told_as_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error in the child, or a child past its time (then stopped), is PrintFailed with
    the reason in the log."""
    # Time enough for a child to start on a loaded machine: the error must be the drawing's.
    with pytest.raises(PrintFailed):
        await Printer(time_allowed=60.0).draw(broken, "petition 7")
    assert "cannot draw petition 7" in caplog.text
    started = time.monotonic()
    with pytest.raises(PrintFailed):
        await Printer(time_allowed=3.0).draw(slow, 30.0)
    assert time.monotonic() - started < 20
    assert "took more than 3 s" in caplog.text


async def test_a_job_is_known_until_it_ends_and_stops_with_the_bot() -> None:
    """A second Export meanwhile finds the job busy; close() stops jobs still running."""
    printer = Printer()
    done = asyncio.Event()

    async def job() -> None:
        await printer.draw(shout, "first")
        done.set()

    printer.start("petition 1", job())
    assert printer.busy_with("petition 1")
    assert not printer.busy_with("petition 2")
    await asyncio.wait_for(done.wait(), 30)
    await asyncio.sleep(0)  # the job's task finishes after its last line
    assert not printer.busy_with("petition 1")

    async def long_job() -> None:
        await printer.draw(slow, 30.0)

    printer.start("petition 2", long_job())
    await asyncio.sleep(0.5)
    await asyncio.wait_for(printer.close(), 10)
    assert not printer.busy_with("petition 2")


def whoami(module: str, rows: list[str]) -> bytes:
    """The child's process id, and whether it had the module imported when its job came."""
    return f"{os.getpid()} {module in sys.modules}".encode()


async def test_a_spare_child_waits_with_its_modules_imported_and_goes_with_the_bot() -> None:
    """A printer that preloads has a child waiting with the modules imported; a drawing takes
    it, and the next one waits in its place; close() ends it. A printer that preloads
    nothing keeps no spare."""
    printer = Printer(preload=("wave",))
    await printer.ready()
    spare = printer._spare
    assert spare is not None
    pid, imported = (await printer.draw(whoami, "wave")).split()
    assert int(pid) == spare.pid and imported == b"True"
    await printer.ready()  # the next spare, started once the drawing was done
    following = printer._spare
    assert following is not None and following.pid != spare.pid
    await asyncio.wait_for(printer.close(), 10)
    assert following.returncode is not None
    await printer.ready()  # closed: no child outlives the bot
    assert printer._spare is following
    plain = Printer()
    await plain.ready()
    assert plain._spare is None
    assert (await plain.draw(whoami, "wave")).split()[1] == b"False"


async def test_a_spare_nobody_uses_is_let_go() -> None:
    """A spare that waited its time unused ends, and gives its memory back; the next drawing
    starts a child of its own."""
    printer = Printer(preload=("wave",), spare_kept=0.2)
    await printer.ready()
    spare = printer._spare
    assert spare is not None
    await asyncio.wait_for(spare.wait(), 10)
    assert printer._spare is None
    pid, imported = (await printer.draw(whoami, "wave")).split()
    assert int(pid) != spare.pid and imported == b"True"
    await printer.close()
