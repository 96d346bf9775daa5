"""`python -m bot` without a token: the simulator chat a newcomer types into."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import muster_env

SESSION = """\
:admin
/addcity seattle America/Los_Angeles Seattle
:as 42 Maria es
/start
1
/mycities
:block
:unblock
/start
:quit
"""


def test_terminal_chat_walks_through_sign_up_without_a_token(tmp_path: Path) -> None:
    """An admin adds a city, Maria signs up in Spanish and follows it by pressing 1: typed
    into a terminal (a pseudo-terminal here), as a newcomer trying Muster would."""
    keyboard, terminal = pty.openpty()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=tmp_path,
            env=muster_env(),
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as chat:
            os.write(keyboard, SESSION.encode())
            out, errors = chat.communicate(timeout=120)
    finally:
        os.close(keyboard)
        os.close(terminal)
    assert chat.returncode == 0, errors
    result = subprocess.CompletedProcess(chat.args, chat.returncode, out, errors)
    assert "Added Seattle (seattle, America/Los_Angeles)." in out
    assert "¡Bienvenida/o a Muster!" in out
    assert "[1] ✅ Seattle" in out
    assert "Sigues: Seattle." in out
    assert "Tus avisos están activos otra vez." in out
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # the demo kept its data in a scratch folder


def test_without_a_token_or_a_terminal_it_exits_naming_bot_token(tmp_path: Path) -> None:
    """In a container or a service (no terminal on standard input) and without BOT_TOKEN,
    there is nobody to chat with: exit status 2 and one line naming BOT_TOKEN, not a chat
    that reads a closed input and exits 0."""
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=muster_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("muster: BOT_TOKEN: not set, and there is no terminal")
    assert "Traceback" not in result.stderr
