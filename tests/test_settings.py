"""Settings: wrong values stop start-up with one clear line; the token is never logged."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logs import PLACEHOLDER, redacting
from bot.settings import SettingsError, load_settings
from simulator.server import BotApiSimulator
from storage.cities import City
from tests.conftest import TOKEN, muster_env


def start_muster(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=muster_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADMIN_IDS", "abc"),
        ("ADMIN_IDS", "12,-3"),
        ("LOG_LEVEL", "loud"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("DATABASE_PATH", ""),
        ("DATABASE_PATH", "/etc"),
        ("FLOOD_LIMIT", "0"),
        ("FLOOD_LIMIT", "lots"),
        ("DELIVERY_RETENTION", "0d"),
        ("AUDIT_RETENTION", "a year"),
    ],
)
def test_wrong_setting_exits_2_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    """A wrong value stops start-up with status 2 and one line naming the variable."""
    result = start_muster(tmp_path, **{variable: value, "BOT_TOKEN": TOKEN})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_flood_limit_is_a_positive_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """FLOOD_LIMIT defaults to 20; zero, negatives and fractions are refused, naming it."""
    monkeypatch.delenv("FLOOD_LIMIT", raising=False)
    assert load_settings(_env_file=None).flood_limit == 20
    monkeypatch.setenv("FLOOD_LIMIT", " 5 ")
    assert load_settings(_env_file=None).flood_limit == 5
    for wrong in ("-3", "2.5", ""):
        monkeypatch.setenv("FLOOD_LIMIT", wrong)
        with pytest.raises(SettingsError, match=r"^FLOOD_LIMIT: expected a positive whole number"):
            load_settings(_env_file=None)


def test_retention_defaults_and_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who got a broadcast is kept 30 days and the audit log a year, unless set otherwise
    in the units the other durations take."""
    monkeypatch.delenv("DELIVERY_RETENTION", raising=False)
    monkeypatch.delenv("AUDIT_RETENTION", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.delivery_retention == timedelta(days=30)
    assert settings.audit_retention == timedelta(days=365)
    monkeypatch.setenv("DELIVERY_RETENTION", "7d")
    monkeypatch.setenv("AUDIT_RETENTION", "2160h")
    settings = load_settings(_env_file=None)
    assert settings.delivery_retention == timedelta(days=7)
    assert settings.audit_retention == timedelta(days=90)


def test_admin_ids_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ADMIN_IDS is a comma-separated list with spaces allowed."""
    monkeypatch.setenv("ADMIN_IDS", " 12, 34 ,56")
    assert load_settings(_env_file=None).admin_ids == {12, 34, 56}
    monkeypatch.setenv("ADMIN_IDS", "")
    assert load_settings(_env_file=None).admin_ids == frozenset()
    monkeypatch.setenv("ADMIN_IDS", "1;2")
    with pytest.raises(SettingsError, match="ADMIN_IDS"):
        load_settings(_env_file=None)


def test_settings_error_does_not_echo_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong setting's message never carries the token, even when the token is the culprit."""
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOG_LEVEL", TOKEN)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert "LOG_LEVEL" in str(raised.value)
    assert TOKEN not in str(raised.value)


async def test_token_appears_in_no_log_line_even_at_debug(
    sim: BotApiSimulator, seattle: City, caplog: pytest.LogCaptureFixture
) -> None:
    """With DEBUG logging on every library, a whole conversation logs no token."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "aiosqlite", ""):
        logging.getLogger(name).setLevel(logging.DEBUG)
    rosa = sim.user("Rosa")
    with redacting(TOKEN):
        await rosa.says("/start")
        await rosa.receives()
        await rosa.presses("Seattle")
        await rosa.waits_for(lambda chat: chat.last.labels() == ["✅ Seattle"])
        logging.getLogger("test").exception("failed", exc_info=RuntimeError(f"url/bot{TOKEN}/x"))
        logged = caplog.text
        assert "sendMessage" in logged  # the logs did see the requests, URLs and all
        assert TOKEN not in logged
        assert TOKEN.split(":")[1] not in logged


@pytest.mark.parametrize(
    ("value", "complaint"),
    [("", "not an empty value"), ("  ", "not an empty value"), (".", "is a folder")],
)
def test_database_path_must_name_a_file(value: str, complaint: str) -> None:
    """DATABASE_PATH names a file: an empty value or a folder is refused before start-up."""
    with pytest.raises(SettingsError, match=f"DATABASE_PATH: expected the path.*{complaint}"):
        load_settings(_env_file=None, database_path=value)


def test_a_log_call_whose_arguments_do_not_fit_still_does_not_raise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A library's log call with too few arguments gets logging's usual report, not a
    TypeError in the library, while the token is being redacted."""
    library = logging.getLogger("tests.a_sloppy_library")
    library.propagate = False  # pytest's own handlers turn logging errors into failures
    output = io.StringIO()
    library.addHandler(logging.StreamHandler(output))
    try:
        with redacting(TOKEN):
            library.warning("value %s %s", 1)
            library.warning("and then %s", "fine")
    finally:
        library.handlers.clear()
        library.propagate = True
    assert "--- Logging error ---" in capsys.readouterr().err
    assert output.getvalue() == "and then fine\n"


def test_a_log_call_whose_arguments_do_not_fit_hides_the_token() -> None:
    """When the mismatched arguments carry the token, the record keeps its parts, redacted."""
    with redacting(TOKEN):
        record = logging.getLogRecordFactory()(
            "lib", logging.INFO, __file__, 1, "GET %s -> %s %s", (f"/bot{TOKEN}/getMe", 200), None
        )
    message = record.getMessage()
    assert TOKEN.split(":")[1] not in message
    assert message == f"GET %s -> %s %s ('/bot{PLACEHOLDER}/getMe', 200)"
