"""The sending budget on its own: however many senders wait on it, no one-second window holds
more sends than the rate, after a 429's pause as well."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.budget import SendBudget, busiest_second


class RecordingClock:
    """time.monotonic, remembering its last reading. Nothing else reads this clock between a
    successful take and acquire() returning, so that reading is when the token was taken."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self) -> float:
        self.last = time.monotonic()
        return self.last


async def sends(
    budget: SendBudget, clock: RecordingClock, count: int, senders: int, pause_after: int = 0
) -> list[float]:
    """When each of about `count` sends took its token, with `senders` always waiting (as the
    delivery engine's workers do); a 429 after the first `pause_after` sends, if given."""
    taken: list[float] = []

    async def sender() -> None:
        while len(taken) < count:
            await budget.acquire(interactive=False)
            taken.append(clock.last)
            if len(taken) == pause_after:
                await budget.pause(0.3)

    await asyncio.gather(*(sender() for _ in range(senders)))
    return sorted(taken)


@pytest.mark.parametrize(
    ("rate", "senders"),
    [(25, 8), (30, 8), (1000, 250)],  # the default, the free tier's ceiling, the paid tier
)
async def test_no_second_holds_more_sends_than_the_rate(rate: int, senders: int) -> None:
    """A full bucket and a second of refill together stay within the rate."""
    clock = RecordingClock()
    taken = await sends(SendBudget(rate, clock=clock), clock, count=rate * 8 // 5, senders=senders)
    assert len(taken) >= rate * 8 // 5
    assert busiest_second(taken) <= rate


async def test_a_pause_stops_every_sender_and_saves_up_no_burst() -> None:
    """Nothing is taken during a 429's pause, and the sends after it, together with those just
    before, keep every one-second window within the rate."""
    clock = RecordingClock()
    budget = SendBudget(1000, clock=clock)
    taken = await sends(budget, clock, count=1600, senders=250, pause_after=500)
    paused_at = taken[499]
    after = [at for at in taken if at > paused_at]
    assert after[0] - paused_at >= 0.3
    assert busiest_second(taken) <= 1000


async def test_replies_are_served_first_come_first_served() -> None:
    """Replies arriving faster than the pace queue up and take their turns in the order they
    asked: a newcomer never takes a token ahead of someone already waiting."""
    budget = SendBudget(50)
    served: list[int] = []

    async def reply(number: int) -> None:
        await budget.acquire(interactive=True)
        served.append(number)

    waiting = []
    for number in range(40):
        waiting.append(asyncio.create_task(reply(number)))
        await asyncio.sleep(0.007)  # about three arrivals per token: a queue builds
    await asyncio.gather(*waiting)
    assert served == list(range(40))


async def test_a_broadcast_keeps_moving_while_replies_queue() -> None:
    """A storm of replies goes ahead of a broadcast, yet the broadcast waiting beside it still
    gets one token in five: an alert is not held up for the whole storm."""
    budget = SendBudget(50)
    served: list[str] = []

    async def reply() -> None:
        await budget.acquire(interactive=True)
        served.append("reply")

    async def broadcast() -> None:
        while True:
            await budget.acquire(interactive=False)
            served.append("bulk")

    replies = [asyncio.create_task(reply()) for _ in range(60)]
    bulk = asyncio.create_task(broadcast())
    await asyncio.gather(*replies)
    bulk.cancel()
    during = served[: len(served) - served[::-1].index("reply")]
    assert during[0] == "reply"
    assert 0.15 <= during.count("bulk") / len(during) <= 0.25
