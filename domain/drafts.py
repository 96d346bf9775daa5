"""Drafts: what an organizer is composing with /broadcast or /newaction, kept in the database
at every step so that a restart mid-flow loses nothing. Drafts untouched for a day are gone."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.clock import Clock
from storage import Database
from storage import drafts as store
from storage.actions import Cadence
from storage.broadcasts import Content, Version
from storage.drafts import DraftRow

BROADCAST, ACTION, PETITION = "broadcast", "action", "petition"
KEEP_FOR = 24 * 3600  # seconds a draft is kept without being touched


@dataclass(slots=True)
class BroadcastDraft:
    """The broadcast being composed."""

    city_id: int | None = None  # None: every city
    content: Content | None = None
    version_language: str | None = None  # the language of the version being written
    # The time chosen while the quiet-hours question waits for an answer; 0: now.
    send_at: int = 0


@dataclass(slots=True)
class ActionDraft:
    """The action being composed, or the action being changed (action_id)."""

    city_id: int = 0
    title: str = ""
    starts_at: int = 0
    place: str = ""
    details: str = ""
    action_id: int = 0
    cadence: Cadence = Cadence.DEFAULT  # the reminders chosen at the preview
    capacity: int | None = None  # how many people can come; None: no limit


@dataclass(slots=True)
class PetitionDraft:
    """The petition being composed."""

    city_id: int | None = None  # None: every city
    chosen: bool = False  # whether the scope was chosen (None is a valid choice)
    title: str = ""
    demand: str = ""  # HTML
    target: str = ""
    goal: int = 0
    collect_names: bool = False


Draft = BroadcastDraft | ActionDraft | PetitionDraft


class Drafts:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _since(self) -> int:
        return int(self.clock.now()) - KEEP_FOR

    async def load(self, user_id: int, kind: str) -> Draft | None:
        """The person's draft of this kind, unless a day has passed since its last step."""
        row = await store.get(self.db, user_id, kind, self._since())
        if row is None:
            return None
        if kind == BROADCAST:
            versions = {language: Version(body) for language, body in row.versions.items()}
            content = (
                Content(row.body, photo_file_id=row.photo_file_id, versions=versions)
                if row.body is not None
                else None
            )
            city_id = None if row.all_cities else row.city_id
            return BroadcastDraft(city_id, content, row.version_language, row.starts_at)
        if kind == PETITION:
            city_id = None if row.all_cities else row.city_id
            demand = row.body or ""
            chosen = row.all_cities or row.city_id is not None
            return PetitionDraft(
                city_id, chosen, row.title, demand, row.target, row.goal, row.collect_names
            )
        return ActionDraft(
            row.city_id or 0,
            row.title,
            row.starts_at,
            row.place,
            row.details,
            row.action_id,
            cadence=Cadence(row.reminder_cadence),
            capacity=row.capacity,
        )

    async def save(self, user_id: int, draft: Draft, step: int, update_id: int = 0) -> None:
        """The draft at this step; `update_id` is the update that took it there."""
        at = int(self.clock.now())
        if isinstance(draft, BroadcastDraft):
            content = draft.content
            row = DraftRow(
                user_id,
                BROADCAST,
                step,
                city_id=draft.city_id,
                all_cities=draft.city_id is None,
                body=content.body if content else None,
                photo_file_id=content.photo_file_id if content else None,
                updated_at=at,
                version_language=draft.version_language,
                starts_at=draft.send_at,  # the drafts table's one time column
                versions={language: version.body for language, version in content.versions.items()}
                if content
                else {},
            )
        elif isinstance(draft, PetitionDraft):
            row = DraftRow(
                user_id,
                PETITION,
                step,
                city_id=draft.city_id,
                all_cities=draft.chosen and draft.city_id is None,
                title=draft.title,
                body=draft.demand,
                target=draft.target,
                goal=draft.goal,
                collect_names=draft.collect_names,
                updated_at=at,
            )
        else:
            row = DraftRow(
                user_id,
                ACTION,
                step,
                city_id=draft.city_id,
                title=draft.title,
                starts_at=draft.starts_at,
                place=draft.place,
                details=draft.details,
                action_id=draft.action_id,
                reminder_cadence=draft.cadence.value,
                capacity=draft.capacity,
                updated_at=at,
            )
        await store.save(self.db, replace(row, update_id=update_id))

    async def taken_by(self, user_id: int, kind: str) -> tuple[int, int] | None:
        """The draft's step and the update that took it there, if there is a draft."""
        row = await store.get(self.db, user_id, kind, self._since())
        return (row.step, row.update_id) if row else None

    async def drop(self, user_id: int, kind: str) -> None:
        await store.drop(self.db, user_id, kind)

    async def steps(self, kind: str) -> dict[int, int]:
        """Who is at which step of a draft of this kind (the conversations to resume)."""
        return await store.steps(self.db, kind, self._since())

    async def expire(self) -> int:
        """Drops drafts untouched for a day; how many went."""
        return await store.drop_older_than(self.db, self._since())
