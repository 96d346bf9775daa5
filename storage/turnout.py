"""Who came to an action: its check-in token, check-ins, and answers to "Did you make it?"."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

import aiosqlite

from storage.actions import Action, from_row
from storage.broadcasts import Content, insert_direct
from storage.db import Database

TOKEN_BYTES = 12  # 16 characters of base64url: unguessable, short enough for a /start link


async def checkin_token(db: Database, action_id: int) -> str | None:
    """The action's check-in token, made the first time it is asked for (None: no action)."""
    fresh = secrets.token_urlsafe(TOKEN_BYTES)

    def work(connection: sqlite3.Connection) -> str | None:
        connection.execute(
            "UPDATE actions SET checkin_token = ? WHERE id = ? AND checkin_token IS NULL",
            (fresh, action_id),
        )
        row = connection.execute(
            "SELECT checkin_token FROM actions WHERE id = ?", (action_id,)
        ).fetchone()
        return row[0] if row else None

    return await db.write(work)


async def action_for(db: Database, token: str) -> Action | None:
    row = await db.fetch_one("SELECT * FROM actions WHERE checkin_token = ?", (token,))
    return from_row(row) if row else None


async def check_in(db: Database, action_id: int, user_id: int, at: int) -> bool:
    """Records the person as there at `at`; False when they had checked in already (the
    first check-in's time stays)."""
    changed = await db.change(
        "INSERT INTO attendance (action_id, user_id, checked_in_at) VALUES (?, ?, ?) "
        "ON CONFLICT (action_id, user_id) DO UPDATE SET checked_in_at = excluded.checked_in_at "
        "WHERE attendance.checked_in_at IS NULL",
        (action_id, user_id, at),
    )
    return changed > 0


async def checked_in(db: Database, action_id: int, user_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM attendance WHERE action_id = ? AND user_id = ? "
        "AND checked_in_at IS NOT NULL",
        (action_id, user_id),
    )
    return row is not None


@dataclass(frozen=True, slots=True)
class Attendance:
    checked_in: int
    reported_there: int  # said "Yes, I was there" when asked, without checking in
    reported_absent: int


async def attendance(db: Database, action_id: int) -> Attendance:
    row = await db.fetch_one(
        "SELECT count(checked_in_at), "
        "count(CASE WHEN checked_in_at IS NULL AND reported = 'yes' THEN 1 END), "
        "count(CASE WHEN checked_in_at IS NULL AND reported = 'no' THEN 1 END) "
        "FROM attendance WHERE action_id = ?",
        (action_id,),
    )
    return Attendance(row[0], row[1], row[2]) if row else Attendance(0, 0, 0)


async def due_for_follow_up(db: Database, before: int) -> list[Action]:
    """Published actions that started before `before` and have had no follow-up."""
    rows = await db.fetch_all(
        "SELECT * FROM actions WHERE status = 'published' AND followed_up_at IS NULL "
        "AND starts_at <= ? ORDER BY starts_at",
        (before,),
    )
    return [from_row(row) for row in rows]


# Who is asked and who is thanked: people who may be messaged now (active) among those who
# said yes (and did not check in), and among those who checked in.
_NOT_CHECKED_IN = (
    "SELECT rsvps.user_id FROM rsvps JOIN supporters USING (user_id) "
    "LEFT JOIN attendance ON attendance.action_id = rsvps.action_id "
    "AND attendance.user_id = rsvps.user_id "
    "WHERE rsvps.action_id = ? AND rsvps.answer = 'yes' AND supporters.status = 'active' "
    "AND attendance.checked_in_at IS NULL"
)
_CHECKED_IN = (
    "SELECT attendance.user_id FROM attendance JOIN supporters USING (user_id) "
    "WHERE attendance.action_id = ? AND attendance.checked_in_at IS NOT NULL "
    "AND supporters.status = 'active'"
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    asked: int | None  # the broadcast asking "Did you make it?" (None: nobody to ask)
    thanked: int | None


async def follow_up(
    db: Database,
    action: Action,
    ask: Content,
    thank: Content,
    late: bool,
    at: int,
) -> FollowUp | None:
    """In one transaction, once per action: "Did you make it?" to those who said yes and did
    not check in, a thank-you to those who checked in (both through the delivery engine),
    and the action marked followed up. `late` (the bot was down far past the time): marked,
    nothing sent. None when another call did it first."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE actions SET followed_up_at = ? WHERE id = ? AND followed_up_at IS NULL",
            (at, action.id),
        )
        if cursor.rowcount == 0:
            return None
        if late:
            return FollowUp(None, None)
        asked = await _send(tx, action, _NOT_CHECKED_IN, ask, "action.followup.ask")
        thanked = await _send(tx, action, _CHECKED_IN, thank, "action.followup.thanks")
        return FollowUp(asked, thanked)


async def _send(
    tx: aiosqlite.Connection, action: Action, query: str, content: Content, what: str
) -> int | None:
    people = [row[0] for row in await tx.execute_fetchall(query, (action.id,))]
    if not people:
        return None
    return await insert_direct(tx, action.city_id, content, people, None, what)


async def report(db: Database, action_id: int, user_id: int, there: bool) -> bool:
    """Their answer to "Did you make it?", for someone who said yes; False otherwise."""
    changed = await db.change(
        "INSERT INTO attendance (action_id, user_id, reported) "
        "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM rsvps WHERE action_id = ? AND user_id = ? "
        "AND answer = 'yes') "
        "ON CONFLICT (action_id, user_id) DO UPDATE SET reported = excluded.reported",
        (action_id, user_id, "yes" if there else "no", action_id, user_id),
    )
    return changed > 0
