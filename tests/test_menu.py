"""The command menu registered with setMyCommands."""

from __future__ import annotations

from bot.app import build_application
from bot.context import MusterApp
from bot.runtime import running
from bot.settings import Settings
from simulator.server import BotApiSimulator
from tests.conftest import ADMIN_ID, TOKEN


async def test_supporter_menus_are_registered_in_both_languages(
    sim: BotApiSimulator, muster: MusterApp
) -> None:
    """Everyone gets the supporter commands in English and Spanish; /addcity is not among them."""
    english = [command["command"] for command in sim.commands()]
    spanish = sim.commands(language_code="es")
    assert "start" in english and "deleteme" in english and "addcity" not in english
    assert spanish[0]["description"] == "Registrarte o reanudar avisos"


async def test_admin_menu_adds_admin_commands_in_the_admins_chat(
    sim: BotApiSimulator, settings: Settings
) -> None:
    """An admin who has opened the bot gets /addcity in their own chat's menu."""
    admin = sim.user("Alex", user_id=ADMIN_ID)
    await admin.says("hi")
    async with running(build_application(settings, TOKEN), poll_timeout=1):
        scope = {"type": "chat", "chat_id": ADMIN_ID}
        assert "addcity" in [command["command"] for command in sim.commands(scope=scope)]


async def test_admin_menu_is_skipped_for_an_admin_telegram_does_not_know(
    sim: BotApiSimulator, muster: MusterApp
) -> None:
    """An admin who never opened the bot gets no scoped menu, and start-up goes on; their
    first /start registers it."""
    scope = {"type": "chat", "chat_id": ADMIN_ID}
    assert sim.commands(scope=scope) == []
    admin = sim.user("Alex", user_id=ADMIN_ID)
    await admin.says("/start")
    await admin.receives()
    assert "promote" in [command["command"] for command in sim.commands(scope=scope)]
