"""The typed context every handler receives: the way dependencies reach handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.i18n import language_for
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
    def settings(self) -> Settings:
        return self.services.settings

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids

    async def reach(self, user: User | None) -> Organizer | None:
        """Which cities the user may target: admins every city, organizers their grant,
        anyone else none (None). Asked afresh on every step, button presses included."""
        if user is None:
            return None
        if self.is_admin(user):
            return Organizer(user.id, all_cities=True, city_ids=frozenset())
        return await organizer_store.get(self.db, user.id)

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
