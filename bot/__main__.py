"""python -m bot: with BOT_TOKEN, Telegram (long polling, or a webhook when WEBHOOK_URL is
set); without, the simulator. `python -m bot backup FILE` and `python -m bot restore FILE`
copy the database."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot.app import build_application
from bot.backups import CommandFailed, backup, restore_from
from bot.logs import configure_logging, hide
from bot.runlock import DatabaseInUse
from bot.runtime import run_until_signalled
from bot.settings import Settings, SettingsError, load_settings
from bot.webhook import WebhookError
from bot.webserver import CannotListen
from storage.db import DatabaseUnavailable

log = logging.getLogger("bot")

# Exit statuses: 2 says "fix a setting" (or the command line), 1 anything else.
WRONG_SETTING = 2
FAILED = 1


USAGE = "usage: python -m bot [backup FILE | restore FILE]"
HELP = f"""{USAGE}
  (nothing)     run the bot: long polling with BOT_TOKEN, else the simulator chat
  backup FILE   write a checked copy of DATABASE_PATH to FILE, while the bot runs or not
  restore FILE  replace DATABASE_PATH with FILE, once checked; refused while the bot runs"""
COMMANDS = {"backup": backup, "restore": restore_from}


def main(arguments: Sequence[str] = ()) -> int:
    # Opt in to PTB's timedelta retry_after now rather than through a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if arguments:
        return command(arguments)
    try:
        settings = load_settings()
    except SettingsError as error:
        return stop_with(f"invalid setting: {error}", WRONG_SETTING)
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    level = settings.log_level_number()
    if token is None and "log_level" not in settings.model_fields_set:
        # The terminal chat is the simulator's interface; INFO lines would drown it.
        level = logging.WARNING
    configure_logging(level, token)
    try:
        return run(settings, token)
    except InvalidToken:
        # PTB's own message quotes the token; this one names the variable instead.
        return stop_with(
            "BOT_TOKEN: rejected by Telegram (check the token from @BotFather)", WRONG_SETTING
        )
    except DatabaseUnavailable as error:
        return stop_with(f"DATABASE_PATH: {error}", WRONG_SETTING)
    except WebhookError as error:
        return stop_with(f"WEBHOOK_URL: refused by Telegram ({error})", WRONG_SETTING)
    except CannotListen as error:
        return stop_with(f"HTTP_HOST/HTTP_PORT: {error}", WRONG_SETTING)
    except DatabaseInUse as error:
        return stop_with(f"DATABASE_PATH: {error}; stop that one first", FAILED)
    except Exception as error:
        # Not a setting an operator can fix from one line: the traceback stays available
        # (redacted, like every log record) for whoever turns on DEBUG.
        log.debug("stopped by an error", exc_info=error)
        summary = f"{type(error).__name__}: {error} (LOG_LEVEL=DEBUG logs the traceback)"
        return stop_with(hide(summary, token), FAILED)


WITHOUT_TERMINAL = (
    "BOT_TOKEN: not set, and there is no terminal for the simulator chat. Set BOT_TOKEN "
    "(from @BotFather) to run against Telegram, or start it in a terminal to try Muster "
    "without one"
)


def command(arguments: Sequence[str]) -> int:
    """A maintenance command: one line on stdout when it worked, on stderr when not."""
    name, *rest = arguments
    if name in ("-h", "--help", "help"):
        print(HELP)
        return 0
    if name not in COMMANDS:
        return stop_with(f"unknown command {name!r}; {USAGE}", WRONG_SETTING)
    if len(rest) != 1:
        return stop_with(f"{name} takes one file; {USAGE}", WRONG_SETTING)
    try:
        settings = load_settings()
    except SettingsError as error:
        return stop_with(f"invalid setting: {error}", WRONG_SETTING)
    try:
        done = COMMANDS[name](settings.database_path, Path(rest[0]))
    except CommandFailed as error:
        return stop_with(f"{name}: {error}", WRONG_SETTING if error.fix_argument else FAILED)
    except DatabaseInUse as error:
        return stop_with(f"{name}: refused: {error}; stop the bot first", FAILED)
    except DatabaseUnavailable as error:
        return stop_with(f"{name}: DATABASE_PATH: {error}", WRONG_SETTING)
    print(f"muster: {done}")
    return 0


def run(settings: Settings, token: str | None) -> int:
    if token is None:
        if not sys.stdin.isatty():
            # A container or a service without a token: the chat would read a closed input
            # and exit 0, which looks like success.
            return stop_with(WITHOUT_TERMINAL, WRONG_SETTING)
        from bot.console import run_simulated

        return asyncio.run(run_simulated(settings))
    asyncio.run(run_with_telegram(settings, token))
    return 0


async def run_with_telegram(settings: Settings, token: str) -> None:
    await run_until_signalled(build_application(settings, token))


def stop_with(reason: str, status: int) -> int:
    """One line on stderr, never a traceback: operators read it, scripts read the status."""
    print(f"muster: {' '.join(reason.split())}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
