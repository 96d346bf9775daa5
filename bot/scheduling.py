"""Timers: one-off jobs at a UTC Unix time on python-telegram-bot's JobQueue. The database
holds every plan; these only wake the domain at its time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram.ext import JobQueue


def arm_once(job_queue: JobQueue[Any], name: str, when: int, callback: Any, data: int) -> None:
    """A one-off timer at a UTC Unix time. Arming a name again replaces the old timer, so a
    plan is never armed twice."""
    disarm(job_queue, name)
    job_queue.run_once(
        callback,
        when=datetime.fromtimestamp(when, UTC),
        data=data,
        name=name,
        # APScheduler drops a job that starts over a second late unless told otherwise;
        # lateness is judged by MISSED_GRACE, not by the scheduler.
        job_kwargs={"misfire_grace_time": None},
    )


def disarm(job_queue: JobQueue[Any], name: str) -> None:
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
