"""Petitions and their signatures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from storage import audit
from storage.broadcasts import Content, insert_announcement, insert_direct
from storage.cities import following
from storage.db import Database, now

FULL = 100  # percent: the goal
NAME_WAIT = 600  # seconds a signer's next message is taken as the name asked for


class PetitionState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Petition:
    id: int
    city_id: int | None  # None: every city
    author_id: int | None
    title: str
    demand: str  # HTML
    target: str
    goal: int
    state: PetitionState
    signatures: int
    created_at: int
    collect_names: bool = False
    publish_at: int | None = None  # set: announced at that time, not at creation
    announced: bool = True


@dataclass(frozen=True, slots=True)
class Tally:
    """A petition's count as organizers see it: in all, by city, and in the last day."""

    total: int
    by_city: dict[int | None, int]  # None: signers of an every-city petition in no one city
    last_day: int


class Signing(StrEnum):
    SIGNED = "signed"
    ALREADY = "already"
    CLOSED = "closed"
    UNKNOWN = "unknown"
    NOT_YET = "not_yet"  # waiting for its publication time
    OUTSIDE = "outside"  # a city's petition, and the person does not follow that city


@dataclass(frozen=True, slots=True)
class Signed:
    """What a press of Sign did, and the petition as it stands after it (None if unknown);
    the milestone this signature reached, if it reached one."""

    outcome: Signing
    petition: Petition | None
    milestone: int | None = None


@dataclass(frozen=True, slots=True)
class Milestone:
    petition_id: int
    percent: int
    told: bool  # the author and admins' message exists
    signers_told: bool


def milestone_between(before: int, after: int, goal: int) -> int | None:
    """The highest milestone (in percent of the goal) that a count going from `before` to
    `after` passes: 25, 50 and 75, then 100 and every further 10. Constant time: it runs
    inside every signature's transaction."""
    percent = after * 100 // goal
    if percent >= FULL:
        highest = percent - percent % 10
    else:
        highest = max((step for step in (25, 50, 75) if step <= percent), default=0)
    passed = before * 100 < highest * goal <= after * 100
    return highest if highest and passed else None


def _petition(row: aiosqlite.Row | sqlite3.Row) -> Petition:
    return Petition(
        id=row["id"],
        city_id=row["city_id"],
        author_id=row["author_id"],
        title=row["title"],
        demand=row["demand"],
        target=row["target"],
        goal=row["goal"],
        state=PetitionState(row["status"]),
        signatures=row["signatures"],
        created_at=row["created_at"],
        collect_names=bool(row["collect_names"]),
        publish_at=row["publish_at"],
        announced=row["announcement_id"] is not None,
    )


async def create(
    db: Database,
    author_id: int | None,
    city_id: int | None,
    title: str,
    demand: str,
    target: str,
    goal: int,
    collect_names: bool = False,
    publish_at: int | None = None,
) -> Petition:
    """An open petition, not yet announced (announce does that, now or at publish_at)."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO petitions (city_id, author_id, title, demand, target, goal, status, "
            "created_at, collect_names, publish_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (
                city_id,
                author_id,
                title,
                demand,
                target,
                goal,
                now(),
                int(collect_names),
                publish_at,
            ),
        )
        petition_id = cursor.lastrowid
        await audit.record(tx, author_id, "petition.create", None, f"petition={petition_id}")
    petition = await get(db, petition_id or 0)
    assert petition is not None
    return petition


async def announce(db: Database, petition: Petition, content: Content) -> int | None:
    """In one transaction: the announcement to the followers and its link to the petition.
    None when the petition is not open or was announced already."""
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT 1 FROM petitions WHERE id = ? AND status = 'open' AND announcement_id IS NULL",
            (petition.id,),
        ) as cursor:
            if await cursor.fetchone() is None:
                return None
        broadcast_id = await insert_announcement(
            tx, petition.author_id, petition.city_id, content, None, what="petition.announce"
        )
        await tx.execute(
            "UPDATE petitions SET announcement_id = ? WHERE id = ?", (broadcast_id, petition.id)
        )
        return broadcast_id


async def unannounced(db: Database) -> list[Petition]:
    """Open and not announced: a crash came between creating and announcing, or (with a
    publish_at) it waits for its time, which may have passed while the bot was down."""
    rows = await db.fetch_all(
        "SELECT * FROM petitions WHERE status = 'open' AND announcement_id IS NULL ORDER BY id"
    )
    return [_petition(row) for row in rows]


async def get(db: Database, petition_id: int) -> Petition | None:
    row = await db.fetch_one("SELECT * FROM petitions WHERE id = ?", (petition_id,))
    return _petition(row) if row else None


async def open_in(db: Database, city_ids: set[int] | None) -> list[Petition]:
    """Open petitions, newest first: every one (None), or those of these cities and those of
    every city."""
    rows = await db.fetch_all("SELECT * FROM petitions WHERE status = 'open' ORDER BY id DESC")
    petitions = [_petition(row) for row in rows]
    if city_ids is None:
        return petitions
    return [p for p in petitions if p.city_id is None or p.city_id in city_ids]


async def sign(db: Database, petition_id: int, user_id: int) -> Signed:
    """One signature per person, the primary key deciding, in one trip: the checks, the
    signature and the count after it. A city's petition takes the signatures of that city's
    followers; an every-city petition counts each for the signer's city if they follow one."""

    def work(connection: sqlite3.Connection) -> Signed:
        row = connection.execute("SELECT * FROM petitions WHERE id = ?", (petition_id,)).fetchone()
        if row is None:
            return Signed(Signing.UNKNOWN, None)
        petition = _petition(row)
        if petition.state is not PetitionState.OPEN:
            return Signed(Signing.CLOSED, petition)
        if not petition.announced:
            return Signed(Signing.NOT_YET, petition)
        followed = following(connection, user_id)
        if petition.city_id is not None and petition.city_id not in followed:
            return Signed(Signing.OUTSIDE, petition)
        city_id = petition.city_id
        if city_id is None and len(followed) == 1:
            (city_id,) = followed
        if petition.collect_names:
            # One question at a time: an older one still unanswered stays anonymous.
            connection.execute(
                "UPDATE signatures SET name_asked = 0 WHERE user_id = ? AND name_asked = 1",
                (user_id,),
            )
        cursor = connection.execute(
            "INSERT INTO signatures (petition_id, user_id, city_id, signed_at, name_asked) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (petition_id, user_id) DO NOTHING",
            (petition_id, user_id, city_id, now(), int(petition.collect_names)),
        )
        if not cursor.rowcount:
            return Signed(Signing.ALREADY, petition)
        after = _petition(
            connection.execute("SELECT * FROM petitions WHERE id = ?", (petition_id,)).fetchone()
        )
        percent = milestone_between(after.signatures - 1, after.signatures, after.goal)
        if percent is not None:
            claimed = connection.execute(
                "INSERT INTO petition_milestones (petition_id, percent, reached_at) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (petition_id, percent, now()),
            )
            percent = percent if claimed.rowcount else None  # reached before a withdrawal
        return Signed(Signing.SIGNED, after, percent)

    return await db.write(work)


async def withdraw(db: Database, petition_id: int, user_id: int) -> bool:
    """Takes the signature back (the trigger lowers the count); False if there was none, or
    the petition is closed (its count may have been delivered; erasure still removes it)."""
    sql = (
        "DELETE FROM signatures WHERE petition_id = ? AND user_id = ? "
        "AND petition_id IN (SELECT id FROM petitions WHERE status = 'open')"
    )
    return await db.change(sql, (petition_id, user_id)) > 0


async def has_signed(db: Database, petition_id: int, user_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM signatures WHERE petition_id = ? AND user_id = ?", (petition_id, user_id)
    )
    return row is not None


async def signed_by(db: Database, user_id: int) -> list[Petition]:
    """What the person signed, most recent signature first."""
    rows = await db.fetch_all(
        "SELECT petitions.* FROM petitions JOIN signatures ON signatures.petition_id = "
        "petitions.id WHERE signatures.user_id = ? ORDER BY signatures.signed_at DESC, "
        "petitions.id DESC",
        (user_id,),
    )
    return [_petition(row) for row in rows]


async def tally(db: Database, petition_id: int, since: int) -> Tally:
    return await db.read(lambda connection: _tally(connection, petition_id, since))


def _tally(connection: sqlite3.Connection, petition_id: int, since: int) -> Tally:
    total = connection.execute(
        "SELECT signatures FROM petitions WHERE id = ?", (petition_id,)
    ).fetchone()
    by_city = connection.execute(
        "SELECT city_id, count(*) FROM signatures WHERE petition_id = ? GROUP BY city_id",
        (petition_id,),
    ).fetchall()
    recent = connection.execute(
        "SELECT count(*) FROM signatures WHERE petition_id = ? AND signed_at >= ?",
        (petition_id, since),
    ).fetchone()
    return Tally(
        total=total[0] if total else 0,
        by_city={row[0]: row[1] for row in by_city},
        last_day=recent[0] if recent else 0,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """What goes on paper: the count, and each signer's name (None: given none) and city,
    in the order they signed; read at one moment, so the names add up to the count."""

    tally: Tally
    signers: list[tuple[str | None, int | None]] | None  # None: the petition asked no names


async def for_delivery(db: Database, petition_id: int, since: int, names: bool) -> Delivery:
    def work(connection: sqlite3.Connection) -> Delivery:
        signers: list[tuple[str | None, int | None]] | None = None
        if names:
            # In one trip with the count, so that no signature lands between them. A quarter
            # of a million rows take about a fifth of a second (bench/petition_pdf.py).
            cursor = connection.execute(
                "SELECT name, city_id FROM signatures WHERE petition_id = ? "
                "ORDER BY signed_at, user_id",
                (petition_id,),
            )
            cursor.row_factory = None  # plain tuples: they go to another process
            signers = cursor.fetchall()
        return Delivery(_tally(connection, petition_id, since), signers)

    return await db.read(work)


async def close(db: Database, actor_id: int | None, petition_id: int) -> bool:
    """No more signatures; False when it was not open."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE petitions SET status = 'closed', closed_at = ? "
            "WHERE id = ? AND status = 'open'",
            (now(), petition_id),
        )
        if cursor.rowcount == 0:
            return False
        await audit.record(tx, actor_id, "petition.close", None, f"petition={petition_id}")
        return True


async def follow_up(db: Database, petition_id: int, user_id: int, wanted: bool) -> bool:
    """Whether the signer hears when the goal is reached; False when they have not signed."""
    sql = "UPDATE signatures SET follow_up = ? WHERE petition_id = ? AND user_id = ?"
    return await db.change(sql, (int(wanted), petition_id, user_id)) > 0


async def follows_up(db: Database, petition_id: int, user_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT follow_up FROM signatures WHERE petition_id = ? AND user_id = ?",
        (petition_id, user_id),
    )
    return bool(row and row[0])


async def untold_milestones(db: Database) -> list[Milestone]:
    """Milestones reached and not yet told (a crash came between), oldest first."""
    rows = await db.fetch_all(
        "SELECT * FROM petition_milestones WHERE broadcast_id IS NULL "
        "OR (percent = 100 AND signers_broadcast_id IS NULL) ORDER BY reached_at"
    )
    return [
        Milestone(
            row["petition_id"],
            row["percent"],
            row["broadcast_id"] is not None,
            row["signers_broadcast_id"] is not None,
        )
        for row in rows
    ]


async def tell_milestone(
    db: Database,
    petition: Petition,
    percent: int,
    content: Content,
    recipients: Iterable[int],
    *,
    signers: bool = False,
) -> int | None:
    """The message about a milestone, with its recipients, in the transaction that marks it
    told: to the given people, or (signers) to every signer who asked to hear. None when it
    was told already."""
    column = "signers_broadcast_id" if signers else "broadcast_id"
    async with db.transaction() as tx:
        async with tx.execute(
            f"SELECT 1 FROM petition_milestones WHERE petition_id = ? AND percent = ? "  # noqa: S608
            f"AND {column} IS NULL",
            (petition.id, percent),
        ) as cursor:
            if await cursor.fetchone() is None:
                return None
        if signers:
            async with tx.execute(
                "SELECT user_id FROM signatures WHERE petition_id = ? AND follow_up = 1",
                (petition.id,),
            ) as cursor:
                recipients = [row[0] for row in await cursor.fetchall()]
        purpose = f"petition.milestone.{percent}"
        broadcast_id = await insert_direct(tx, petition.city_id, content, recipients, None, purpose)
        await tx.execute(
            f"UPDATE petition_milestones SET {column} = ? WHERE petition_id = ? AND percent = ?",  # noqa: S608
            (broadcast_id, petition.id, percent),
        )
        return broadcast_id


async def asking_name(db: Database, user_id: int) -> Petition | None:
    """The petition whose signature waits for this person's name, if one does: asked in
    the last NAME_WAIT seconds (later messages are not names), one at a time."""
    row = await db.fetch_one(
        "SELECT petitions.* FROM signatures JOIN petitions ON petitions.id = "
        "signatures.petition_id WHERE signatures.user_id = ? AND signatures.name_asked = 1 "
        "AND signatures.signed_at >= ?",
        (user_id, now() - NAME_WAIT),
    )
    return _petition(row) if row else None


async def name(db: Database, petition_id: int, user_id: int, given: str | None) -> None:
    """Sets the name on the signature (None: anonymous) and asks no more."""
    await db.change(
        "UPDATE signatures SET name = ?, name_asked = 0 WHERE petition_id = ? AND user_id = ?",
        (given, petition_id, user_id),
    )


async def exported(db: Database, actor_id: int, petition_id: int, what: str) -> None:
    """Who took which export of a petition, and when: in the audit log."""
    async with db.transaction() as tx:
        await audit.record(tx, actor_id, f"petition.export.{what}", None, f"petition={petition_id}")
