"""Bulk writes for seeding benchmarks: many supporters following one city at once.

The bot itself never needs these: people sign up one at a time. A benchmark of a broadcast
to a million followers does, and one executemany in one transaction is the fast way to write
them (a transaction per row would fsync a million times).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storage.db import Database, now


async def add_followers(db: Database, city_id: int, user_ids: Sequence[int], language: str) -> int:
    """Registers each id as an active supporter following the city; returns how many new
    follows were written. Existing supporters and follows are left as they are.

    A range is a Sequence, so a million ids need not be built as a list: both statements
    read it lazily."""
    joined = now()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO supporters (user_id, language, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            ((user_id, language, joined) for user_id in user_ids),
        )
        cursor = await tx.executemany(
            "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, city_id) DO NOTHING",
            ((user_id, city_id, joined) for user_id in user_ids),
        )
        return max(cursor.rowcount, 0)


async def add_signatures(
    db: Database, petition_id: int, signers: Sequence[tuple[int, str | None, int | None]]
) -> None:
    """Signs the petition for each (user id, name or None, city id), one second apart in
    that order; the triggers keep the petition's count."""
    started = now()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO signatures (petition_id, user_id, city_id, signed_at, name) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (petition_id, user_id, city_id, started + number, name)
                for number, (user_id, name, city_id) in enumerate(signers)
            ),
        )


# Campaign history for bench/stats.py: people who joined over months from every kind of link,
# broadcasts already delivered, actions already held. Each writer is one transaction.

SupporterRow = tuple[int, str, int, str | None, str]  # user id, language, joined, source, status


async def add_supporters(db: Database, rows: Iterable[SupporterRow]) -> None:
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO supporters (user_id, language, joined_at, source, status) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


async def add_follows(db: Database, rows: Iterable[tuple[int, int, int]]) -> None:
    """(user id, city id, followed at) for each follow."""
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO subscriptions (user_id, city_id, created_at) VALUES (?, ?, ?)", rows
        )


async def add_delivered(
    db: Database,
    city_id: int | None,
    started_at: int,
    outcomes: Iterable[tuple[int, str]],
    *,
    folded: bool = False,
) -> int:
    """A broadcast that went out at `started_at` and is done, with one row per recipient
    (user id, outcome), or with those rows folded into counts as retention leaves them; its
    id."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO broadcasts (author_id, city_id, all_cities, kind, body, status, "
            "created_at, started_at, finished_at) VALUES (NULL, ?, ?, 'text', ?, 'done', ?, ?, ?)",
            (city_id, int(city_id is None), "Rally at 6pm", started_at, started_at, started_at),
        )
        broadcast_id = cursor.lastrowid
        assert broadcast_id is not None
        if folded:
            counts: dict[str, int] = {}
            for _, outcome in outcomes:
                counts[outcome] = counts.get(outcome, 0) + 1
            await tx.executemany(
                "INSERT INTO delivery_counts (broadcast_id, status, count) VALUES (?, ?, ?)",
                ((broadcast_id, outcome, count) for outcome, count in counts.items()),
            )
            total = sum(counts.values())
        else:
            cursor = await tx.executemany(
                "INSERT INTO deliveries (broadcast_id, user_id, status) VALUES (?, ?, ?)",
                ((broadcast_id, user_id, outcome) for user_id, outcome in outcomes),
            )
            total = cursor.rowcount
        await tx.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast_id))
        return broadcast_id


async def add_held_action(
    db: Database,
    city_id: int,
    title: str,
    starts_at: int,
    announcement_id: int,
    answers: Iterable[tuple[int, str]],
    came: Iterable[tuple[int, int | None, str | None]],
) -> int:
    """A published action announced by that broadcast, with people's answers (user id, yes or
    no) and attendance (user id, checked in at or None, reported yes/no or None); its id."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO actions (city_id, title, starts_at, place, status, created_at, "
            "announcement_id) VALUES (?, ?, ?, 'HQ', 'published', ?, ?)",
            (city_id, title, starts_at, starts_at, announcement_id),
        )
        action_id = cursor.lastrowid
        assert action_id is not None
        await tx.executemany(
            "INSERT INTO rsvps (action_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?)",
            ((action_id, user_id, answer, starts_at) for user_id, answer in answers),
        )
        await tx.executemany(
            "INSERT INTO attendance (action_id, user_id, checked_in_at, reported) "
            "VALUES (?, ?, ?, ?)",
            ((action_id, user_id, at, reported) for user_id, at, reported in came),
        )
        return action_id
