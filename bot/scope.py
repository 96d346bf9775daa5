"""What is known for the length of one update's handling: a memo that lives in the task that
handles the update and in no other.

Several steps of one update ask the same question (the person's language, whether they are
signed up): the answer is read once and kept here. A task started while handling the update
(a timer armed from a handler, a broadcast launched) inherits the context variable, but it
runs later and elsewhere, so the memo answers only in the task that opened it.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Memo:
    task: asyncio.Task[object] | None
    values: dict[object, object] = field(default_factory=dict)


_MEMO: ContextVar[_Memo | None] = ContextVar("update_memo", default=None)


def open_update_scope() -> None:
    """Called as an update's handling starts, in the task that handles it."""
    _MEMO.set(_Memo(asyncio.current_task()))


def update_memo() -> dict[object, object] | None:
    """The memo of the update this task handles; None outside an update's own task."""
    memo = _MEMO.get()
    if memo is None or memo.task is not asyncio.current_task():
        return None
    return memo.values
