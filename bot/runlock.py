"""One bot a database: a running bot holds an exclusive lock on a file beside its database.

`flock` rather than a pid file: the kernel drops the lock when its process ends, however it
ends (SIGKILL, power loss), so a stale lock never stops the next start. A second bot on the
same database, and a restore, try the lock without waiting and stop with a message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from storage.db import DatabaseUnavailable


class DatabaseInUse(Exception):
    """Another process holds the database's lock; the message names the database."""


def lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


@contextlib.contextmanager
def holding(database: Path) -> Iterator[None]:
    """Holds the database's lock for the block, or raises DatabaseInUse at once. The lock
    file stays (it holds only the last holder's process id, for the message)."""
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # worded as the database's own check words it
        raise DatabaseUnavailable(
            f"cannot create the folder {path.parent}: {error.strerror or error}"
        ) from error
    try:
        # Not inherited by child processes (os.open's default): a PDF printer outliving the
        # bot must not keep the database locked.
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot open the lock file {path}: {error.strerror or error}"
        ) from error
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(_in_use(database, _holder(descriptor))) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _holder(descriptor: int) -> str:
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def _in_use(database: Path, holder: str) -> str:
    who = f"process {holder}" if holder else "another process"
    return f"{database} is in use by a running Muster ({who} holds {lock_path(database)})"
