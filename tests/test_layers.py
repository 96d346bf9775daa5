"""The layer contract in pyproject.toml holds, and breaks when a layer imports upwards or two
modules of a package import each other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "domain", "handlers", "storage", "simulator", "views")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the code and its pyproject.toml, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_code_keeps_its_layers(tree: Path) -> None:
    """As it stands, every contract is kept."""
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout


def test_an_upward_import_breaks_the_layers(tree: Path) -> None:
    """A view reaching up into the handlers is refused."""
    with (tree / "views" / "progress.py").open("a") as module:
        module.write("\nimport handlers.common  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "views.progress -> handlers.common" in result.stdout


def test_a_cycle_breaks_the_contract(tree: Path) -> None:
    """The delivery engine importing the typed context, which imports the engine, is a cycle."""
    with (tree / "bot" / "delivery.py").open("a") as module:
        module.write("\nfrom bot import context as _context  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "No import cycles among the modules of a package BROKEN" in result.stdout
