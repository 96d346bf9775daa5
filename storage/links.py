"""Invite links: each supporter's personal one, organizers' named campaign links, and how many
newcomers arrived by each (their source, "ref:<code>", recorded at sign-up)."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

import aiosqlite

from storage import audit
from storage.db import Database, now

# 10 characters of base64url (56 random bits): unguessable, and short in a link on a flyer.
CODE_BYTES = 7
# The source of people who came by the personal link of someone who erased their data.
ERASED = "ref:erased"


@dataclass(frozen=True, slots=True)
class CampaignLink:
    id: int
    code: str
    name: str
    city_id: int | None
    created_by: int | None
    created_at: int


@dataclass(frozen=True, slots=True)
class SignUps:
    """Newcomers who arrived by a link: in all, and since a moment."""

    total: int
    recent: int


def source_of(code: str) -> str:
    return f"ref:{code}"


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def _campaign(row: aiosqlite.Row | sqlite3.Row) -> CampaignLink:
    return CampaignLink(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        city_id=row["city_id"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def personal_code(db: Database, user_id: int) -> str | None:
    """The supporter's own code, made the first time they ask (None: no such supporter)."""

    def work(connection: sqlite3.Connection) -> str | None:
        row = connection.execute(
            "SELECT code FROM invite_links WHERE owner_id = ?", (user_id,)
        ).fetchone()
        if row is not None:
            return str(row[0])
        if not connection.execute(
            "SELECT 1 FROM supporters WHERE user_id = ?", (user_id,)
        ).fetchone():
            return None
        while True:
            code = new_code()
            try:
                connection.execute(
                    "INSERT INTO invite_links (code, owner_id, created_at) VALUES (?, ?, ?)",
                    (code, user_id, now()),
                )
            except sqlite3.IntegrityError as error:
                if "invite_links.code" in str(error):
                    continue  # a code taken already, against all odds: another
                raise
            return code

    return await db.write(work)


async def create_campaign(
    db: Database, actor_id: int, name: str, city_id: int | None
) -> CampaignLink:
    """A named campaign link, recorded in the audit log with its maker."""
    async with db.transaction() as tx:
        while True:
            try:
                cursor = await tx.execute(
                    "INSERT INTO invite_links (code, name, city_id, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING *",
                    (new_code(), name, city_id, actor_id, now()),
                )
            except sqlite3.IntegrityError as error:
                if "invite_links.code" in str(error):
                    continue  # a code taken already, against all odds: another
                raise
            row = await cursor.fetchone()
            await cursor.close()
            break
        assert row is not None
        link = _campaign(row)
        await audit.record(tx, actor_id, "link.create", None, f"link={link.id}")
    return link


async def campaign(db: Database, link_id: int) -> CampaignLink | None:
    row = await db.fetch_one(
        "SELECT * FROM invite_links WHERE id = ? AND owner_id IS NULL", (link_id,)
    )
    return _campaign(row) if row else None


async def campaign_by_code(db: Database, code: str) -> CampaignLink | None:
    row = await db.fetch_one(
        "SELECT * FROM invite_links WHERE code = ? AND owner_id IS NULL", (code,)
    )
    return _campaign(row) if row else None


async def campaigns(
    db: Database, city_ids: frozenset[int] | None, maker_id: int | None = None
) -> list[CampaignLink]:
    """Campaign links, newest first: every one (None), or those of these cities and those
    the maker made (a link for no city is its maker's and the admins')."""
    rows = await db.fetch_all("SELECT * FROM invite_links WHERE owner_id IS NULL ORDER BY id DESC")
    links = [_campaign(row) for row in rows]
    if city_ids is None:
        return links
    return [
        link
        for link in links
        if (link.city_id is not None and link.city_id in city_ids)
        or (maker_id is not None and link.created_by == maker_id)
    ]


async def sign_ups(db: Database, sources: list[str], since: int) -> dict[str, SignUps]:
    """For each source, the supporters who arrived by it: in all, and since `since`. One
    range of the index on (source, joined_at) each, however many supporters there are."""

    def work(connection: sqlite3.Connection) -> dict[str, SignUps]:
        counted = {}
        for source in sources:
            total, recent = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE joined_at >= ?) FROM supporters "
                "WHERE source = ?",
                (since, source),
            ).fetchone()
            counted[source] = SignUps(total, recent)
        return counted

    return await db.read(work)


# Run by erasure before the supporter's row goes (their link's row goes with it, by the
# cascade): the people who came by their link keep a source, but one that no longer names a
# code that was theirs. Parameters: the new source, the supporter's id.
REWRITE_SOURCES = (
    "UPDATE supporters SET source = ? WHERE source = "
    "(SELECT 'ref:' || code FROM invite_links WHERE owner_id = ?)"
)
