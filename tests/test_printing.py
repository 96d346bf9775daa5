"""Documents drawn beside the bot: in a child process, one at a time, each job known while
it runs, and a failure told rather than hanging."""

from __future__ import annotations

import asyncio
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
    printer = Printer(time_allowed=1.0)
    with pytest.raises(PrintFailed):
        await printer.draw(broken, "petition 7")
    assert "cannot draw petition 7" in caplog.text
    started = time.monotonic()
    with pytest.raises(PrintFailed):
        await printer.draw(slow, 30.0)
    assert time.monotonic() - started < 20
    assert "took more than 1 s" in caplog.text


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
