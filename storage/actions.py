"""Actions, the answers supporters give to them, and their reminders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from storage import audit
from storage.broadcasts import Content, insert_announcement, insert_direct
from storage.db import Database, now


@dataclass(frozen=True, slots=True)
class Timing:
    """When a reminder goes, relative to its action: `before` seconds before the start, or at
    the wall time `at_local` ("09:00") on the start's local day. Exactly one is set."""

    before: int | None = None
    at_local: str | None = None


# When a reminder with this timing goes out for an action starting then: (starts_at, timing)
# -> due_at, or None when the timing gives no reminder for that start (the morning reminder
# of a morning action). The caller knows the city's calendar (see domain.cadence).
DueAt = Callable[[int, Timing], int | None]


class ActionState(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its publish time
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    MISSED = "missed"  # its publish time passed while the bot was down


class Cadence(StrEnum):
    """Which reminders an action gets, chosen by the organizer when publishing."""

    DEFAULT = "default"  # one per REMINDER_OFFSETS
    COMMON = "common"  # the day before, the morning of, 30 minutes before


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    city_id: int
    author_id: int | None
    title: str
    starts_at: int
    place: str
    details: str
    state: ActionState
    publish_at: int | None
    announcement_id: int | None = None
    cadence: Cadence = Cadence.DEFAULT
    capacity: int | None = None  # how many people can come; None: no limit


@dataclass(frozen=True, slots=True)
class Headcount:
    yes: int
    no: int
    last_answer_at: int | None
    waitlisted: int = 0


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    action_id: int
    offset_seconds: int | None  # None: at a wall time (at_local) on the start's day
    due_at: int
    at_local: str | None = None


def _action(row: aiosqlite.Row) -> Action:
    return Action(
        id=row["id"],
        city_id=row["city_id"],
        author_id=row["author_id"],
        title=row["title"],
        starts_at=row["starts_at"],
        place=row["place"],
        details=row["details"],
        state=ActionState(row["status"]),
        publish_at=row["publish_at"],
        announcement_id=row["announcement_id"],
        cadence=Cadence(row["reminder_cadence"]),
        capacity=row["capacity"],
    )


async def create(
    db: Database,
    author_id: int | None,
    city_id: int,
    title: str,
    starts_at: int,
    place: str,
    details: str,
    publish_at: int | None,
    cadence: Cadence = Cadence.DEFAULT,
    capacity: int | None = None,
) -> Action:
    """A new action: published at once, or scheduled to be published at publish_at; with a
    capacity, at most that many people get a place and the rest wait in line."""
    state = ActionState.SCHEDULED if publish_at is not None else ActionState.PUBLISHED
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO actions (city_id, author_id, title, starts_at, place, details, status, "
            "publish_at, created_at, reminder_cadence, capacity) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                city_id,
                author_id,
                title,
                starts_at,
                place,
                details,
                state,
                publish_at,
                now(),
                cadence.value,
                capacity,
            ),
        )
        action_id = cursor.lastrowid
        await audit.record(tx, author_id, f"action.{state.value}", None, f"action={action_id}")
    found = await get(db, action_id or 0)
    assert found is not None
    return found


async def get(db: Database, action_id: int) -> Action | None:
    row = await db.fetch_one("SELECT * FROM actions WHERE id = ?", (action_id,))
    return _action(row) if row else None


async def publish(db: Database, action_id: int) -> bool:
    """Claims a scheduled action for publishing, exactly once."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE actions SET status = 'published' WHERE id = ? AND status = 'scheduled'",
            (action_id,),
        )
        return cursor.rowcount > 0


async def mark_missed(db: Database, action_id: int) -> bool:
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE actions SET status = 'missed' WHERE id = ? AND status = 'scheduled'",
            (action_id,),
        )
        return cursor.rowcount > 0


async def announce(
    db: Database, action: Action, content: Content, timings: Iterable[Timing], due_at: DueAt
) -> int | None:
    """In one transaction: the announcement with its recipients, the reminders, and the
    link between them and the action. None when the action is not (or no longer) waiting to
    be announced."""
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT 1 FROM actions WHERE id = ? AND status = 'published' "
            "AND announcement_id IS NULL",
            (action.id,),
        ) as cursor:
            if await cursor.fetchone() is None:
                return None
        broadcast_id = await insert_announcement(
            tx, action.author_id, action.city_id, content, expires_at=action.starts_at
        )
        await _plan_reminders(tx, action, timings, due_at)
        await tx.execute(
            "UPDATE actions SET announcement_id = ? WHERE id = ?", (broadcast_id, action.id)
        )
        return broadcast_id


async def unannounced(db: Database) -> list[Action]:
    """Published, not yet started, and not announced: a crash came between the two."""
    rows = await db.fetch_all(
        "SELECT * FROM actions WHERE status = 'published' AND announcement_id IS NULL "
        "AND starts_at > ? ORDER BY starts_at",
        (now(),),
    )
    return [_action(row) for row in rows]


async def in_state(db: Database, state: ActionState) -> list[Action]:
    rows = await db.fetch_all(
        "SELECT * FROM actions WHERE status = ? ORDER BY starts_at, id", (state.value,)
    )
    return [_action(row) for row in rows]


async def upcoming_in_cities_of(db: Database, user_id: int, limit: int = 10) -> list[Action]:
    """Published actions not yet started in the cities the supporter follows, soonest first."""
    rows = await db.fetch_all(
        "SELECT actions.* FROM actions JOIN subscriptions USING (city_id) "
        "WHERE subscriptions.user_id = ? AND actions.status = 'published' "
        "AND actions.starts_at > ? ORDER BY actions.starts_at, actions.id LIMIT ?",
        (user_id, now(), limit),
    )
    return [_action(row) for row in rows]


async def upcoming(db: Database, limit: int = 20, organizer_id: int | None = None) -> list[Action]:
    """Published or scheduled actions not yet started, soonest first; with organizer_id,
    only those in that organizer's cities."""
    sql = "SELECT * FROM actions WHERE status IN ('published', 'scheduled') AND starts_at > ?"
    parameters: tuple[int, ...] = (now(),)
    if organizer_id is not None:
        sql += " AND city_id IN (SELECT city_id FROM organizer_cities WHERE user_id = ?)"
        parameters += (organizer_id,)
    rows = await db.fetch_all(sql + " ORDER BY starts_at, id LIMIT ?", (*parameters, limit))
    return [_action(row) for row in rows]


async def answer(db: Database, action_id: int, user_id: int, given: Answer) -> None:
    """Records or changes the supporter's answer: one row per person and action."""
    await db.change(
        "INSERT INTO rsvps (action_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (action_id, user_id) DO UPDATE SET "
        "answer = excluded.answer, answered_at = excluded.answered_at",
        (action_id, user_id, given.value, now()),
    )


async def answer_of(db: Database, action_id: int, user_id: int) -> Answer | None:
    row = await db.fetch_one(
        "SELECT answer FROM rsvps WHERE action_id = ? AND user_id = ?", (action_id, user_id)
    )
    return Answer(row[0]) if row else None


async def headcount(db: Database, action_id: int) -> Headcount:
    """Said yes (the places taken), said no, the last answer's time, and the waitlist."""
    row = await db.fetch_one(
        "SELECT count(*) FILTER (WHERE answer = 'yes'), count(*) FILTER (WHERE answer = 'no'), "
        "max(answered_at), (SELECT count(*) FROM waitlist WHERE action_id = ?1) "
        "FROM rsvps WHERE action_id = ?1",
        (action_id,),
    )
    if row is None:
        return Headcount(0, 0, None)
    return Headcount(row[0] or 0, row[1] or 0, row[2], row[3] or 0)


_YES_GROUP = (
    "SELECT rsvps.user_id FROM rsvps JOIN supporters USING (user_id) "
    "WHERE rsvps.action_id = ? AND rsvps.answer = 'yes' AND supporters.status = 'active' "
    "ORDER BY rsvps.user_id"
)


async def yes_group(db: Database, action_id: int) -> list[int]:
    """Everyone who said yes and may be messaged now (not paused, not unreachable)."""
    return [row[0] for row in await db.fetch_all(_YES_GROUP, (action_id,))]


async def reschedule(
    db: Database, actor_id: int, action_id: int, starts_at: int, due_at: DueAt
) -> None:
    """Moves the action and its reminders, each by its own timing. A pending one whose new
    time has passed is skipped, never sent late, and so is one its timing gives none for the
    new start (the morning reminder of what is now a morning action); a skipped one comes back
    when the new start gives it a time ahead. One already sent goes out again only when the
    action moved later by at least its offset (the 24h reminder went out, then the action
    slipped by days): after a smaller move the change notice says enough."""
    current = now()
    async with db.transaction() as tx:
        async with tx.execute("SELECT starts_at FROM actions WHERE id = ?", (action_id,)) as rows:
            before = await rows.fetchone()
        if before is None:
            return
        await tx.execute("UPDATE actions SET starts_at = ? WHERE id = ?", (starts_at, action_id))
        async with tx.execute(
            "SELECT id, offset_seconds, at_local, status FROM reminders WHERE action_id = ? "
            "AND status IN ('pending', 'skipped', 'sent', 'missed')",
            (action_id,),
        ) as rows:
            reminders = await rows.fetchall()
        changes = []
        for reminder_id, offset, at_local, status in reminders:
            due = due_at(starts_at, Timing(offset, at_local))
            if due is None:
                if status == "pending":
                    status = "skipped"
                due = starts_at  # never armed: only a pending reminder is
            elif status in ("pending", "skipped"):
                status = "pending" if due > current else "skipped"
            elif due > current and due >= before[0]:
                status = "pending"  # a fresh reminder for what is now a later action
            changes.append((due, status, reminder_id))
        await tx.executemany("UPDATE reminders SET due_at = ?, status = ? WHERE id = ?", changes)
        await audit.record(tx, actor_id, "action.time", None, f"action={action_id}")


async def move(db: Database, actor_id: int, action_id: int, place: str) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE actions SET place = ? WHERE id = ?", (place, action_id))
        await audit.record(tx, actor_id, "action.place", None, f"action={action_id}")


async def cancel(
    db: Database, actor_id: int | None, action_id: int, reason: str = "action.cancel"
) -> bool:
    """Cancels a published or scheduled action and its pending reminders, once: by a person
    (actor_id), or by Muster itself (None) with the reason recorded in the audit log."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE actions SET status = 'cancelled' WHERE id = ? "
            "AND status IN ('published', 'scheduled')",
            (action_id,),
        )
        if cursor.rowcount == 0:
            return False
        await tx.execute(
            "UPDATE reminders SET status = 'cancelled' WHERE action_id = ? AND status = 'pending'",
            (action_id,),
        )
        await audit.record(tx, actor_id, reason, None, f"action={action_id}")
        return True


async def _plan_reminders(
    tx: aiosqlite.Connection, action: Action, timings: Iterable[Timing], due_at: DueAt
) -> None:
    """One reminder per timing. One whose time has passed already is skipped, and so is one
    the timing gives none for this start: kept, so a change of time can bring it back."""
    current = now()
    rows = []
    for timing in timings:
        due = due_at(action.starts_at, timing)
        status = "pending" if due is not None and due > current else "skipped"
        at = action.starts_at if due is None else due  # never armed unless pending
        rows.append((action.id, timing.before, timing.at_local, at, status))
    await tx.executemany(
        "INSERT INTO reminders (action_id, offset_seconds, at_local, due_at, status) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        rows,
    )


async def pending_reminders(db: Database, action_id: int | None = None) -> list[Reminder]:
    sql = (
        "SELECT id, action_id, offset_seconds, due_at, at_local FROM reminders "
        "WHERE status = 'pending'"
    )
    parameters: tuple[int, ...] = ()
    if action_id is not None:
        sql += " AND action_id = ?"
        parameters = (action_id,)
    rows = await db.fetch_all(sql + " ORDER BY due_at", parameters)
    return [Reminder(*row) for row in rows]


async def reminder(db: Database, reminder_id: int) -> Reminder | None:
    row = await db.fetch_one(
        "SELECT id, action_id, offset_seconds, due_at, at_local FROM reminders "
        "WHERE id = ? AND status = 'pending'",
        (reminder_id,),
    )
    return Reminder(*row) if row else None


async def send_reminder(
    db: Database, reminder_id: int, city_id: int, content: Content, expires_at: int
) -> int | None:
    """Turns a pending reminder into a broadcast to the current yes-group, in one
    transaction: after a crash it is either still pending or sent, never both, never lost."""
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT action_id FROM reminders WHERE id = ? AND status = 'pending'", (reminder_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        async with tx.execute(_YES_GROUP, (row[0],)) as cursor:
            people = [person[0] for person in await cursor.fetchall()]
        broadcast_id = await insert_direct(
            tx, city_id, content, people, expires_at, "action.reminder"
        )
        await tx.execute(
            "UPDATE reminders SET status = 'sent', broadcast_id = ? WHERE id = ?",
            (broadcast_id, reminder_id),
        )
        return broadcast_id


async def reminder_broadcasts(db: Database, action_id: int) -> list[tuple[int, int]]:
    """(reminder id, broadcast id) of the action's reminders that have gone out, some
    perhaps still going out."""
    rows = await db.fetch_all(
        "SELECT id, broadcast_id FROM reminders WHERE action_id = ? AND broadcast_id IS NOT NULL",
        (action_id,),
    )
    return [(row[0], row[1]) for row in rows]


async def postpone_reminder(db: Database, reminder_id: int, due_at: int) -> bool:
    """Moves a pending reminder to a later time (quiet hours met at its time)."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE reminders SET due_at = ? WHERE id = ? AND status = 'pending'",
            (due_at, reminder_id),
        )
        return cursor.rowcount > 0


async def close_reminder(
    db: Database, reminder_id: int, status: str, broadcast_id: int | None = None
) -> bool:
    """Marks a pending reminder sent, skipped or missed, exactly once."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE reminders SET status = ?, broadcast_id = ? WHERE id = ? AND status = 'pending'",
            (status, broadcast_id, reminder_id),
        )
        return cursor.rowcount > 0


def from_row(row: aiosqlite.Row) -> Action:
    """An action from a row of `actions`, for the modules that read it with their own query."""
    return _action(row)
