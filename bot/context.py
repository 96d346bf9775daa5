"""The typed context every handler receives: the way dependencies reach handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.actions import Mobilizer
from bot.apologies import Apologies
from bot.delivery import DeliveryEngine
from bot.edits import Editor
from bot.i18n import language_for
from bot.scheduling import BroadcastScheduler
from bot.settings import Settings
from storage import Database
from storage import organizers as organizer_store
from storage import supporters as supporter_store
from storage.organizers import Organizer


@dataclass(frozen=True, slots=True)
class Services:
    """The long-lived things: created by build_application, opened in post_init."""

    settings: Settings
    db: Database
    engine: DeliveryEngine
    scheduler: BroadcastScheduler
    mobilizer: Mobilizer
    editor: Editor
    apologies: Apologies


class MusterContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to Muster's services."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data.get("services")
        if not isinstance(services, Services):
            raise RuntimeError("build_application did not install the services")
        return services

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def engine(self) -> DeliveryEngine:
        return self.services.engine

    @property
    def mobilizer(self) -> Mobilizer:
        return self.services.mobilizer

    @property
    def scheduler(self) -> BroadcastScheduler:
        return self.services.scheduler

    @property
    def editor(self) -> Editor:
        return self.services.editor

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids

    async def reach(self, user: User | None) -> Organizer | None:
        """Which cities the user may target: admins every city, organizers their grant,
        anyone else none (None). Asked afresh on every step, button presses included."""
        return None if user is None else await self.reach_by_id(user.id)

    async def reach_by_id(self, user_id: int) -> Organizer | None:
        if user_id in self.settings.admin_ids:
            return Organizer(user_id, all_cities=True, city_ids=frozenset())
        return await organizer_store.get(self.db, user_id)

    async def language_of(self, user: User | None) -> str:
        """The supporter's chosen language, or the one Telegram reports for a stranger."""
        if user is None:
            return language_for(None)
        supporter = await supporter_store.get(self.db, user.id)
        return supporter.language if supporter else language_for(user.language_code)


MusterApp: TypeAlias = Application[
    ExtBot[Any],
    MusterContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[MusterContext],
]
