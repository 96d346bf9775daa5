"""Invite links that count: each supporter's personal link, organizers' named campaign links,
and how many newcomers each brought. A newcomer counts once, at sign-up, for the link of
their first contact (supporters.source); someone already signed up who opens a link changes
no count. Who may see or use a campaign link is asked afresh every time, as for a city."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.clock import Clock
from domain.organizers import Reach
from storage import Database
from storage import cities as city_store
from storage import links as store
from storage.cities import City
from storage.links import CampaignLink, SignUps
from views.links import city_payload, invite_payload

NAME_LIMIT = 64  # a name is for organizers to tell links apart in /links and on buttons
RECENT = 7 * 86_400  # /links counts the last 7 days apart


class LinkRefused(ValueError):
    """A /newlink that cannot be done; `key` names the reply that says why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Invite:
    """A supporter's personal link, and how many people joined through it."""

    code: str
    joined: int


@dataclass(frozen=True, slots=True)
class Counted:
    """A link as /links lists it: a city's own link (city-<slug>) or a campaign link, with
    its sign-ups in all and in the last 7 days."""

    payload: str  # what follows ?start= in the link
    sign_ups: SignUps
    city: City | None
    campaign: CampaignLink | None = None


def clean_name(typed: str) -> str:
    """A name on one line: control characters dropped, runs of spaces made one."""
    text = unicodedata.normalize("NFC", typed)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())


class Links:
    def __init__(self, db: Database, reach: Reach, clock: Clock) -> None:
        self.db = db
        self.reach = reach
        self.clock = clock

    async def invite(self, user_id: int) -> Invite | None:
        """The supporter's personal link (made on their first ask) and its sign-ups; None for
        someone with no row (never signed up, or erased)."""
        code = await store.personal_code(self.db, user_id)
        if code is None:
            return None
        source = store.source_of(code)
        counted = await store.sign_ups(self.db, [source], self._recent())
        return Invite(code, counted[source].total)

    async def create(self, actor_id: int, typed_name: str, city: City | None) -> CampaignLink:
        """A named campaign link whose newcomers follow `city` (if any), for an organizer who
        may reach that city; audited. LinkRefused says what is wrong."""
        name = clean_name(typed_name)
        if not name:
            raise LinkRefused("usage_newlink")
        if len(name) > NAME_LIMIT:
            raise LinkRefused("newlink_name_too_long", limit=NAME_LIMIT)
        organizer = await self.reach.of(actor_id)
        if organizer is None:
            raise LinkRefused("unknown_command")
        if city is not None and not organizer.may_reach(city.id):
            raise LinkRefused("newlink_not_your_city", city=city.name)
        return await store.create_campaign(self.db, actor_id, name, city.id if city else None)

    async def arriving_by(self, code: str) -> CampaignLink | None:
        """The campaign link of a /start ref-<code> (None: a personal link, or no link)."""
        return await store.campaign_by_code(self.db, code)

    async def campaign(self, link_id: int) -> CampaignLink | None:
        return await store.campaign(self.db, link_id)

    async def may_use(self, user_id: int, link: CampaignLink) -> bool:
        """Admins and all-cities organizers: every link; an organizer: their cities' links and
        those they made."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return False
        if organizer.all_cities or link.created_by == user_id:
            return True
        return link.city_id is not None and organizer.may_reach(link.city_id)

    async def campaigns_for(self, user_id: int) -> list[CampaignLink]:
        """The campaign links this organizer may see, newest first."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return []
        city_ids = None if organizer.all_cities else organizer.city_ids
        return await store.campaigns(self.db, city_ids, maker_id=user_id)

    async def counted_for(self, user_id: int) -> list[Counted]:
        """/links: the city links of the organizer's cities, then their campaign links, each
        with its sign-ups."""
        organizer = await self.reach.of(user_id)
        if organizer is None:
            return []
        every = await city_store.all_cities(self.db)
        cities = [city for city in every if organizer.may_reach(city.id)]
        campaigns = await self.campaigns_for(user_id)
        by_id = {city.id: city for city in every}
        sources = [f"city:{city.slug}" for city in cities]
        sources += [store.source_of(link.code) for link in campaigns]
        counted = await store.sign_ups(self.db, sources, self._recent())
        found = [Counted(city_payload(c.slug), counted[f"city:{c.slug}"], c) for c in cities]
        for link in campaigns:
            city = by_id.get(link.city_id) if link.city_id is not None else None
            signed = counted[store.source_of(link.code)]
            found.append(Counted(invite_payload(link.code), signed, city, link))
        return found

    def _recent(self) -> int:
        return int(self.clock.now()) - RECENT
