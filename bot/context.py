"""The typed context every handler receives: the way dependencies reach handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.apologies import Apologies
from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.edits import Editor
from bot.i18n import language_for
from bot.metrics import Metrics
from bot.printing import Printer
from bot.pulse import Pulse
from bot.settings import Settings
from domain.actions import Mobilizer
from domain.bans import Bans
from domain.broadcasts import Broadcasts
from domain.cities import Cities
from domain.drafts import Drafts
from domain.exports import Exports
from domain.links import Links
from domain.organizers import Reach
from domain.petitions import Petitions
from domain.places import Places
from domain.posters import Posters
from domain.retention import Retention
from domain.stats import Insight
from domain.supporters import Supporters
from domain.turnout import Turnout
from storage import Database
from storage.organizers import Organizer


@dataclass(frozen=True, slots=True)
class Services:
    """The long-lived things: created by build_application, opened in post_init."""

    settings: Settings
    db: Database
    clock: Clock
    engine: DeliveryEngine
    supporters: Supporters
    cities: Cities
    reach: Reach
    broadcasts: Broadcasts
    mobilizer: Mobilizer
    petitions: Petitions
    turnout: Turnout
    places: Places
    drafts: Drafts
    retention: Retention
    editor: Editor
    apologies: Apologies
    printer: Printer
    metrics: Metrics
    pulse: Pulse
    bans: Bans
    links: Links
    posters: Posters
    exports: Exports
    insight: Insight


class MusterContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to Muster's domain services. The rules live there;
    the shortcuts here only read the person off the update. Handlers get no database and no
    delivery engine: what they change goes through a domain service, which keeps its rules."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data.get("services")
        if not isinstance(services, Services):
            raise RuntimeError("build_application did not install the services")
        return services

    @property
    def supporters(self) -> Supporters:
        return self.services.supporters

    @property
    def cities(self) -> Cities:
        return self.services.cities

    @property
    def broadcasts(self) -> Broadcasts:
        return self.services.broadcasts

    @property
    def mobilizer(self) -> Mobilizer:
        return self.services.mobilizer

    @property
    def petitions(self) -> Petitions:
        return self.services.petitions

    @property
    def drafts(self) -> Drafts:
        return self.services.drafts

    @property
    def editor(self) -> Editor:
        return self.services.editor

    @property
    def turnout(self) -> Turnout:
        return self.services.turnout

    @property
    def places(self) -> Places:
        return self.services.places

    @property
    def printer(self) -> Printer:
        return self.services.printer

    @property
    def bans(self) -> Bans:
        return self.services.bans

    @property
    def links(self) -> Links:
        return self.services.links

    @property
    def posters(self) -> Posters:
        return self.services.posters

    @property
    def exports(self) -> Exports:
        return self.services.exports

    @property
    def insight(self) -> Insight:
        return self.services.insight

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    def is_admin(self, user: User | None) -> bool:
        return user is not None and self.services.reach.is_admin(user.id)

    async def reach(self, user: User | None) -> Organizer | None:
        """Which cities the user may target: admins every city, organizers their grant,
        anyone else none (None). Asked afresh on every step, button presses included."""
        return None if user is None else await self.services.reach.of(user.id)

    async def language_of(self, user: User | None) -> str:
        """The supporter's chosen language, or the one Telegram reports for a stranger."""
        if user is None:
            return language_for(None)
        return await self.services.supporters.language_of(user.id, user.language_code)


MusterApp: TypeAlias = Application[
    ExtBot[Any],
    MusterContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[MusterContext],
]
