"""Drafts of what organizers are composing, and the step each has reached."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiosqlite

from storage.db import Database


@dataclass(frozen=True, slots=True)
class DraftRow:
    user_id: int
    kind: str  # "broadcast", "action" or "petition"
    step: int
    city_id: int | None = None
    all_cities: bool = False
    title: str = ""
    starts_at: int = 0
    place: str = ""
    details: str = ""
    action_id: int = 0
    body: str | None = None
    photo_file_id: str | None = None
    updated_at: int = 0
    version_language: str | None = None
    versions: dict[str, str] = field(default_factory=dict)  # language -> body
    target: str = ""
    goal: int = 0
    collect_names: bool = False
    reminder_cadence: str = "default"  # an action's: "default" or "common"
    capacity: int | None = None
    update_id: int = 0  # the update that took the draft to this step


def _draft(row: aiosqlite.Row) -> DraftRow:
    return DraftRow(
        user_id=row["user_id"],
        kind=row["kind"],
        step=row["step"],
        city_id=row["city_id"],
        all_cities=bool(row["all_cities"]),
        title=row["title"],
        starts_at=row["starts_at"],
        place=row["place"],
        details=row["details"],
        action_id=row["action_id"],
        body=row["body"],
        photo_file_id=row["photo_file_id"],
        updated_at=row["updated_at"],
        version_language=row["version_language"],
        target=row["target"],
        goal=row["goal"],
        collect_names=bool(row["collect_names"]),
        reminder_cadence=row["reminder_cadence"],
        capacity=row["capacity"],
        update_id=row["update_id"],
    )


async def save(db: Database, draft: DraftRow) -> None:
    """Writes the draft as it is now (updated_at says when, by the caller's clock)."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO drafts (user_id, kind, step, city_id, all_cities, title, starts_at, "
            "place, details, action_id, body, photo_file_id, updated_at, version_language, "
            "target, goal, collect_names, reminder_cadence, capacity, update_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id, kind) DO UPDATE SET step = excluded.step, "
            "city_id = excluded.city_id, all_cities = excluded.all_cities, "
            "title = excluded.title, starts_at = excluded.starts_at, place = excluded.place, "
            "details = excluded.details, action_id = excluded.action_id, body = excluded.body, "
            "photo_file_id = excluded.photo_file_id, updated_at = excluded.updated_at, "
            "version_language = excluded.version_language, target = excluded.target, "
            "goal = excluded.goal, collect_names = excluded.collect_names, "
            "reminder_cadence = excluded.reminder_cadence, capacity = excluded.capacity, "
            "update_id = excluded.update_id",
            (
                draft.user_id,
                draft.kind,
                draft.step,
                draft.city_id,
                int(draft.all_cities),
                draft.title,
                draft.starts_at,
                draft.place,
                draft.details,
                draft.action_id,
                draft.body,
                draft.photo_file_id,
                draft.updated_at,
                draft.version_language,
                draft.target,
                draft.goal,
                int(draft.collect_names),
                draft.reminder_cadence,
                draft.capacity,
                draft.update_id,
            ),
        )
        if draft.kind == "broadcast":  # only broadcast drafts have versions
            await tx.execute("DELETE FROM draft_versions WHERE user_id = ?", (draft.user_id,))
            await tx.executemany(
                "INSERT INTO draft_versions (user_id, language, body) VALUES (?, ?, ?)",
                ((draft.user_id, language, body) for language, body in draft.versions.items()),
            )


async def get(db: Database, user_id: int, kind: str, since: int) -> DraftRow | None:
    """The person's draft of this kind, if touched at or after `since`."""
    row = await db.fetch_one(
        "SELECT * FROM drafts WHERE user_id = ? AND kind = ? AND updated_at >= ?",
        (user_id, kind, since),
    )
    if row is None:
        return None
    draft = _draft(row)
    if kind == "broadcast":
        versions = await db.fetch_all(
            "SELECT language, body FROM draft_versions WHERE user_id = ?", (user_id,)
        )
        draft.versions.update({version["language"]: version["body"] for version in versions})
    return draft


async def steps(db: Database, kind: str, since: int) -> dict[int, int]:
    """Who is at which step of a draft of this kind, for drafts touched since `since`."""
    rows = await db.fetch_all(
        "SELECT user_id, step FROM drafts WHERE kind = ? AND updated_at >= ?", (kind, since)
    )
    return {row["user_id"]: row["step"] for row in rows}


async def drop(db: Database, user_id: int, kind: str) -> None:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
        if kind == "broadcast":
            await tx.execute("DELETE FROM draft_versions WHERE user_id = ?", (user_id,))


async def drop_older_than(db: Database, cutoff: int) -> int:
    async with db.transaction() as tx:
        cursor = await tx.execute("DELETE FROM drafts WHERE updated_at < ?", (cutoff,))
        await tx.execute(
            "DELETE FROM draft_versions WHERE user_id NOT IN "
            "(SELECT user_id FROM drafts WHERE kind = 'broadcast')"
        )
        return cursor.rowcount
