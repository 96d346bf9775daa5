"""`python -m bot backup FILE` and `python -m bot restore FILE`: each one line of outcome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.runlock import holding
from storage.backup import BackupError, Copy, UnusableFile, back_up, restore


class CommandFailed(Exception):
    """The command did nothing lasting; the message says why. `fix_argument` when naming
    another file (or DATABASE_PATH) is the fix."""

    def __init__(self, message: str, *, fix_argument: bool) -> None:
        super().__init__(message)
        self.fix_argument = fix_argument


def backup(database: Path, target: Path) -> str:
    """A checked copy of the database at target, while a bot may be running on it."""
    if not database.exists():
        raise CommandFailed(
            f"DATABASE_PATH: no database at {database}, nothing to back up", fix_argument=True
        )
    copy = _attempt(lambda: back_up(database, target))
    return f"backup written to {copy.path} {_describe(copy)}"


def restore_from(database: Path, source: Path) -> str:
    """Replaces the database with a checked copy of source, refused while a bot runs on it."""
    # Checked before the lock, so a typo is answered as one even while the bot runs.
    if not source.is_file():
        what = "a folder" if source.is_dir() else "no such file"
        raise CommandFailed(f"cannot restore from {source}: {what}", fix_argument=True)
    with holding(database):
        copy = _attempt(lambda: restore(source, database))
    return f"restored {database} from {source} {_describe(copy)}"


def _attempt(work: Callable[[], Copy]) -> Copy:
    try:
        return work()
    except UnusableFile as error:
        raise CommandFailed(str(error), fix_argument=True) from error
    except (BackupError, OSError) as error:
        raise CommandFailed(str(error), fix_argument=False) from error


def _describe(copy: Copy) -> str:
    return (
        f"({copy.size:,} bytes, {copy.pages:,} pages, schema {copy.schema:04d}, integrity check ok)"
    )
