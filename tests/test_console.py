"""`python -m bot` without a token: the simulator chat a newcomer types into."""

from __future__ import annotations

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
    """An admin adds a city, Maria signs up in Spanish and follows it by pressing 1."""
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=muster_env(),
        input=SESSION,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Added Seattle (seattle, America/Los_Angeles)." in out
    assert "¡Bienvenida/o a Muster!" in out
    assert "[1] ✅ Seattle" in out
    assert "Sigues: Seattle." in out
    assert "Tus avisos están activos otra vez." in out
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # the demo kept its data in a scratch folder
