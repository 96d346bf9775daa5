"""The delivery engine: every message to many people goes through here, exactly once each,
at the pace Telegram allows, surviving restarts.

A broadcast's recipients are rows in the database before the first send. Workers take
pending rows in user id order, send, and the outcomes are written in small batches. After a
crash the rows still pending are sent again: the only people who can get a message twice
are those whose send was in flight or whose outcome was not yet written when the process
died, at most `workers + rate x flush_interval` of them (see README).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.botapi import BotApiClient, Reply, TransportError
from bot.budget import SendBudget
from bot.clock import Clock, SystemClock
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.metrics import Metrics, SendOutcome
from storage import Database
from storage import broadcasts as store
from storage import supporters as supporter_store
from storage.broadcasts import Broadcast, Content, Counts, Outcome, Result, State
from views.progress import progress_text, stop_markup

log = logging.getLogger(__name__)

PAGE = 1000
FLUSH_INTERVAL = 0.2
STOP_GRACE = 10.0
Recipient = tuple[int, str]  # user id, language


@dataclass(frozen=True, slots=True)
class Tuning:
    workers: int = 8
    flush_interval: float = FLUSH_INTERVAL
    progress_interval: float = 3.0
    max_attempts: int = 4
    backoff: float = 0.5
    paid: bool = False
    # Sends begun but not yet written to the database; the most a hard kill can duplicate.
    unrecorded: int = 13

    @classmethod
    def for_rate(cls, rate: float | None, paid: bool = False) -> Tuning:
        """Enough concurrent sends to keep the rate with Telegram's ~100-250 ms latency, and
        room for one flush interval's outcomes beside them."""
        workers = 64 if rate is None else int(min(256, max(8, rate / 4)))
        per_flush = 10_000 if rate is None else rate
        unrecorded = workers + math.ceil(per_flush * FLUSH_INTERVAL)
        return cls(workers=workers, paid=paid, unrecorded=unrecorded)


@dataclass(slots=True)
class Run:
    """One broadcast being delivered now."""

    broadcast: Broadcast
    counts: Counts
    # The request each language's readers get; replaced when the content is revised.
    requests: dict[str, tuple[str, dict[str, Any]]]
    # One permit per send begun and not yet recorded: workers wait rather than let a slow
    # database write widen what a crash could send twice.
    unrecorded: asyncio.BoundedSemaphore
    started: float = field(default_factory=time.monotonic)
    sent_here: int = 0
    cancelled_by: int | None = None
    cancelled: bool = False
    # Set to stop the sends not yet begun; workers waiting for their turn wake at once.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    last_progress: str = ""
    task: asyncio.Task[None] | None = None
    progress_task: asyncio.Task[None] | None = None

    @property
    def halted(self) -> bool:
        return self.stopping.is_set()

    def halt(self, *, cancelled_by: int | None = None, cancelled: bool = False) -> None:
        # A stop after a cancel must not undo it: the cancel is what the report says.
        if cancelled and not self.cancelled:
            self.cancelled, self.cancelled_by = True, cancelled_by
        self.stopping.set()

    def expired(self, now: float) -> bool:
        expires_at = self.broadcast.expires_at
        return expires_at is not None and now >= expires_at

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.sent_here / elapsed if elapsed > 0 else 0.0


class DeliveryEngine:
    def __init__(
        self,
        db: Database,
        client: BotApiClient,
        budget: SendBudget,
        bot: Bot,
        tuning: Tuning,
        clock: Clock | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.metrics = metrics or Metrics(self.clock)
        self.db = db
        self.client = client
        self.budget = budget
        self.bot = bot
        self.tuning = tuning
        self.runs: dict[int, Run] = {}
        self.throttled = 0  # 429s received by bulk sends since start-up
        # People who paused, blocked or erased since their broadcast's page was read: the
        # database filter catches later pages, this set the ones already in memory.
        self.excluded: set[int] = set()

    async def start(self) -> None:
        """Resumes every broadcast a previous process left unfinished."""
        await self.client.open()
        for broadcast in await store.in_state(self.db, State.SENDING):
            log.info("resuming broadcast %s", broadcast.id)
            if broadcast.started_at is None:
                # The process died between creating the broadcast and listing recipients.
                await store.enqueue_followers(self.db, broadcast.id)
            await self.launch(broadcast.id)

    async def stop(self) -> None:
        """Graceful: sends in flight finish and are recorded; the rest stay pending."""
        for run in self.runs.values():
            run.halt()
        tasks = [run.task for run in self.runs.values() if run.task is not None]
        if tasks:
            # A worker may be sitting out a long retry_after; past the grace period it is
            # cancelled, and what was already sent is still recorded by _deliver's finally.
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.client.close()

    async def send_now(self, broadcast_id: int) -> int:
        """Lists the recipients and starts delivering; -1 when it was started already."""
        total = await store.enqueue_followers(self.db, broadcast_id)
        if total >= 0:
            await self.launch(broadcast_id)
        return total

    async def launch(self, broadcast_id: int) -> None:
        if broadcast_id in self.runs:
            return
        broadcast = await store.get(self.db, broadcast_id)
        if broadcast is None or broadcast.state is not State.SENDING:
            return
        run = Run(
            broadcast,
            await store.counts(self.db, broadcast_id),
            requests_for(broadcast, self.tuning.paid),
            # Bounded: a release without its acquire is a bug that must fail loudly.
            asyncio.BoundedSemaphore(self.tuning.unrecorded),
        )
        self.runs[broadcast_id] = run
        # A context of its own: the update that started it is not this run's (its arrival
        # would rank the status edits among that update's replies).
        run.task = asyncio.create_task(
            self._deliver(run), name=f"broadcast-{broadcast_id}", context=contextvars.Context()
        )

    def exclude(self, user_id: int) -> None:
        """No more bulk messages to this person from the broadcasts now running."""
        if self.runs:
            self.excluded.add(user_id)

    def include(self, user_id: int) -> None:
        self.excluded.discard(user_id)

    async def revise(self, broadcast_id: int, content: Content, expires_at: int) -> None:
        """The recipients not yet sent get this content instead, from the next send on (and
        after a restart: it is stored)."""
        if not await store.revise(self.db, broadcast_id, content, expires_at):
            return
        run = self.runs.get(broadcast_id)
        revised = await store.get(self.db, broadcast_id)
        if run is not None and revised is not None:
            run.broadcast = revised
            run.requests = requests_for(revised, self.tuning.paid)

    async def cancel(self, broadcast_id: int, actor_id: int) -> bool:
        """Stops the sends not yet begun, and records it at once: a stop or crash from here
        on must not resume what the organizer cancelled."""
        run = self.runs.get(broadcast_id)
        if run is None or run.halted:
            return False
        run.halt(cancelled=True, cancelled_by=actor_id)
        await store.finish(self.db, broadcast_id, State.CANCELLED, actor_id)
        return True

    async def wait(self, broadcast_id: int) -> None:
        """Until the broadcast's run ends (for tests and benchmarks)."""
        run = self.runs.get(broadcast_id)
        if run is not None and run.task is not None:
            await asyncio.shield(run.task)

    # --- one broadcast ---------------------------------------------------------------

    async def _deliver(self, run: Run) -> None:
        tasks: list[asyncio.Task[None]] = []
        results: list[Result] = []
        try:
            # The status message goes out beside the first sends: a slow or throttled chat
            # with the organizer must not hold back the broadcast.
            run.progress_task = asyncio.create_task(self._progress_quietly(run))
            queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=self.tuning.workers * 4)
            tasks.append(asyncio.create_task(self._produce(run, queue)))
            workers = [
                asyncio.create_task(self._work(run, queue, results))
                for _ in range(self.tuning.workers)
            ]
            tasks.extend(workers)
            await self._flush_until_done(run, workers, results)
            if run.progress_task is not None:
                await run.progress_task  # the final edit must come after it
            if run.cancelled:
                await store.finish(self.db, run.broadcast.id, State.CANCELLED, run.cancelled_by)
                run.counts = await store.counts(self.db, run.broadcast.id)
            elif not run.halted:
                await store.finish(self.db, run.broadcast.id, State.DONE, actor_id=None)
                run.counts = await store.counts(self.db, run.broadcast.id)
            if not run.halted or run.cancelled:
                await self._progress(run, final=True)
        except Exception:
            log.exception(
                "broadcast %s stopped by an error; it resumes at start-up", run.broadcast.id
            )
        finally:
            # Whatever happened, no task of this run outlives it, and what was sent is recorded
            # (an unrecorded send would be sent again at the next start).
            if run.progress_task is not None:
                tasks.append(run.progress_task)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._flush_safely(run, results)
            self.runs.pop(run.broadcast.id, None)
            if not self.runs:
                self.excluded.clear()

    async def _flush_safely(self, run: Run, results: list[Result]) -> None:
        try:
            await self._flush(run, results)
        except Exception:
            log.exception(
                "could not record %s outcomes of broadcast %s", len(results), run.broadcast.id
            )

    async def _flush_until_done(
        self, run: Run, workers: list[asyncio.Task[None]], results: list[Result]
    ) -> None:
        next_progress = time.monotonic() + self.tuning.progress_interval
        pending_tasks: set[asyncio.Task[None]] = set(workers)
        while pending_tasks:
            _, pending_tasks = await asyncio.wait(pending_tasks, timeout=self.tuning.flush_interval)
            await self._flush(run, results)
            if time.monotonic() >= next_progress and _idle(run.progress_task):
                # Beside the flushes, never in their way: an edit is a Telegram round trip.
                next_progress = time.monotonic() + self.tuning.progress_interval
                run.progress_task = asyncio.create_task(self._progress_quietly(run))
        for worker in workers:
            if worker.exception() is not None:
                raise worker.exception()  # type: ignore[misc]
        await self._flush(run, results)

    async def _flush(self, run: Run, results: list[Result]) -> None:
        batch = results[:]
        del results[:]
        try:
            await store.record(self.db, run.broadcast.id, batch)
        except BaseException:
            # Not written: kept for the next flush (the last one runs however the run ends),
            # so a failed or interrupted write does not turn these sends into resends.
            results[:0] = batch
            raise
        for _ in batch:
            run.unrecorded.release()

    async def _produce(self, run: Run, queue: asyncio.Queue[Recipient | None]) -> None:
        after = 0
        while not run.halted:
            page = await store.pending(self.db, run.broadcast.id, after, PAGE)
            if not page:
                break
            for recipient in page:
                if run.halted:
                    break
                await queue.put(recipient)
            after = page[-1][0]
        # One end-of-work mark per worker. (If this task is cancelled instead, _deliver is
        # cancelling the workers as well.)
        for _ in range(self.tuning.workers):
            await queue.put(None)

    async def _work(
        self, run: Run, queue: asyncio.Queue[Recipient | None], results: list[Result]
    ) -> None:
        while (recipient := await queue.get()) is not None:
            if run.halted:
                continue  # drain to the sentinel; the rest stays pending in the database
            user_id, language = recipient
            if user_id in self.excluded:
                continue  # stays pending; finish() marks it cancelled
            await run.unrecorded.acquire()
            method, base = run.requests.get(language, run.requests[DEFAULT_LANGUAGE])
            result = await self._send_one(run, method, {**base, "chat_id": user_id}, user_id)
            if result is None:
                run.unrecorded.release()
                continue
            results.append(result)
            run.counts.add(Outcome.PENDING, -1)
            run.counts.add(result.outcome)
            if result.outcome is Outcome.SENT:
                run.sent_here += 1

    async def _send_one(
        self, run: Run, method: str, payload: dict[str, Any], user_id: int
    ) -> Result | None:
        failures = 0
        while True:
            if not await self._turn(run):
                return None
            if user_id in self.excluded:
                # They paused, blocked or erased while this send waited for its turn: checked
                # again here, right before the request, since the wait can be seconds long.
                return None
            if run.expired(self.clock.now()):
                # Too late to be useful (a reminder once the action began): stop here.
                run.halt(cancelled=True)
            if run.halted:
                return None
            try:
                reply = await self.client.call(method, payload)
            except TransportError as error:
                reply = Reply(status=0, ok=False, description=str(error))
            if reply.ok:
                message_id = (
                    reply.result.get("message_id") if isinstance(reply.result, dict) else None
                )
                self.metrics.sent(SendOutcome.SENT)
                return Result(user_id, Outcome.SENT, message_id=message_id)
            if reply.status == 429:
                # Not a failure of this recipient: everyone waits, then this one is retried.
                self.throttled += 1
                self.metrics.sent(SendOutcome.THROTTLED)
                await self.budget.pause(reply.retry_after or 1.0)
                continue
            if reply.status == 403:
                self.metrics.sent(SendOutcome.BLOCKED)
                return Result(user_id, Outcome.BLOCKED, error=reply.description)
            if (
                reply.status not in (0, 500, 502, 503, 504)
                or failures + 1 >= self.tuning.max_attempts
            ):
                self.metrics.sent(SendOutcome.FAILED)
                return Result(user_id, Outcome.FAILED, error=reply.description[:200])
            failures += 1
            delay = self.tuning.backoff * 2 ** (failures - 1)
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter

    async def _turn(self, run: Run) -> bool:
        """Waits for this send's place in the budget; False when the run halts first (a
        cancel or a stop while everyone sits out a long retry_after)."""
        if run.halted:
            return False
        if self.budget.take_now():
            return True
        turn = asyncio.ensure_future(self.budget.acquire(interactive=False))
        halt = asyncio.ensure_future(run.stopping.wait())
        try:
            await asyncio.wait({turn, halt}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (turn, halt):
                waiter.cancel()
            await asyncio.gather(turn, halt, return_exceptions=True)
        return not run.halted

    # --- the organizer's live status message --------------------------------------------

    async def _progress_quietly(self, run: Run) -> None:
        try:
            await self._progress(run, final=False)
        except Exception:
            log.exception("progress of broadcast %s not shown", run.broadcast.id)

    async def _progress(self, run: Run, *, final: bool) -> None:
        # Read afresh: the author may have erased their data since the run began.
        broadcast = run.broadcast = await store.get(self.db, run.broadcast.id) or run.broadcast
        if broadcast.author_id is None:
            return
        author = await supporter_store.get(self.db, broadcast.author_id)
        language = author.language if author else DEFAULT_LANGUAGE
        text = progress_text(
            broadcast.id,
            run.counts,
            language,
            final=final,
            cancelled=run.cancelled,
            rate=run.rate(),
        )
        if text == run.last_progress:
            return  # Telegram refuses an edit that changes nothing
        markup = None if final else stop_markup(broadcast.id, language)
        try:
            if broadcast.progress_message_id is None or broadcast.progress_chat_id is None:
                message = await self.bot.send_message(
                    broadcast.author_id, text, reply_markup=markup
                )
                await store.set_progress_message(
                    self.db, broadcast.id, message.chat_id, message.message_id
                )
                run.broadcast = await store.get(self.db, broadcast.id) or broadcast
            else:
                await self.bot.edit_message_text(
                    text,
                    broadcast.progress_chat_id,
                    broadcast.progress_message_id,
                    reply_markup=markup,
                )
            run.last_progress = text
        except (BadRequest, Forbidden) as error:
            log.info("progress of broadcast %s not shown: %s", broadcast.id, error.message)
        except TelegramError as error:
            log.warning("progress of broadcast %s not shown: %s", broadcast.id, error)


def _idle(task: asyncio.Task[None] | None) -> bool:
    return task is None or task.done()


def requests_for(broadcast: Broadcast, paid: bool) -> dict[str, tuple[str, dict[str, Any]]]:
    return {language: _request(broadcast, language, paid) for language in LANGUAGES}


def _request(broadcast: Broadcast, language: str, paid: bool) -> tuple[str, dict[str, Any]]:
    """The method and the parameters every recipient of a language shares; only chat_id
    varies."""
    content = broadcast.content
    body, markup = content.in_language(language)
    payload: dict[str, Any] = {"parse_mode": "HTML"}
    if content.photo_file_id:
        method = "sendPhoto"
        payload |= {"photo": content.photo_file_id, "caption": body}
    else:
        method = "sendMessage"
        payload["text"] = body
    if markup:
        payload["reply_markup"] = json.loads(markup)
    if paid:
        payload["allow_paid_broadcast"] = True
    return method, payload
