"""Bans: who Muster ignores and never messages, since when and on whose word."""

from __future__ import annotations

from dataclasses import dataclass

from storage import audit
from storage.db import Database, now


@dataclass(frozen=True, slots=True)
class Ban:
    user_id: int
    banned_at: int
    banned_by: int | None


@dataclass(frozen=True, slots=True)
class Banned:
    """What a ban took away with it."""

    was_organizer: bool
    follows: int


async def ban(db: Database, actor_id: int, user_id: int) -> Banned | None:
    """Bans the person in one transaction: their follows and organizer role go, the sends of
    running broadcasts still pending for them are cancelled (so no restart resumes them), and
    so is whatever they had scheduled. None when they were banned already. Audited."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO bans (user_id, banned_at, banned_by) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            (user_id, now(), actor_id),
        )
        if cursor.rowcount == 0:
            return None
        cursor = await tx.execute("DELETE FROM organizers WHERE user_id = ?", (user_id,))
        was_organizer = cursor.rowcount > 0
        cursor = await tx.execute("DELETE FROM subscriptions WHERE user_id = ?", (user_id,))
        follows = cursor.rowcount
        await tx.execute(
            "UPDATE deliveries SET status = 'cancelled' WHERE user_id = ? AND status = 'pending'",
            (user_id,),
        )
        # Nothing they had scheduled goes out in their name. (Its timer would withdraw it
        # anyway, as they reach no city now, but would tell them so: a message to them.)
        plans = 0
        for statement in _CANCEL_PLANS:
            cursor = await tx.execute(statement, {"user_id": user_id, "now": now()})
            plans += cursor.rowcount
        detail = f"organizer={int(was_organizer)} follows={follows} plans={plans}"
        await audit.record(tx, actor_id, "ban", user_id, detail)
    return Banned(was_organizer, follows)


_CANCEL_PLANS = (
    "UPDATE broadcasts SET status = 'cancelled', finished_at = :now "
    "WHERE author_id = :user_id AND status = 'scheduled'",
    "UPDATE actions SET status = 'cancelled' WHERE author_id = :user_id AND status = 'scheduled'",
    "UPDATE petitions SET status = 'closed', closed_at = :now "
    "WHERE author_id = :user_id AND status = 'open' AND announcement_id IS NULL",
)


async def unban(db: Database, actor_id: int, user_id: int) -> bool:
    """Lifts the ban; False when there was none. Audited."""
    async with db.transaction() as tx:
        cursor = await tx.execute("DELETE FROM bans WHERE user_id = ?", (user_id,))
        if cursor.rowcount == 0:
            return False
        await audit.record(tx, actor_id, "unban", user_id)
        return True


async def banned_ids(db: Database) -> set[int]:
    return {row[0] for row in await db.fetch_all("SELECT user_id FROM bans")}


async def everyone(db: Database) -> list[Ban]:
    rows = await db.fetch_all(
        "SELECT user_id, banned_at, banned_by FROM bans ORDER BY banned_at, user_id"
    )
    return [Ban(row[0], row[1], row[2]) for row in rows]
