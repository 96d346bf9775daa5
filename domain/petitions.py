"""Petitions: publishing one to a city's (or every city's) followers, one signature per person
in one tap, withdrawing it, closing, and the counts organizers watch. The announcement goes
through the delivery engine in each follower's language."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.i18n import DEFAULT_LANGUAGE, t
from bot.scheduling import arm_once
from domain.actions import in_every_language
from domain.organizers import Reach
from storage import Database
from storage import broadcasts as broadcast_store
from storage import petitions as store
from storage import supporters as supporter_store
from storage.petitions import FULL, Delivery, Petition, PetitionState, Signed, Tally
from views.actions import View
from views.petitions import render

log = logging.getLogger(__name__)

DAY = 24 * 3600
NAME_LIMIT = 100  # characters of a name on the delivered list


@dataclass(frozen=True, slots=True)
class PetitionPlan:
    """A petition as an organizer describes it, before it has an id."""

    city_id: int | None  # None: every city
    title: str
    demand: str  # HTML
    target: str
    goal: int
    collect_names: bool = False

    def unsaved(self) -> Petition:
        """As it will read, for the organizer's preview."""
        return Petition(
            id=0,
            city_id=self.city_id,
            author_id=None,
            title=self.title,
            demand=self.demand,
            target=self.target,
            goal=self.goal,
            state=PetitionState.OPEN,
            signatures=0,
            created_at=0,
            collect_names=self.collect_names,
        )


class Petitions:
    def __init__(
        self,
        db: Database,
        engine: DeliveryEngine,
        reach: Reach,
        job_queue: JobQueue[Any],
        bot: Bot,
        clock: Clock,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reach = reach
        self.job_queue = job_queue
        self.bot = bot
        self.clock = clock

    async def start(self) -> None:
        """Announces and tells what a crash left created, or reached, but not yet told."""
        for petition in await store.unannounced(self.db):
            if petition.publish_at is not None and petition.publish_at > self.clock.now():
                self._arm(petition)
                continue
            log.warning("announcing petition %s, due or interrupted", petition.id)
            await self._announce_if_allowed(petition)
        for milestone in await store.untold_milestones(self.db):
            reached = await store.get(self.db, milestone.petition_id)
            if reached is not None:
                await self._tell(reached, milestone.percent)

    async def get(self, petition_id: int) -> Petition | None:
        return await store.get(self.db, petition_id)

    async def audience(self, city_id: int | None) -> int:
        """How many followers an announcement would reach now."""
        return await broadcast_store.audience_size(self.db, city_id)

    async def publish_new(self, author_id: int | None, plan: PetitionPlan) -> tuple[Petition, int]:
        """Records the petition and announces it: (petition, followers it goes to)."""
        petition = await self._create(author_id, plan, publish_at=None)
        return petition, await self._announce(petition)

    async def schedule_new(self, author_id: int, plan: PetitionPlan, publish_at: int) -> Petition:
        """Records the petition and arms its announcement; no signature is taken before."""
        petition = await self._create(author_id, plan, publish_at)
        self._arm(petition)
        return petition

    async def _create(
        self, author_id: int | None, plan: PetitionPlan, publish_at: int | None
    ) -> Petition:
        return await store.create(
            self.db,
            author_id,
            plan.city_id,
            plan.title,
            plan.demand,
            plan.target,
            plan.goal,
            plan.collect_names,
            publish_at,
        )

    def _arm(self, petition: Petition) -> None:
        if petition.publish_at is not None:
            name = f"petition-{petition.id}"
            arm_once(self.job_queue, name, petition.publish_at, self._fire, petition.id)

    async def _fire(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        if context.job is None or not isinstance(context.job.data, int):
            return
        petition = await store.get(self.db, context.job.data)
        if petition is None or petition.state is not PetitionState.OPEN or petition.announced:
            return
        await self._announce_if_allowed(petition)

    async def _announce_if_allowed(self, petition: Petition) -> None:
        """Announces it, unless its author lost the city since creating it: then it is
        closed instead (audited), at its time or at a start-up after it."""
        author = petition.author_id
        if author is not None and not await self.reach.may_reach(author, petition.city_id):
            log.warning("petition %s withdrawn: its author lost its city", petition.id)
            if await store.close(self.db, None, petition.id):
                await self._tell_author(author, petition)
            return
        await self._announce(petition)

    async def _tell_author(self, author_id: int, petition: Petition) -> None:
        author = await supporter_store.get(self.db, author_id)
        language = author.language if author else DEFAULT_LANGUAGE
        text = t(language, "petition_withdrawn", title=petition.title)
        try:
            await self.bot.send_message(author_id, text)
        except TelegramError as error:
            log.info("could not tell the author of petition %s: %s", petition.id, error)

    async def _announce(self, petition: Petition) -> int:
        content = in_every_language(lambda language: self.card(petition, language))
        announcement_id = await store.announce(self.db, petition, content)
        if announcement_id is None:
            return 0
        await self.engine.launch(announcement_id)
        announcement = await broadcast_store.get(self.db, announcement_id)
        return announcement.total if announcement else 0

    def card(
        self, petition: Petition, language: str, *, signed: bool = False, follow_up: bool = False
    ) -> View:
        return render(petition, language, self.bot.username, signed=signed, follow_up=follow_up)

    async def sign(self, user_id: int, petition_id: int) -> Signed:
        """One signature per person, counted once however often the button is pressed; a
        city's petition only from that city's followers."""
        signed = await store.sign(self.db, petition_id, user_id)
        if signed.milestone is not None and signed.petition is not None:
            await self._tell(signed.petition, signed.milestone)
        return signed

    async def follow_up(self, user_id: int, petition_id: int, wanted: bool) -> bool:
        """Whether the signer hears when the goal is reached; False if they have not signed."""
        return await store.follow_up(self.db, petition_id, user_id, wanted)

    async def asking_name(self, user_id: int) -> Petition | None:
        """The petition whose signature waits for this person's name, if one does."""
        return await store.asking_name(self.db, user_id)

    async def name(self, user_id: int, petition: Petition, given: str | None) -> str | None:
        """Puts the name on the signature as it will be printed (None: anonymous); returns
        it as kept: plain text on one line, at most NAME_LIMIT characters."""
        kept = printable(given) if given is not None else None
        await store.name(self.db, petition.id, user_id, kept or None)
        return kept or None

    async def follows_up(self, user_id: int, petition: Petition) -> bool:
        return await store.follows_up(self.db, petition.id, user_id)

    async def _tell(self, petition: Petition, percent: int) -> None:
        """A milestone to the author and the admins, and at 100% to the signers who asked,
        each once: the milestone's row records the message with its recipients."""
        people = {*self.reach.admin_ids, *([petition.author_id] if petition.author_id else [])}
        values = {
            "id": petition.id,
            "title": petition.title,
            "percent": percent,
            "count": petition.signatures,
            "goal": petition.goal,
        }
        news = in_every_language(lambda language: t(language, "petition_milestone", **values))
        told = [await store.tell_milestone(self.db, petition, percent, news, people)]
        if percent == FULL:
            thanks = in_every_language(
                lambda language: t(language, "petition_goal_reached", **values)
            )
            told.append(
                await store.tell_milestone(self.db, petition, percent, thanks, (), signers=True)
            )
        for broadcast_id in told:
            if broadcast_id is not None:
                await self.engine.launch(broadcast_id)

    async def withdraw(self, user_id: int, petition_id: int) -> bool:
        return await store.withdraw(self.db, petition_id, user_id)

    async def has_signed(self, user_id: int, petition: Petition) -> bool:
        return await store.has_signed(self.db, petition.id, user_id)

    async def signed_by(self, user_id: int) -> list[Petition]:
        return await store.signed_by(self.db, user_id)

    async def open_for(self, user_id: int) -> list[Petition]:
        """Open petitions the organizer may manage: every one for an all-cities grant."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return []
        if organizer.all_cities:
            return await store.open_in(self.db, None)
        petitions = await store.open_in(self.db, set(organizer.city_ids))
        return [petition for petition in petitions if petition.city_id is not None]

    async def may_manage(self, user_id: int, petition: Petition) -> bool:
        return await self.reach.may_reach(user_id, petition.city_id)

    async def tally(self, petition: Petition) -> Tally:
        return await store.tally(self.db, petition.id, int(self.clock.now()) - DAY)

    async def export(self, actor_id: int, petition: Petition) -> Delivery:
        """The counts as they stand, and the names when the petition asked for them, for the
        organizer to take away; the audit log records who took the counts and when."""
        since = int(self.clock.now()) - DAY
        delivery = await store.for_delivery(self.db, petition.id, since, petition.collect_names)
        await store.exported(self.db, actor_id, petition.id, "csv")
        return delivery

    async def printed(self, actor_id: int, petition: Petition) -> None:
        """The printable PDF reached the organizer: in the audit log, as the CSV is."""
        await store.exported(self.db, actor_id, petition.id, "pdf")

    async def close(self, actor_id: int, petition: Petition) -> bool:
        return await store.close(self.db, actor_id, petition.id)


def printable(text: str) -> str:
    """A name as it goes on paper: control and formatting characters dropped (they could
    reorder or hide text), spaces collapsed, cut at NAME_LIMIT characters."""
    composed = unicodedata.normalize("NFC", text)  # "ễ" as one character, as it is printed
    visible = "".join(c for c in composed if not unicodedata.category(c).startswith("C"))
    return " ".join(visible.split())[:NAME_LIMIT]
