"""Broadcasts, their recipient lists and each recipient's outcome."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import aiosqlite

from storage import audit
from storage.db import Database, now


class State(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    MISSED = "missed"


class Outcome(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Version:
    """The text (or caption) and keyboard readers of one language get."""

    body: str
    reply_markup: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """What supporters receive: Telegram HTML text, or a photo with an HTML caption.

    body is for everyone; versions, one a language, replace it for readers of theirs (an
    organizer may write some; announcements and reminders Muster writes come in every
    language)."""

    body: str
    photo_file_id: str | None = None
    reply_markup: str | None = None  # Bot API JSON of an inline keyboard
    versions: dict[str, Version] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "photo" if self.photo_file_id else "text"

    def in_language(self, language: str) -> tuple[str, str | None]:
        """The body and keyboard for a reader of that language."""
        version = self.versions.get(language)
        if version is not None:
            return version.body, version.reply_markup
        return self.body, self.reply_markup


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    author_id: int | None
    city_id: int | None
    all_cities: bool
    content: Content
    state: State
    created_at: int
    send_at: int | None
    started_at: int | None
    finished_at: int | None
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None
    expires_at: int | None = None
    # Sent into quiet hours on purpose, never held (see migration 0016).
    urgent: bool = False
    # A part of an all-cities broadcast held for one city's quiet hours: the broadcast it
    # continues, and the city whose followers it reaches.
    part_of: int | None = None
    part_city_id: int | None = None


@dataclass(slots=True)
class Counts:
    """How many recipients stand at each outcome."""

    by_outcome: dict[Outcome, int] = field(default_factory=dict)

    def __getitem__(self, outcome: Outcome) -> int:
        return self.by_outcome.get(outcome, 0)

    def add(self, outcome: Outcome, amount: int = 1) -> None:
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + amount

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    @property
    def finished(self) -> int:
        return self.total - self[Outcome.PENDING]


@dataclass(frozen=True, slots=True)
class Result:
    """One recipient's outcome, as the delivery engine reports it."""

    user_id: int
    outcome: Outcome
    message_id: int | None = None
    error: str | None = None


def _broadcast(row: aiosqlite.Row, versions: dict[str, Version]) -> Broadcast:
    return Broadcast(
        id=row["id"],
        author_id=row["author_id"],
        city_id=row["city_id"],
        all_cities=bool(row["all_cities"]),
        content=Content(row["body"], row["photo_file_id"], row["reply_markup"], versions),
        state=State(row["status"]),
        created_at=row["created_at"],
        send_at=row["send_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        total=row["total"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        expires_at=row["expires_at"],
        urgent=bool(row["urgent"]),
        part_of=row["part_of"],
        part_city_id=row["part_city_id"],
    )


async def create(
    db: Database,
    author_id: int | None,
    city_id: int | None,
    content: Content,
    send_at: int | None = None,
    expires_at: int | None = None,
    *,
    urgent: bool = False,
) -> Broadcast:
    """A new broadcast to a city's followers (city_id None: every city). With send_at it
    waits as scheduled; without, it is ready for enqueue_followers. No send happens after
    expires_at. An urgent one goes into quiet hours, and the audit log says who chose so."""
    state = State.SCHEDULED if send_at is not None else State.SENDING
    async with db.transaction() as tx:
        broadcast_id = await _insert(
            tx, author_id, city_id, content, state, send_at, expires_at, urgent=urgent
        )
        action = "broadcast.schedule" if send_at is not None else "broadcast.create"
        await audit.record(tx, author_id, action, None, f"broadcast={broadcast_id}")
        if urgent:
            await audit.record(tx, author_id, "broadcast.urgent", None, f"broadcast={broadcast_id}")
    found = await get(db, broadcast_id)
    assert found is not None
    return found


async def create_direct(
    db: Database,
    city_id: int,
    content: Content,
    user_ids: Iterable[int],
    expires_at: int | None = None,
    purpose: str = "broadcast.direct",
) -> Broadcast:
    """A broadcast to people the caller chose (say, everyone who answered yes), created with
    its recipient list in one transaction, ready to deliver."""
    async with db.transaction() as tx:
        broadcast_id = await insert_direct(tx, city_id, content, user_ids, expires_at, purpose)
    found = await get(db, broadcast_id)
    assert found is not None
    return found


async def insert_direct(
    tx: aiosqlite.Connection,
    city_id: int | None,
    content: Content,
    user_ids: Iterable[int],
    expires_at: int | None,
    purpose: str,
) -> int:
    """create_direct inside the caller's transaction, for changes that must happen with it."""
    broadcast_id = await _insert(tx, None, city_id, content, State.SENDING, None, expires_at)
    # Only people with a row (an admin who never sent /start has nowhere to be written to),
    # and nobody banned.
    await tx.executemany(
        "INSERT INTO deliveries (broadcast_id, user_id) SELECT ?, user_id FROM supporters "
        "WHERE user_id = ? AND user_id NOT IN (SELECT user_id FROM bans) "
        "ON CONFLICT DO NOTHING",
        ((broadcast_id, user_id) for user_id in user_ids),
    )
    await tx.execute(
        "UPDATE broadcasts SET started_at = ?, "
        "total = (SELECT count(*) FROM deliveries WHERE broadcast_id = ?) WHERE id = ?",
        (now(), broadcast_id, broadcast_id),
    )
    await audit.record(tx, None, purpose, None, f"broadcast={broadcast_id}")
    return broadcast_id


async def _insert(
    tx: aiosqlite.Connection,
    author_id: int | None,
    city_id: int | None,
    content: Content,
    state: State,
    send_at: int | None,
    expires_at: int | None,
    *,
    urgent: bool = False,
    part_of: int | None = None,
    part_city_id: int | None = None,
) -> int:
    cursor = await tx.execute(
        "INSERT INTO broadcasts (author_id, city_id, all_cities, kind, body, photo_file_id, "
        "reply_markup, status, created_at, send_at, expires_at, urgent, part_of, part_city_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            author_id,
            city_id,
            int(city_id is None),
            content.kind,
            content.body,
            content.photo_file_id,
            content.reply_markup,
            state.value,
            now(),
            send_at,
            expires_at,
            int(urgent),
            part_of,
            part_city_id,
        ),
    )
    assert cursor.lastrowid is not None
    await _write_versions(tx, cursor.lastrowid, content)
    return cursor.lastrowid


async def _write_versions(tx: aiosqlite.Connection, broadcast_id: int, content: Content) -> None:
    await tx.execute("DELETE FROM broadcast_versions WHERE broadcast_id = ?", (broadcast_id,))
    await tx.executemany(
        "INSERT INTO broadcast_versions (broadcast_id, language, body, reply_markup) "
        "VALUES (?, ?, ?, ?)",
        (
            (broadcast_id, language, version.body, version.reply_markup)
            for language, version in content.versions.items()
        ),
    )


async def _with_versions(db: Database, rows: list[aiosqlite.Row]) -> list[Broadcast]:
    """Broadcasts from their rows, each with its versions, read in one query."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ", ".join("?" * len(ids))
    found = await db.fetch_all(
        "SELECT broadcast_id, language, body, reply_markup FROM broadcast_versions "  # noqa: S608
        f"WHERE broadcast_id IN ({marks})",
        ids,
    )
    versions: dict[int, dict[str, Version]] = {}
    for version in found:
        versions.setdefault(version["broadcast_id"], {})[version["language"]] = Version(
            version["body"], version["reply_markup"]
        )
    return [_broadcast(row, versions.get(row["id"], {})) for row in rows]


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return (await _with_versions(db, [row]))[0] if row else None


# Followers who may be messaged now: active, not banned, and following the city (or any
# city). (A ban drops the person's follows too; this holds even for a follow that raced it.)
_FOLLOWERS_OF_CITY = (
    "SELECT subscriptions.user_id FROM subscriptions JOIN supporters USING (user_id) "
    "WHERE subscriptions.city_id = ? AND supporters.status = 'active' "
    "AND supporters.user_id NOT IN (SELECT user_id FROM bans)"
)
_FOLLOWERS_OF_ANY = (
    "SELECT DISTINCT subscriptions.user_id FROM subscriptions JOIN supporters USING (user_id) "
    "WHERE supporters.status = 'active' AND supporters.user_id NOT IN (SELECT user_id FROM bans)"
)


async def audience_size(db: Database, city_id: int | None) -> int:
    sql = _FOLLOWERS_OF_CITY if city_id is not None else _FOLLOWERS_OF_ANY
    row = await db.fetch_one(f"SELECT count(*) FROM ({sql})", (city_id,) if city_id else ())  # noqa: S608
    return int(row[0]) if row else 0


async def enqueue_followers(db: Database, broadcast_id: int) -> int:
    """Writes the whole recipient list before the first send, in one transaction, and marks
    the broadcast as sending. A scheduled broadcast is claimed here exactly once: a second
    caller finds it no longer scheduled and gets -1."""
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT city_id, all_cities, status, part_of, part_city_id FROM broadcasts "
            "WHERE id = ?",
            (broadcast_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or row["status"] not in (State.SCHEDULED, State.SENDING):
            return -1
        async with tx.execute(
            "SELECT count(*) FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        ) as cursor:
            existing = await cursor.fetchone()
        if existing is not None and existing[0] > 0:
            return -1
        if row["part_of"] is not None:
            total = await _insert_part_followers(
                tx, broadcast_id, row["part_of"], row["part_city_id"]
            )
        else:
            total = await insert_followers(
                tx, broadcast_id, None if row["all_cities"] else row["city_id"]
            )
        await tx.execute(
            "UPDATE broadcasts SET status = 'sending', total = ?, started_at = ? WHERE id = ?",
            (total, now(), broadcast_id),
        )
        return total


async def insert_followers(tx: aiosqlite.Connection, broadcast_id: int, city_id: int | None) -> int:
    """Lists a city's (or every city's) active followers as the broadcast's recipients."""
    parameters: tuple[int, ...] = (broadcast_id,)
    sql = _FOLLOWERS_OF_ANY
    if city_id is not None:
        sql, parameters = _FOLLOWERS_OF_CITY, (broadcast_id, city_id)
    cursor = await tx.execute(
        f"INSERT INTO deliveries (broadcast_id, user_id) SELECT ?, user_id FROM ({sql})",  # noqa: S608
        parameters,
    )
    return cursor.rowcount


async def _insert_part_followers(
    tx: aiosqlite.Connection, broadcast_id: int, root_id: int, city_id: int | None
) -> int:
    """A part's recipients: its city's active followers whom no other share of the same
    broadcast has listed, so that someone following several cities gets it once, with the
    first share of a city they follow."""
    cursor = await tx.execute(
        "INSERT INTO deliveries (broadcast_id, user_id) "  # noqa: S608
        f"SELECT ?, user_id FROM ({_FOLLOWERS_OF_CITY}) "
        "WHERE user_id NOT IN (SELECT user_id FROM deliveries WHERE broadcast_id IN "
        "(SELECT id FROM broadcasts WHERE id = ? OR part_of = ?))",
        (broadcast_id, city_id, root_id, root_id),
    )
    return cursor.rowcount


@dataclass(frozen=True, slots=True)
class Part:
    """One city's share of an all-cities broadcast, held until its quiet hours end."""

    broadcast_id: int
    city_id: int
    send_at: int
    # Its followers that no earlier share reaches, as the split counted them; who follows
    # or leaves until then changes the final figure.
    expected: int


@dataclass(frozen=True, slots=True)
class Split:
    """An all-cities broadcast as it went out: how many get it now, and the shares held."""

    now: int
    parts: list[Part]


async def split(
    db: Database,
    broadcast_id: int,
    awake: Sequence[int],
    waiting: Sequence[tuple[int, int]],
) -> Split | None:
    """Claims an all-cities broadcast not yet started, once (None: claimed already), and in one
    transaction lists its recipients now, the active followers of the `awake` cities, and
    schedules a part for each (city id, send_at) in `waiting`, a copy of its content. With
    nobody to reach now it is done at once, and only its parts remain."""
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT author_id, status, started_at FROM broadcasts WHERE id = ?", (broadcast_id,)
        ) as cursor:
            row = await cursor.fetchone()
        claimable = (State.SCHEDULED, State.SENDING)
        if row is None or row["status"] not in claimable or row["started_at"] is not None:
            return None
        now_total = await _insert_followers_of(tx, broadcast_id, awake)
        parts = []
        reached = list(awake)
        for city_id, send_at in sorted(waiting, key=lambda pair: (pair[1], pair[0])):
            part_id = await _copy_as_part(tx, broadcast_id, city_id, send_at)
            expected = await _count_followers_apart(tx, city_id, broadcast_id, reached)
            parts.append(Part(part_id, city_id, send_at, expected))
            reached.append(city_id)
            detail = f"broadcast={part_id} part_of={broadcast_id}"
            await audit.record(tx, row["author_id"], "broadcast.quiet_wait", None, detail)
        status = State.SENDING if now_total else State.DONE
        await tx.execute(
            "UPDATE broadcasts SET status = ?, total = ?, started_at = ?, finished_at = ? "
            "WHERE id = ?",
            (status.value, now_total, now(), None if now_total else now(), broadcast_id),
        )
        return Split(now_total, parts)


async def _insert_followers_of(
    tx: aiosqlite.Connection, broadcast_id: int, city_ids: Sequence[int]
) -> int:
    """The active followers of any of these cities as the broadcast's recipients, once each."""
    if not city_ids:
        return 0
    marks = ", ".join("?" * len(city_ids))
    cursor = await tx.execute(
        "INSERT INTO deliveries (broadcast_id, user_id) SELECT DISTINCT ?, subscriptions.user_id "  # noqa: S608
        "FROM subscriptions JOIN supporters USING (user_id) "
        f"WHERE supporters.status = 'active' AND subscriptions.city_id IN ({marks})",
        (broadcast_id, *city_ids),
    )
    return cursor.rowcount


async def _copy_as_part(
    tx: aiosqlite.Connection, broadcast_id: int, city_id: int, send_at: int
) -> int:
    cursor = await tx.execute(
        "INSERT INTO broadcasts (author_id, city_id, all_cities, kind, body, photo_file_id, "
        "reply_markup, status, created_at, send_at, expires_at, urgent, part_of, part_city_id) "
        "SELECT author_id, NULL, 1, kind, body, photo_file_id, reply_markup, 'scheduled', ?, ?, "
        "expires_at, 0, id, ? FROM broadcasts WHERE id = ?",
        (now(), send_at, city_id, broadcast_id),
    )
    part_id = cursor.lastrowid
    assert part_id is not None
    await tx.execute(
        "INSERT INTO broadcast_versions (broadcast_id, language, body, reply_markup) "
        "SELECT ?, language, body, reply_markup FROM broadcast_versions WHERE broadcast_id = ?",
        (part_id, broadcast_id),
    )
    return part_id


async def _count_followers_apart(
    tx: aiosqlite.Connection, city_id: int, broadcast_id: int, earlier: Sequence[int]
) -> int:
    """The city's active followers who neither are recipients of the broadcast nor follow
    one of the `earlier` cities (whose shares reach them first)."""
    marks = ", ".join("?" * len(earlier))
    async with tx.execute(
        f"SELECT count(*) FROM ({_FOLLOWERS_OF_CITY}) AS followers "  # noqa: S608
        "WHERE followers.user_id NOT IN "
        "(SELECT user_id FROM deliveries WHERE broadcast_id = ?) "
        "AND followers.user_id NOT IN "
        f"(SELECT user_id FROM subscriptions WHERE city_id IN ({marks}))",
        (city_id, broadcast_id, *earlier),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def postpone(db: Database, broadcast_id: int, send_at: int) -> bool:
    """Moves a broadcast still waiting to a later time (quiet hours met at its time); False
    when it was no longer waiting."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE broadcasts SET send_at = ? WHERE id = ? AND status = 'scheduled'",
            (send_at, broadcast_id),
        )
        if cursor.rowcount:
            await audit.record(tx, None, "broadcast.postpone", None, f"broadcast={broadcast_id}")
        return cursor.rowcount > 0


async def waiting_parts(db: Database, broadcast_id: int) -> list[int]:
    """The parts of an all-cities broadcast still held for some city's quiet hours."""
    rows = await db.fetch_all(
        "SELECT id FROM broadcasts WHERE part_of = ? AND status = 'scheduled' ORDER BY id",
        (broadcast_id,),
    )
    return [row[0] for row in rows]


async def insert_announcement(
    tx: aiosqlite.Connection,
    author_id: int | None,
    city_id: int | None,
    content: Content,
    expires_at: int | None,
    *,
    what: str = "action.announce",
) -> int:
    """A broadcast to a city's (None: every city's) followers with its recipients, inside the
    caller's transaction; `what` names it in the audit log."""
    broadcast_id = await _insert(tx, author_id, city_id, content, State.SENDING, None, expires_at)
    total = await insert_followers(tx, broadcast_id, city_id)
    await tx.execute(
        "UPDATE broadcasts SET total = ?, started_at = ? WHERE id = ?",
        (total, now(), broadcast_id),
    )
    await audit.record(tx, author_id, what, None, f"broadcast={broadcast_id}")
    return broadcast_id


async def revise(db: Database, broadcast_id: int, content: Content, expires_at: int) -> bool:
    """New text and cutoff for the recipients still waiting (an action's time or place
    changed while its announcement or a reminder was going out). Only while sending."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE broadcasts SET body = ?, reply_markup = ?, expires_at = ? "
            "WHERE id = ? AND status = 'sending'",
            (content.body, content.reply_markup, expires_at, broadcast_id),
        )
        if cursor.rowcount == 0:
            return False
        await _write_versions(tx, broadcast_id, content)
        return True


async def pending(
    db: Database, broadcast_id: int, after_user_id: int, limit: int
) -> list[tuple[int, str]]:
    """The next page of recipients still to send to, in user id order, with their language.
    Someone who paused or blocked the bot since the list was made is passed over."""
    rows = await db.fetch_all(
        "SELECT deliveries.user_id, supporters.language FROM deliveries "
        "JOIN supporters USING (user_id) WHERE deliveries.broadcast_id = ? "
        "AND deliveries.user_id > ? AND deliveries.status = 'pending' "
        "AND supporters.status = 'active' "
        "ORDER BY deliveries.user_id LIMIT ?",
        (broadcast_id, after_user_id, limit),
    )
    return [(row[0], row[1]) for row in rows]


async def record(db: Database, broadcast_id: int, results: Sequence[Result]) -> None:
    """Stores a batch of outcomes; a supporter who blocked the bot becomes unreachable."""
    if not results:
        return
    async with db.transaction() as tx:
        await tx.executemany(
            "UPDATE deliveries SET status = ?, message_id = ?, error = ? "
            "WHERE broadcast_id = ? AND user_id = ?",
            [
                (
                    result.outcome.value,
                    result.message_id,
                    result.error,
                    broadcast_id,
                    result.user_id,
                )
                for result in results
            ],
        )
        await tx.executemany(
            "UPDATE supporters SET status = 'unreachable' WHERE user_id = ?",
            [(result.user_id,) for result in results if result.outcome is Outcome.BLOCKED],
        )


async def counts(db: Database, broadcast_id: int) -> Counts:
    """The recipients at each outcome: the rows retention folded into counts (see
    storage/retention.py) plus the rows still kept one per recipient."""
    rows = await db.fetch_all(
        "SELECT status, sum(n) FROM ("
        "SELECT status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY status "
        "UNION ALL SELECT status, count AS n FROM delivery_counts WHERE broadcast_id = ?"
        ") GROUP BY status",
        (broadcast_id, broadcast_id),
    )
    return Counts({Outcome(row[0]): row[1] for row in rows})


async def errors(db: Database, broadcast_id: int) -> list[str]:
    """The reasons recorded for failed recipients (gone with the rows once retention folded
    them into counts)."""
    rows = await db.fetch_all(
        "SELECT error FROM deliveries WHERE broadcast_id = ? AND status = 'failed' "
        "ORDER BY user_id",
        (broadcast_id,),
    )
    return [row[0] for row in rows]


async def finish(db: Database, broadcast_id: int, state: State, actor_id: int | None) -> bool:
    """Ends a sending broadcast, done or cancelled, once. Recipients still pending are marked
    cancelled: the rest of a cancelled one, or people who paused or blocked the bot
    meanwhile. (A send already in flight is recorded as sent over that afterwards.)"""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE broadcasts SET status = ?, finished_at = ? WHERE id = ? AND status = 'sending'",
            (state.value, now(), broadcast_id),
        )
        if cursor.rowcount == 0:
            return False
        await tx.execute(
            "UPDATE deliveries SET status = 'cancelled' "
            "WHERE broadcast_id = ? AND status = 'pending'",
            (broadcast_id,),
        )
        action = "broadcast.cancel" if state is State.CANCELLED else "broadcast.sent"
        await audit.record(tx, actor_id, action, None, f"broadcast={broadcast_id}")
        return True


async def cancel_scheduled(
    db: Database, broadcast_id: int, actor_id: int | None, reason: str = "broadcast.cancel"
) -> bool:
    """Cancels a broadcast still waiting for its time, once: by a person (actor_id), or by
    Muster itself (None) with the reason recorded in the audit log."""
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? "
            "WHERE id = ? AND status = 'scheduled'",
            (now(), broadcast_id),
        )
        if cursor.rowcount == 0:
            return False
        await audit.record(tx, actor_id, reason, None, f"broadcast={broadcast_id}")
        return True


async def mark_missed(db: Database, broadcast_id: int) -> bool:
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "UPDATE broadcasts SET status = 'missed', finished_at = ? "
            "WHERE id = ? AND status = 'scheduled'",
            (now(), broadcast_id),
        )
        if cursor.rowcount:
            await audit.record(tx, None, "broadcast.missed", None, f"broadcast={broadcast_id}")
        return cursor.rowcount > 0


async def set_progress_message(
    db: Database, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )


async def sending_since(db: Database) -> dict[int, int | None]:
    """The broadcasts being delivered, each with when its delivery began (UTC Unix seconds)."""
    rows = await db.fetch_all("SELECT id, started_at FROM broadcasts WHERE status = 'sending'")
    return {row[0]: row[1] for row in rows}


async def pending_count(db: Database, broadcast_id: int) -> int:
    """Recipients still to be sent to; a scan of the broadcast's rows, so on a connection of
    its own."""
    sql = "SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND status = 'pending'"
    return await db.read_apart(
        lambda connection: int(connection.execute(sql, (broadcast_id,)).fetchone()[0])
    )


async def in_state(db: Database, state: State) -> list[Broadcast]:
    rows = await db.fetch_all(
        "SELECT * FROM broadcasts WHERE status = ? ORDER BY coalesce(send_at, created_at), id",
        (state.value,),
    )
    return await _with_versions(db, rows)


async def recent(db: Database, limit: int = 10, organizer_id: int | None = None) -> list[Broadcast]:
    """The latest broadcasts; with organizer_id, only those to that organizer's cities (the
    limit applies after that filter, so others' traffic cannot crowd them out)."""
    if organizer_id is None:
        rows = await db.fetch_all(
            "SELECT * FROM broadcasts WHERE status != 'scheduled' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    else:
        rows = await db.fetch_all(
            "SELECT * FROM broadcasts WHERE status != 'scheduled' AND city_id IN "
            "(SELECT city_id FROM organizer_cities WHERE user_id = ?) ORDER BY id DESC LIMIT ?",
            (organizer_id, limit),
        )
    return await _with_versions(db, rows)
