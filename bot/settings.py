"""Settings read from the environment (and a .env file), checked before anything starts."""

from __future__ import annotations

import logging
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.durations import parse_duration, parse_durations
from bot.quiet import QuietHours, parse_quiet_hours

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
FREE_RATE_CEILING = 30.0
PAID_RATE_CEILING = 1000.0
DATABASE_FILE_EXPECTED = "expected the path of an SQLite file, like data/muster.db"
OFFICIAL_API = "https://api.telegram.org"
# What Telegram accepts as a webhook's secret_token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
PORT_EXPECTED = "expected a TCP port from 1 to 65535, like 8080"


class Settings(BaseSettings):
    """Everything an operator may set; the names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    bot_token: SecretStr | None = None
    telegram_api_url: str = OFFICIAL_API
    database_path: Path = Path("data/muster.db")
    # NoDecode: the variable is "1,2,3", not a JSON list.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"
    # Bulk sends a second; Telegram allows about 30, or 1000 with paid broadcasts.
    broadcast_rate: float = 25.0
    paid_broadcast: bool = False
    # How late a scheduled send may still go out after the bot was down.
    missed_grace: Annotated[timedelta, NoDecode] = timedelta(hours=1)
    # More updates than this from one person within 10 seconds, and they are ignored for a
    # minute.
    flood_limit: int = 20
    # Who got a finished broadcast is kept this long, then only its counts.
    delivery_retention: Annotated[timedelta, NoDecode] = timedelta(days=30)
    # Audit entries are kept this long.
    audit_retention: Annotated[timedelta, NoDecode] = timedelta(days=365)
    # Reminders to everyone who said yes, this long before an action starts.
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(hours=24),
        timedelta(hours=2),
    )
    # "Did you make it?" to those who said yes, this long after an action starts.
    followup_after: Annotated[timedelta, NoDecode] = timedelta(hours=3)
    # Set: Telegram pushes updates to this public URL instead of being polled.
    webhook_url: str | None = None
    # Telegram sends it in every webhook request; derived from the token when not given.
    webhook_secret: SecretStr | None = None
    # Where the webhook server listens (the reverse proxy forwards WEBHOOK_URL's path here).
    webhook_listen: str = "127.0.0.1:8080"
    # The nightly window, on each city's clock, when what can wait waits; None: off.
    quiet_hours: Annotated[QuietHours | None, NoDecode] = QuietHours(time(21), time(8))
    # /healthz and /metrics: served only when a port is given, on loopback unless told (a
    # container sets 0.0.0.0 so that its healthcheck and a scraper beside it can reach them).
    http_port: int | None = None
    http_host: str = "127.0.0.1"

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_means_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("database_path", mode="before")
    @classmethod
    def _path_given(cls, value: object) -> object:
        # Checked as text: Path("") is ".", which would pass for a path.
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{DATABASE_FILE_EXPECTED}, not an empty value")
        return value

    @field_validator("database_path")
    @classmethod
    def _not_a_folder(cls, value: Path) -> Path:
        if value.is_dir():
            raise ValueError(f"{DATABASE_FILE_EXPECTED}, but {value} is a folder")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError("expected comma-separated numeric Telegram user ids, like 12345,67890")
        return frozenset(int(part) for part in parts)

    @field_validator("missed_grace", "followup_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("delivery_retention", "audit_retention", mode="before")
    @classmethod
    def _retention(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        kept = parse_duration(value)
        if kept.total_seconds() <= 0:
            raise ValueError(f"expected a positive duration like 30d, got {value.strip()!r}")
        return kept

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        offsets = parse_durations(value)
        if any(offset.total_seconds() <= 0 for offset in offsets):
            raise ValueError("expected positive durations like 24h,2h")
        return offsets

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_window(cls, value: object) -> object:
        return parse_quiet_hours(value) if isinstance(value, str) else value

    @field_validator("http_port", mode="before")
    @classmethod
    def _port(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None  # HTTP_PORT= (empty) leaves the server off, as unset does
            if not text.isdigit():
                raise ValueError(f"{PORT_EXPECTED}, not {text!r}")
            value = int(text)
        if isinstance(value, int) and not 1 <= value <= 65535:
            raise ValueError(f"{PORT_EXPECTED}, not {value}")
        return value

    @field_validator("http_host")
    @classmethod
    def _host(cls, value: str) -> str:
        host = value.strip()
        # A URL or a blank is a mistake to name now, not a bind error at start-up.
        if not host or "/" in host or any(character.isspace() for character in host):
            raise ValueError(
                "expected an address to listen on, like 127.0.0.1 (this machine only) or "
                "0.0.0.0 (every interface)"
            )
        return host

    @field_validator("flood_limit", mode="before")
    @classmethod
    def _positive_count(cls, value: object) -> object:
        # Read as text here, so that "0", "-5", "2.5" and "lots" get the same clear line.
        if isinstance(value, str):
            value = value.strip()
            if not (value.isascii() and value.isdigit() and int(value) > 0):
                raise ValueError("expected a positive whole number of updates, like 20")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("expected a positive whole number of updates, like 20")
        return value

    @field_validator("broadcast_rate")
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if not 0 < value <= PAID_RATE_CEILING:
            raise ValueError(f"expected messages a second, above 0 and at most {PAID_RATE_CEILING}")
        return value

    @model_validator(mode="after")
    def _rate_within_tier(self) -> Settings:
        if not self.paid_broadcast and self.broadcast_rate > FREE_RATE_CEILING:
            raise ValueError(
                f"BROADCAST_RATE: above {FREE_RATE_CEILING} a second needs PAID_BROADCAST=true"
            )
        return self

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.startswith(("https://", "http://")):
            raise ValueError("expected the public https:// URL Telegram sends updates to")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not SECRET_TOKEN.fullmatch(value):
            raise ValueError("expected 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError("expected host:port, like 127.0.0.1:8080")
        return value.strip()

    @model_validator(mode="after")
    def _https_for_telegram(self) -> Settings:
        # Telegram only pushes to https; a local Bot API server (or the simulator) may not.
        official = self.telegram_api_url == OFFICIAL_API
        if self.webhook_url and official and not self.webhook_url.startswith("https://"):
            raise ValueError("WEBHOOK_URL: Telegram sends updates to https:// URLs only")
        return self

    @property
    def webhook_address(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def simulated(self) -> bool:
        """Without a token Muster runs against its built-in Telegram simulator."""
        return self.bot_token is None

    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)  # type: ignore[no-any-return]


class SettingsError(Exception):
    """A setting has a wrong value; the message names the variable and what it expects."""


def load_settings(**overrides: object) -> Settings:
    """Reads the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


def describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors(include_url=False, include_input=False):
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not problem["loc"]:  # a rule across variables names them in its message
            lines.append(message)
            continue
        variable = str(problem["loc"][0]).upper()
        lines.append(f"{variable}: {message}")
    return "; ".join(lines)
