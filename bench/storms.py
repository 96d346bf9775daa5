"""The storm driver: crowds of simulated people acting at once, commanded over stdin by a
benchmark in another process, and timed where the bot's answers arrive.

It runs inside the simulator's process (`python -m bench.simulated_telegram --storms`), so the
people, the clock that times them and the Bot API all sit on the far side of the wire from the
bot, as on Telegram. One command per line, ``<name> <json arguments>``; one line back per
command, ``DONE <json>`` or ``ERROR <json>``:

    start {"first": 40000001, "count": 20000, "text": "/start city-seattle"}
    start {..., "then": "/cities", "every": 10, "first_reply_has": "Welcome"}
    press {"first": 40000001, "count": 20000, "label": "I'll be there"}
    wait  {"first": 40000001, "count": 20000, "has": "Storm rally"}
    stats

A storm's answer holds how many were answered, the wall time from the first update enqueued to
the last answer, latency percentiles, the simulator's own CPU time, and the 429s it gave.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from simulator.driver import SentMessage, SimUser
from simulator.server import ApiError, BotApiSimulator

MISSING_SHOWN = 5  # unanswered chat ids listed in a reply, to start a diagnosis from


class StormSimulator(BotApiSimulator):
    """The simulator with two observations its hooks lack: when each 429 was answered, and
    which callback query each answerCallbackQuery answered."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.throttled_at: list[float] = []
        self.on_answer: Callable[[str], object] | None = None

    def _count_error(self, exc: ApiError) -> web.Response:
        if exc.status == 429:
            self.throttled_at.append(time.perf_counter())
        return super()._count_error(exc)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        answered = await super()._answer_callback_query(params)
        # Only after the simulator accepted it: an unknown query id raises above.
        if self.on_answer is not None:
            self.on_answer(params["callback_query_id"])
        return answered


class Storm:
    """One crowd's command: when each person acted, when what they wait for arrived, and how
    many awaited events are still to come (a chat may await more than one)."""

    def __init__(self) -> None:
        self.acted_at: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}
        self.outstanding = 0
        # Sends to chats outside the crowd (a broadcast going on beside it), by when.
        self.other_sends: list[float] = []
        self.done = asyncio.Event()

    async def begin(self) -> None:
        """Makes the crowd act (or, for a wait, looks at what it has already)."""
        raise NotImplementedError

    def on_send(self, message: SentMessage, now: float) -> None:
        """A message the bot sent; counted as another chat's unless a subclass claims it."""
        if message.chat_id not in self.acted_at:
            self.other_sends.append(now)

    def on_edit(self, message: SentMessage, now: float) -> None:
        """A message the bot edited."""

    def on_answer(self, query_id: str, now: float) -> None:
        """A callback query the bot answered."""

    def arrived(self, count: int = 1) -> None:
        self.outstanding -= count
        if self.outstanding <= 0:
            self.done.set()

    def extra(self) -> dict[str, Any]:
        """Figures particular to the kind of storm."""
        return {}


class StartStorm(Storm):
    """Each person says `text`; every `every`-th also says `then` right after, and the reply to
    the first must arrive first (it is recognised by `first_reply_has`)."""

    def __init__(
        self, people: list[SimUser], text: str, then: str, every: int, marker: str
    ) -> None:
        super().__init__()
        self.people, self.text, self.then, self.marker = people, text, then, marker
        self.twice = {person.id for person in people[::every]} if then and every else set()
        self.replies: dict[int, int] = {}
        self.out_of_order = 0

    async def begin(self) -> None:
        self.outstanding = len(self.people) + len(self.twice)
        # No await below yields, so the whole crowd is queued before the bot fetches any of it.
        for person in self.people:
            self.acted_at[person.id] = time.perf_counter()
            await person.says(self.text)
            if person.id in self.twice:
                await person.says(self.then)

    def on_send(self, message: SentMessage, now: float) -> None:
        chat = message.chat_id
        if chat not in self.acted_at:
            self.other_sends.append(now)
            return
        number = self.replies.get(chat, 0) + 1
        self.replies[chat] = number
        if number == 1:
            self.answered_at[chat] = now
            if chat in self.twice and self.marker not in message.text:
                self.out_of_order += 1
        if number <= (2 if chat in self.twice else 1):
            self.arrived()

    def extra(self) -> dict[str, Any]:
        return {"twice": len(self.twice), "out_of_order": self.out_of_order}


class PressStorm(Storm):
    """Each person presses `label` on the newest message showing it; answered once the bot
    both answered the callback query and edited that message."""

    def __init__(self, people: list[SimUser], label: str) -> None:
        super().__init__()
        self.people, self.label = people, label
        self.queries: dict[str, int] = {}  # query id -> chat
        self.edits: dict[tuple[int, int], int] = {}  # (chat, message id) -> chat
        self.halves: dict[int, int] = {}  # chat -> how many of answer and edit arrived
        self.without_button = 0

    async def begin(self) -> None:
        for person in self.people:
            message = _newest_with(person, self.label)
            if message is None:
                self.without_button += 1
                continue
            self.acted_at[person.id] = time.perf_counter()
            query = await person.presses(self.label, message_id=message.message_id)
            self.queries[query] = person.id
            self.edits[(person.id, message.message_id)] = person.id
        self.outstanding = 2 * len(self.acted_at)
        if not self.outstanding:
            self.done.set()

    def on_edit(self, message: SentMessage, now: float) -> None:
        chat = self.edits.pop((message.chat_id, message.message_id), None)
        if chat is not None:
            self._half(chat, now)

    def on_answer(self, query_id: str, now: float) -> None:
        chat = self.queries.pop(query_id, None)
        if chat is not None:
            self._half(chat, now)

    def _half(self, chat: int, now: float) -> None:
        halves = self.halves.get(chat, 0) + 1
        self.halves[chat] = halves
        if halves == 2:
            self.answered_at[chat] = now
        self.arrived()

    def extra(self) -> dict[str, Any]:
        return {
            "without_button": self.without_button,
            "edits_missing": len(self.edits),
            "answers_missing": len(self.queries),
        }


class WaitStorm(Storm):
    """Waits until each person has received a message containing `has` (already or later)."""

    def __init__(self, people: list[SimUser], has: str) -> None:
        super().__init__()
        self.people, self.has = people, has

    async def begin(self) -> None:
        now = time.perf_counter()
        for person in self.people:
            self.acted_at[person.id] = now
            if any(self.has in message.text for message in person.messages):
                self.answered_at[person.id] = now
        self.outstanding = len(self.people) - len(self.answered_at)
        if self.outstanding <= 0:
            self.done.set()

    def on_send(self, message: SentMessage, now: float) -> None:
        chat = message.chat_id
        if chat not in self.acted_at:
            self.other_sends.append(now)
        elif chat not in self.answered_at and self.has in message.text:
            self.answered_at[chat] = now
            self.arrived()


def _newest_with(person: SimUser, label: str) -> SentMessage | None:
    for message in reversed(person.messages):
        if not message.deleted and message.button(label) is not None:
            return message
    return None


class StormDriver:
    """Reads commands, runs one storm at a time, and routes the simulator's hooks to it."""

    def __init__(self, sim: StormSimulator) -> None:
        self.sim = sim
        self.storm: Storm | None = None
        sim.on_send = self._sent
        sim.on_edit = self._edited
        sim.on_answer = self._answered
        self._commands: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
            "start": self.start,
            "press": self.press,
            "wait": self.wait,
            "stats": self.stats,
        }

    async def serve(self, commands: asyncio.StreamReader) -> None:
        """Answers each command line until the benchmark closes stdin."""
        while line := await commands.readline():
            print(await self.answer(line.decode()), flush=True)

    async def answer(self, line: str) -> str:
        name, _, raw = line.strip().partition(" ")
        try:
            command = self._commands[name]
            result = await command(**(json.loads(raw) if raw else {}))
        except (KeyError, TypeError, ValueError, AssertionError) as error:
            return "ERROR " + json.dumps({"error": f"{type(error).__name__}: {error}"})
        return "DONE " + json.dumps(result)

    # --- commands -----------------------------------------------------------------------

    async def start(
        self,
        first: int,
        count: int,
        text: str,
        then: str = "",
        every: int = 0,
        first_reply_has: str = "",
        timeout: float = 600.0,  # noqa: ASYNC109 - a command argument, not a call's
    ) -> dict[str, Any]:
        people = self._people(first, count)
        return await self._run(StartStorm(people, text, then, every, first_reply_has), timeout)

    async def press(
        self,
        first: int,
        count: int,
        label: str,
        timeout: float = 600.0,  # noqa: ASYNC109 - as above
    ) -> dict[str, Any]:
        return await self._run(PressStorm(self._people(first, count), label), timeout)

    async def wait(
        self,
        first: int,
        count: int,
        has: str,
        timeout: float = 600.0,  # noqa: ASYNC109 - as above
    ) -> dict[str, Any]:
        return await self._run(WaitStorm(self._people(first, count), has), timeout)

    async def stats(self) -> dict[str, Any]:
        stats = self.sim.stats
        return {
            "clock": time.perf_counter(),
            "sends_delivered": stats.sends_delivered,
            "edits": stats.edits,
            "rejected_429": stats.rejected_429,
            "not_modified": stats.not_modified,
            "requests": dict(stats.requests),
            "errors": {str(status): count for status, count in stats.errors.items()},
        }

    # --- running a storm ------------------------------------------------------------------

    def _people(self, first: int, count: int) -> list[SimUser]:
        return [
            self.sim.user(f"Supporter {uid}", user_id=uid) for uid in range(first, first + count)
        ]

    async def _run(self, storm: Storm, limit: float) -> dict[str, Any]:
        cpu_started = time.process_time()
        self.storm = storm
        try:
            await storm.begin()
            # Past the limit the answer says how many were answered, fewer than asked.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(storm.done.wait(), limit)
        finally:
            self.storm = None
        return summary(storm, time.process_time() - cpu_started, self.sim.throttled_at)

    def _sent(self, message: SentMessage) -> None:
        if self.storm is not None:
            self.storm.on_send(message, time.perf_counter())

    def _edited(self, message: SentMessage) -> None:
        if self.storm is not None:
            self.storm.on_edit(message, time.perf_counter())

    def _answered(self, query_id: str) -> None:
        if self.storm is not None:
            self.storm.on_answer(query_id, time.perf_counter())


def summary(storm: Storm, sim_cpu: float, throttled_at: list[float]) -> dict[str, Any]:
    """The figures of a finished (or timed out) storm, latencies in milliseconds."""
    started = min(storm.acted_at.values(), default=time.perf_counter())
    ended = max(storm.answered_at.values(), default=started)
    latencies = sorted(storm.answered_at[chat] - storm.acted_at[chat] for chat in storm.answered_at)
    missing = [chat for chat in storm.acted_at if chat not in storm.answered_at]
    return {
        "count": len(storm.acted_at),
        "answered": len(storm.answered_at),
        "wall": ended - started,
        "p50_ms": 1000 * _quantile(latencies, 0.50),
        "p95_ms": 1000 * _quantile(latencies, 0.95),
        "max_ms": 1000 * (latencies[-1] if latencies else 0.0),
        "sim_cpu": sim_cpu,
        "throttled": sum(1 for at in throttled_at if at >= started),
        # The first second may see a 429 while the bot learns the pace; none may come after.
        "throttled_late": sum(1 for at in throttled_at if at > started + 1.0),
        "other_sends": len(storm.other_sends),
        "other_sends_late": sum(1 for at in storm.other_sends if at > started + 1.0),
        "missing": missing[:MISSING_SHOWN],
        **storm.extra(),
    }


def _quantile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def stdin_reader() -> asyncio.StreamReader:
    """This process's stdin as an asyncio stream, so commands wait without blocking serving."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
