"""Supporters: registration, language, pause and reachability, and erasure."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum

import aiosqlite

from storage import places
from storage.cities import follow_in, following
from storage.db import Database, now
from storage.links import ERASED, REWRITE_SOURCES
from storage.places import Notice


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Supporter:
    user_id: int
    language: str
    joined_at: int
    source: str | None
    status: Status


@dataclass(frozen=True, slots=True)
class Arrival:
    """What /start found: the supporter as they are now, and how they were before; with a
    city to follow, whether that follow is new, and the cities they follow after it."""

    supporter: Supporter
    is_new: bool
    was: Status | None
    followed: bool = False
    follows: set[int] = field(default_factory=set)


def _supporter(row: aiosqlite.Row | sqlite3.Row) -> Supporter:
    return Supporter(
        user_id=row["user_id"],
        language=row["language"],
        joined_at=row["joined_at"],
        source=row["source"],
        status=Status(row["status"]),
    )


async def get(db: Database, user_id: int) -> Supporter | None:
    row = await db.fetch_one("SELECT * FROM supporters WHERE user_id = ?", (user_id,))
    return _supporter(row) if row else None


async def arrive(
    db: Database, user_id: int, language: str, source: str | None, follow: int | None = None
) -> Arrival:
    """Registers a newcomer, or makes a paused or unreachable supporter active again, and
    follows the city given, all in one transaction.

    The source is recorded only on first contact: a later deep link does not rewrite history.
    """
    return await db.write(lambda connection: _arrive(connection, user_id, language, source, follow))


def _arrive(
    connection: sqlite3.Connection,
    user_id: int,
    language: str,
    source: str | None,
    follow: int | None,
) -> Arrival:
    row = connection.execute("SELECT * FROM supporters WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        joined_at = now()
        connection.execute(
            "INSERT INTO supporters (user_id, language, joined_at, source) VALUES (?, ?, ?, ?)",
            (user_id, language, joined_at, source),
        )
        before = None
        supporter = Supporter(user_id, language, joined_at, source, Status.ACTIVE)
    else:
        before = _supporter(row)
        if before.status is not Status.ACTIVE:
            connection.execute(
                "UPDATE supporters SET status = 'active' WHERE user_id = ?", (user_id,)
            )
        supporter = Supporter(
            before.user_id, before.language, before.joined_at, before.source, Status.ACTIVE
        )
    followed = follow is not None and follow_in(connection, user_id, follow)
    return Arrival(
        supporter,
        is_new=before is None,
        was=before.status if before else None,
        followed=followed,
        follows=following(connection, user_id),
    )


async def ensure(db: Database, user_id: int, language: str) -> None:
    """Registers the person if new, leaving an existing supporter exactly as they are (a
    paused supporter who picks a city stays paused)."""
    await db.change(
        "INSERT INTO supporters (user_id, language, joined_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO NOTHING",
        (user_id, language, now()),
    )


async def set_language(db: Database, user_id: int, language: str) -> bool:
    sql = "UPDATE supporters SET language = ? WHERE user_id = ?"
    return await db.change(sql, (language, user_id)) > 0


async def set_status(db: Database, user_id: int, status: Status) -> bool:
    sql = "UPDATE supporters SET status = ? WHERE user_id = ?"
    return await db.change(sql, (status.value, user_id)) > 0


_UNLINK = (
    "UPDATE broadcasts SET author_id = NULL WHERE author_id = ?",
    "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL "
    "WHERE progress_chat_id = ?",
    "UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?",
    "UPDATE actions SET author_id = NULL WHERE author_id = ?",
    "UPDATE petitions SET author_id = NULL WHERE author_id = ?",
    "UPDATE audit_log SET subject_id = NULL WHERE subject_id = ?",
    "UPDATE bans SET banned_by = NULL WHERE banned_by = ?",
    "UPDATE invite_links SET created_by = NULL WHERE created_by = ?",
)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What /deleteme did: whether there was anyone to erase, and the messages telling the
    people who got the places they held (broadcast ids, for the delivery engine)."""

    erased: bool
    notices: tuple[int, ...] = ()


async def erase(
    db: Database, user_id: int, notice: Notice | None = None, at: int | None = None
) -> Erasure:
    """Deletes every row about the person, then truncates the WAL so no copy lingers there.

    Rows that reference the supporter go with ON DELETE CASCADE; secure_delete zeroes the
    freed space in the database file. A place they held at an action with a capacity goes,
    in the same transaction, to the first on its waitlist, told by `notice` (None: the place
    stays free until the next promotion there).
    """
    at = now() if at is None else at
    notices = []
    async with db.transaction() as tx:
        freeing = await places.held_by(tx, user_id) if notice is not None else []
        # Before their row (and their invite link's, by the cascade) goes: the people who came
        # by their link keep a source, no longer one naming their code.
        await tx.execute(REWRITE_SOURCES, (ERASED, user_id))
        cursor = await tx.execute("DELETE FROM supporters WHERE user_id = ?", (user_id,))
        erased = cursor.rowcount > 0
        # Half-written alerts are theirs too (an admin may have drafts and no supporter row).
        await tx.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
        await tx.execute("DELETE FROM draft_versions WHERE user_id = ?", (user_id,))
        # Nothing goes out later in the name of someone who left: their organizer role went
        # with them, and once unlinked nobody could tell whose it was. (A timer still armed
        # finds it cancelled and does nothing.)
        await tx.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? "
            "WHERE author_id = ? AND status = 'scheduled'",
            (now(), user_id),
        )
        await tx.execute(
            "UPDATE actions SET status = 'cancelled' WHERE author_id = ? AND status = 'scheduled'",
            (user_id,),
        )
        # What they did as an organizer stays on record, no longer tied to them.
        for statement in _UNLINK:
            await tx.execute(statement, (user_id,))
        for action_id in freeing:
            assert notice is not None
            promotion = await places.promote(tx, action_id, at, notice)
            if promotion is not None:
                notices.append(promotion.notice_id)
    await db.checkpoint()
    return Erasure(erased, tuple(notices))


async def count(db: Database) -> int:
    row = await db.fetch_one("SELECT count(*) FROM supporters")
    return int(row[0]) if row else 0


async def count_by_status(db: Database) -> dict[Status, int]:
    """How many supporters stand at each status. One scan of the table, about 70 ms for a
    million (a GROUP BY takes 250: it sorts), so it runs on a connection of its own."""
    counts = ", ".join("count(*) FILTER (WHERE status = ?)" for _ in Status)
    sql = f"SELECT {counts} FROM supporters"  # noqa: S608 - placeholders only

    def work(connection: sqlite3.Connection) -> dict[Status, int]:
        row = connection.execute(sql, [status.value for status in Status]).fetchone()
        return dict(zip(Status, row, strict=True))

    return await db.read_apart(work)
