"""What /qr makes posters of: an organizer's cities, campaign links, upcoming actions and open
petitions. Each press names one by its id; whether the presser may use it is asked again
then, since button data can be forged or a grant taken away meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from domain.actions import is_open
from domain.links import Links
from domain.organizers import Reach
from storage import Database
from storage import actions as action_store
from storage import cities as city_store
from storage import petitions as petition_store
from storage.actions import Action
from storage.cities import City
from storage.links import CampaignLink
from storage.organizers import Organizer
from storage.petitions import Petition, PetitionState
from views.counts import SMALLEST_GROUP
from views.links import city_payload, invite_payload

SHOWN = 10  # buttons of each kind /qr offers


class Kind(StrEnum):
    CITY = "city"
    LINK = "link"
    ACTION = "action"
    PETITION = "petition"


@dataclass(frozen=True, slots=True)
class Target:
    """A button of /qr: what it is for, and its label's text."""

    kind: Kind
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class Subject:
    """What one poster is for, its permission checked: the link's payload, the title, and
    the languages to print "scan to join" in."""

    kind: Kind
    payload: str
    title: str
    city: City | None
    zone: ZoneInfo
    languages: list[str]
    action: Action | None = None
    petition: Petition | None = None
    campaign: CampaignLink | None = None


class Posters:
    def __init__(self, db: Database, reach: Reach, links: Links, clock: Clock) -> None:
        self.db = db
        self.reach = reach
        self.links = links
        self.clock = clock

    async def targets(self, user_id: int) -> list[Target]:
        """What the organizer may make a poster of: cities, campaign links, upcoming actions,
        open petitions (empty for anyone else)."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return []
        cities = [c for c in await city_store.all_cities(self.db) if organizer.may_reach(c.id)]
        found = [Target(Kind.CITY, city.id, city.name) for city in cities[: SHOWN * 2]]
        campaigns = await self.links.campaigns_for(user_id)
        found += [Target(Kind.LINK, link.id, link.name) for link in campaigns[:SHOWN]]
        found += [Target(Kind.ACTION, a.id, a.title) for a in await self._actions(organizer)]
        found += [Target(Kind.PETITION, p.id, p.title) for p in await self._petitions(organizer)]
        return found

    async def _actions(self, organizer: Organizer) -> list[Action]:
        mine = None if organizer.all_cities else organizer.user_id
        upcoming = await action_store.upcoming(self.db, limit=SHOWN * 2, organizer_id=mine)
        return [action for action in upcoming if is_open(action, self.clock.now())][:SHOWN]

    async def _petitions(self, organizer: Organizer) -> list[Petition]:
        cities = None if organizer.all_cities else set(organizer.city_ids)
        petitions = await petition_store.open_in(self.db, cities)
        reachable = [p for p in petitions if p.announced and organizer.may_reach(p.city_id)]
        return reachable[:SHOWN]

    async def subject(
        self, user_id: int, kind: Kind, target_id: int, language: str
    ) -> Subject | None:
        """The poster's subject, if the presser may use it now (None otherwise, and for one
        gone: a cancelled or past action, a closed petition)."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return None
        if kind is Kind.CITY:
            city = await city_store.by_id(self.db, target_id)
            if city is None or not organizer.may_reach(city.id):
                return None
            return await self._subject(kind, city_payload(city.slug), city.name, city, language)
        if kind is Kind.LINK:
            return await self._campaign_subject(user_id, target_id, language)
        if kind is Kind.ACTION:
            return await self._action_subject(organizer, target_id, language)
        return await self._petition_subject(organizer, target_id, language)

    async def _campaign_subject(self, user_id: int, link_id: int, language: str) -> Subject | None:
        link = await self.links.campaign(link_id)
        if link is None or not await self.links.may_use(user_id, link):
            return None
        city = await city_store.by_id(self.db, link.city_id) if link.city_id else None
        title = city.name if city else link.name
        payload = invite_payload(link.code)
        return await self._subject(Kind.LINK, payload, title, city, language, campaign=link)

    async def _action_subject(
        self, organizer: Organizer, action_id: int, language: str
    ) -> Subject | None:
        action = await action_store.get(self.db, action_id)
        if action is None or not organizer.may_reach(action.city_id):
            return None
        if not is_open(action, self.clock.now()):
            return None
        city = await city_store.by_id(self.db, action.city_id)
        payload = f"action-{action.id}"
        return await self._subject(
            Kind.ACTION, payload, action.title, city, language, action=action
        )

    async def _petition_subject(
        self, organizer: Organizer, petition_id: int, language: str
    ) -> Subject | None:
        petition = await petition_store.get(self.db, petition_id)
        if petition is None or not organizer.may_reach(petition.city_id):
            return None
        if petition.state is not PetitionState.OPEN or not petition.announced:
            return None
        city = await city_store.by_id(self.db, petition.city_id) if petition.city_id else None
        payload = f"petition-{petition.id}"
        return await self._subject(
            Kind.PETITION, payload, petition.title, city, language, petition=petition
        )

    async def _subject(
        self,
        kind: Kind,
        payload: str,
        title: str,
        city: City | None,
        language: str,
        *,
        action: Action | None = None,
        petition: Petition | None = None,
        campaign: CampaignLink | None = None,
    ) -> Subject:
        zone = ZoneInfo(city.timezone if city else "UTC")
        languages = await self.languages(city, language)
        return Subject(kind, payload, title, city, zone, languages, action, petition, campaign)

    async def languages(self, city: City | None, first: str) -> list[str]:
        """The languages to print: the organizer's, then each that at least five of the
        city's followers (every supporter's, for no one city) read, most read first. A
        language fewer read would tell who follows the city."""
        read = await city_store.follower_languages(self.db, city.id if city else None)
        common = sorted(
            (language for language, count in read.items() if count >= SMALLEST_GROUP),
            key=lambda language: (-read[language], language),
        )
        return [first, *(language for language in common if language != first)]
