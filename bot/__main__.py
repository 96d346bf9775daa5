"""python -m bot: with BOT_TOKEN, long polling against Telegram; without, the simulator."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from bot.app import build_application
from bot.logs import configure_logging
from bot.runtime import run_until_signalled
from bot.settings import Settings, SettingsError, load_settings


def main() -> int:
    # Opt in to PTB's timedelta retry_after now rather than through a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"muster: invalid setting: {error}", file=sys.stderr)
        return 2
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    level = settings.log_level_number()
    if token is None and "log_level" not in settings.model_fields_set:
        # The terminal chat is the simulator's interface; INFO lines would drown it.
        level = logging.WARNING
    configure_logging(level, token)
    if token is None:
        from bot.simulator.console import run_simulated

        return asyncio.run(run_simulated(settings))
    asyncio.run(run_with_telegram(settings, token))
    return 0


async def run_with_telegram(settings: Settings, token: str) -> None:
    await run_until_signalled(build_application(settings, token))


if __name__ == "__main__":
    sys.exit(main())
