"""Places at actions with a capacity: who holds one (a 'yes' in rsvps), who waits for one (the
waitlist), and moving people from the line to the places that free up.

Every decision about a place is taken inside one transaction, so two presses for the last
place cannot both get it: the single connection's transactions never interleave, and the
deciding step of a press is one statement (_TAKE) that counts and writes at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import aiosqlite

from storage import audit
from storage.actions import Action, ActionState, Answer, from_row
from storage.broadcasts import Content, insert_direct
from storage.db import Database

# The message telling someone they got a place: (action, its city's time zone) -> content.
Notice = Callable[[Action, str], Content]


@dataclass(frozen=True, slots=True)
class Standing:
    """One person and an action: their answer, or their place in the waitlist's line (1 is
    the first), and how many places are taken (counted for actions with a capacity only)."""

    answer: Answer | None
    waiting: int | None = None
    taken: int = 0


@dataclass(frozen=True, slots=True)
class Promotion:
    """People moved from the waitlist to a place, and the broadcast telling them."""

    people: tuple[int, ...]
    notice_id: int


@dataclass(frozen=True, slots=True)
class Freed:
    """What giving up a place (or an answer) did: whether the person held a place, what they
    stand at now, and who got the place."""

    held: bool
    standing: Standing
    promotion: Promotion | None


@dataclass(frozen=True, slots=True)
class Resized:
    taken: int  # places taken after the change (more than the capacity when it shrank)
    promotion: Promotion | None


# Yes, if the person holds a place already or the action has room: one statement decides and
# writes, so what it counted cannot change before it writes.
_TAKE = (
    "INSERT INTO rsvps (action_id, user_id, answer, answered_at) "
    "SELECT id, :user, 'yes', :at FROM actions WHERE id = :action AND ("
    "capacity IS NULL "
    "OR EXISTS (SELECT 1 FROM rsvps WHERE action_id = :action AND user_id = :user "
    "AND answer = 'yes') "
    "OR (SELECT count(*) FROM rsvps WHERE action_id = :action AND answer = 'yes') < capacity) "
    "ON CONFLICT (action_id, user_id) DO UPDATE SET "
    "answer = excluded.answer, answered_at = excluded.answered_at"
)
_JOIN_LINE = (
    "INSERT INTO waitlist (action_id, user_id, joined_at) VALUES (?, ?, ?) "
    "ON CONFLICT (action_id, user_id) DO NOTHING"
)
_LEAVE_LINE = "DELETE FROM waitlist WHERE action_id = ? AND user_id = ?"
_ANSWER = (
    "INSERT INTO rsvps (action_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (action_id, user_id) DO UPDATE SET "
    "answer = excluded.answer, answered_at = excluded.answered_at"
)
_TAKEN = "SELECT count(*) FROM rsvps WHERE action_id = ? AND answer = 'yes'"
# Their place in line: how many joined before them, or with them (0: not in line).
_PLACE_IN_LINE = (
    "SELECT count(*) FROM waitlist WHERE action_id = ?1 AND (joined_at, rowid) <= "
    "(SELECT joined_at, rowid FROM waitlist WHERE action_id = ?1 AND user_id = ?2)"
)
# Who is promoted while places are limited: the first in line who can be told (active, not
# banned); someone paused or unreachable keeps their place in line but is passed over, since
# a place nobody knows they hold would go unused.
_NEXT_IN_LINE = (
    "SELECT waitlist.user_id FROM waitlist JOIN supporters USING (user_id) "
    "WHERE waitlist.action_id = ? AND supporters.status = 'active' "
    "AND waitlist.user_id NOT IN (SELECT user_id FROM bans) "
    "ORDER BY waitlist.joined_at, waitlist.rowid LIMIT ?"
)
# With no limit any more, nobody waits: everyone in line who is not banned.
_EVERYONE_IN_LINE = (
    "SELECT user_id FROM waitlist WHERE action_id = ? "
    "AND user_id NOT IN (SELECT user_id FROM bans) ORDER BY joined_at, rowid LIMIT ?"
)


# --- Saying yes: one trip, committed with the changes beside it -----------------------------


async def take(db: Database, action_id: int, user_id: int, at: int, *, limited: bool) -> Standing:
    """I'll be there: a place if there is room (or they hold one), else the waitlist (where
    someone already in line keeps their place). `limited`: the action has a capacity, so
    the places taken are counted for its card."""
    return await db.write(
        partial(_take, action_id=action_id, user_id=user_id, at=at, limited=limited)
    )


def _take(
    connection: sqlite3.Connection, *, action_id: int, user_id: int, at: int, limited: bool
) -> Standing:
    got = connection.execute(_TAKE, {"action": action_id, "user": user_id, "at": at}).rowcount
    waiting = None
    if got:
        connection.execute(_LEAVE_LINE, (action_id, user_id))
    else:
        connection.execute(_JOIN_LINE, (action_id, user_id, at))
        # Waiting is their answer now: an earlier "can't make it" no longer holds.
        connection.execute(
            "DELETE FROM rsvps WHERE action_id = ? AND user_id = ?", (action_id, user_id)
        )
        waiting = connection.execute(_PLACE_IN_LINE, (action_id, user_id)).fetchone()[0]
    taken = connection.execute(_TAKEN, (action_id,)).fetchone()[0] if limited else 0
    return Standing(Answer.YES if got else None, waiting, taken)


async def decline_unlimited(db: Database, action_id: int, user_id: int, at: int) -> Standing:
    """Can't make it, for an action with no capacity: no place to free, one trip."""

    def work(connection: sqlite3.Connection) -> Standing:
        connection.execute(_LEAVE_LINE, (action_id, user_id))
        connection.execute(_ANSWER, (action_id, user_id, Answer.NO.value, at))
        return Standing(Answer.NO)

    return await db.write(work)


# --- Giving a place up, changing the capacity, erasure: with the promotion they cause ------


async def decline(
    db: Database, action_id: int, user_id: int, at: int, notice: Notice, *, only_held: bool = False
) -> Freed:
    """Can't make it: off the waitlist, or out of their place, which goes to the first in line
    with the message telling them, all in one transaction. `only_held` (giving a place back):
    nothing changes unless they hold a place."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE rsvps SET answer = 'no', answered_at = ? "
            "WHERE action_id = ? AND user_id = ? AND answer = 'yes'",
            (at, action_id, user_id),
        )
        held = cursor.rowcount > 0
        if only_held and not held:
            return Freed(False, await _standing(tx, action_id, user_id), None)
        await tx.execute(_LEAVE_LINE, (action_id, user_id))
        await tx.execute(_ANSWER, (action_id, user_id, Answer.NO.value, at))
        promotion = await promote(tx, action_id, at, notice) if held else None
        return Freed(held, Standing(Answer.NO, None, await _taken(tx, action_id)), promotion)


async def resize(
    db: Database, actor_id: int, action_id: int, capacity: int | None, at: int, notice: Notice
) -> Resized:
    """A new capacity (None: no limit). Nobody loses a place when it shrinks; the places it
    adds go to the waitlist's first, in the same transaction."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE actions SET capacity = ? WHERE id = ?", (capacity, action_id))
        detail = f"action={action_id} capacity={capacity if capacity is not None else 'none'}"
        await audit.record(tx, actor_id, "action.capacity", None, detail)
        promotion = await promote(tx, action_id, at, notice)
        return Resized(await _taken(tx, action_id), promotion)


async def held_by(tx: aiosqlite.Connection, user_id: int) -> list[int]:
    """The actions with a capacity where the person holds a place: erasing them frees it
    (storage.supporters.erase asks before deleting their rows; promote says whether the
    action still takes anyone from its line)."""
    rows = await tx.execute_fetchall(
        "SELECT actions.id FROM rsvps JOIN actions ON actions.id = rsvps.action_id "
        "WHERE rsvps.user_id = ? AND rsvps.answer = 'yes' AND actions.capacity IS NOT NULL",
        (user_id,),
    )
    return [row[0] for row in rows]


async def promote(
    tx: aiosqlite.Connection, action_id: int, at: int, notice: Notice
) -> Promotion | None:
    """Fills the free places from the waitlist, first come first served, and queues the
    message telling each of them, inside the caller's transaction; only while the action is
    published and has not begun. None when nobody moved."""
    rows = await tx.execute_fetchall(
        "SELECT actions.*, cities.timezone AS timezone FROM actions "
        "JOIN cities ON cities.id = actions.city_id WHERE actions.id = ?",
        (action_id,),
    )
    if not rows:
        return None
    row = next(iter(rows))
    action = from_row(row)
    if action.state is not ActionState.PUBLISHED or action.starts_at <= at:
        return None
    if action.capacity is None:
        query, free = _EVERYONE_IN_LINE, -1  # SQLite's LIMIT -1: no limit
    else:
        query, free = _NEXT_IN_LINE, action.capacity - await _taken(tx, action_id)
        if free <= 0:
            return None
    people = [person[0] for person in await tx.execute_fetchall(query, (action_id, free))]
    if not people:
        return None
    await tx.executemany(_LEAVE_LINE, ((action_id, person) for person in people))
    await tx.executemany(_ANSWER, ((action_id, person, Answer.YES.value, at) for person in people))
    notice_id = await insert_direct(
        tx,
        action.city_id,
        notice(action, row["timezone"]),
        people,
        action.starts_at,
        "action.promoted",
    )
    return Promotion(tuple(people), notice_id)


# --- Reading ------------------------------------------------------------------------------


async def standing(db: Database, action_id: int, user_id: int, *, limited: bool) -> Standing:
    """Where the person stands with the action, in one trip."""

    def work(connection: sqlite3.Connection) -> Standing:
        row = connection.execute(
            "SELECT answer FROM rsvps WHERE action_id = ? AND user_id = ?", (action_id, user_id)
        ).fetchone()
        place = connection.execute(_PLACE_IN_LINE, (action_id, user_id)).fetchone()[0]
        taken = connection.execute(_TAKEN, (action_id,)).fetchone()[0] if limited else 0
        return Standing(Answer(row[0]) if row else None, place or None, taken)

    return await db.read(work)


async def taken(db: Database, action_id: int) -> int:
    row = await db.fetch_one(_TAKEN, (action_id,))
    return int(row[0]) if row else 0


async def in_line(db: Database, action_id: int) -> list[int]:
    """The waitlist, first in line first."""
    rows = await db.fetch_all(
        "SELECT user_id FROM waitlist WHERE action_id = ? ORDER BY joined_at, rowid", (action_id,)
    )
    return [row[0] for row in rows]


async def _taken(tx: aiosqlite.Connection, action_id: int) -> int:
    rows = await tx.execute_fetchall(_TAKEN, (action_id,))
    return int(next(iter(rows))[0])


async def _standing(tx: aiosqlite.Connection, action_id: int, user_id: int) -> Standing:
    rows = list(
        await tx.execute_fetchall(
            "SELECT answer FROM rsvps WHERE action_id = ? AND user_id = ?", (action_id, user_id)
        )
    )
    place = next(iter(await tx.execute_fetchall(_PLACE_IN_LINE, (action_id, user_id))))[0]
    answer = Answer(rows[0][0]) if rows else None
    return Standing(answer, place or None, await _taken(tx, action_id))
