"""The schedule: jobs that run by themselves at set times (the kernel's registry).

An app declares its scheduled jobs in its own ``jobs.py`` module, found at start
(like the admin's ``admin.py``)::

    from datetime import time, timedelta
    from icihub.core.jobs import scheduled

    @scheduled("reallocate-seats", daily_at=time(2, 0))   # or every=timedelta(minutes=15)
    def reallocate_seats(run) -> str:
        ...   # return a one-line summary; raise to fail (the run is retried)

``run`` is the record of the run being executed (``operations.JobRun``: its
``due_at``, ``attempt``). The worker (``icihub worker``, in ``icihub.operations``)
claims each due (job, due time) exactly once however many workers run (a unique
row per job and due time), runs it, records the run and retries a failed one a
bounded number of times with a growing delay. Apps never import the worker; for
queued work (an e-mail, a large report) they use the Tasks framework:
``from django_tasks import task`` and ``my_task.enqueue(...)``.

Due times: a daily job is due at ``daily_at`` in the site's time zone
(``TIME_ZONE``); a periodic one at every whole multiple of ``every`` counted
from the Unix epoch (so every worker computes the same due times). Only the
latest due time is run: a worker that was down for three days runs a daily job
once, not three times.

The operator may move or switch off a job without a code change:
``ICIHUB_SCHEDULE="reallocate-seats=03:30,anonymise-due=off,send-digest=every 30m"``
(see :func:`parse_overrides`). This kernel imports no app.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "Job",
    "ScheduleError",
    "scheduled",
    "jobs",
    "get",
    "autodiscover",
    "due_at",
    "next_due",
    "parse_overrides",
]

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MIN_EVERY = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 20


class ScheduleError(ImproperlyConfigured):
    """A malformed schedule: raised when the job is declared or the worker starts,
    never later in the middle of a run."""


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[Any], str]
    daily_at: dt.time | None = None
    every: dt.timedelta | None = None
    max_attempts: int = 3
    retry_after: dt.timedelta = dt.timedelta(minutes=1)
    enabled: bool = True

    @property
    def module_path(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        if self.daily_at is not None:
            return f"daily at {self.daily_at.strftime('%H:%M')}"
        minutes = int(self.every.total_seconds() // 60)
        return f"every {minutes} min" if minutes % 60 else f"every {minutes // 60} h"

    def retry_delay(self, attempt: int) -> dt.timedelta:
        """The wait before attempt ``attempt + 1`` after attempt ``attempt`` failed:
        ``retry_after`` doubled each time (1, 2, 4 ... times), at most a day."""
        return min(self.retry_after * (2 ** max(0, attempt - 1)), dt.timedelta(days=1))


_registry: dict[str, Job] = {}


def _validate(job: Job) -> Job:
    if not isinstance(job.name, str) or not NAME.match(job.name):
        raise ScheduleError(
            f"scheduled job name {job.name!r}: lower-case letters, digits and dashes, "
            "at most 63 characters"
        )
    if (job.daily_at is None) == (job.every is None):
        raise ScheduleError(f"scheduled job {job.name!r}: give exactly one of daily_at= or every=")
    if job.daily_at is not None and (
        not isinstance(job.daily_at, dt.time) or job.daily_at.tzinfo is not None
    ):
        raise ScheduleError(
            f"scheduled job {job.name!r}: daily_at must be a datetime.time without a "
            "time zone (the site's TIME_ZONE applies)"
        )
    if job.every is not None:
        if not isinstance(job.every, dt.timedelta) or job.every < MIN_EVERY:
            raise ScheduleError(
                f"scheduled job {job.name!r}: every must be a datetime.timedelta of at least "
                "one minute"
            )
        if job.every.total_seconds() % 60 or dt.timedelta(days=1).total_seconds() % (
            job.every.total_seconds()
        ):
            raise ScheduleError(
                f"scheduled job {job.name!r}: every must be a whole number of minutes that "
                "divides a day (e.g. 5, 15, 60 minutes)"
            )
    if not isinstance(job.max_attempts, int) or not 1 <= job.max_attempts <= MAX_ATTEMPTS:
        raise ScheduleError(
            f"scheduled job {job.name!r}: max_attempts must be from 1 to {MAX_ATTEMPTS}"
        )
    if not isinstance(job.retry_after, dt.timedelta) or job.retry_after <= dt.timedelta(0):
        raise ScheduleError(f"scheduled job {job.name!r}: retry_after must be a positive timedelta")
    if not callable(job.func):
        raise ScheduleError(f"scheduled job {job.name!r}: not a function")
    return job


def scheduled(
    name: str,
    *,
    daily_at: dt.time | None = None,
    every: dt.timedelta | None = None,
    max_attempts: int = 3,
    retry_after: dt.timedelta = dt.timedelta(minutes=1),
):
    """Declare ``func(run) -> str`` a scheduled job (see the module's text).
    A malformed declaration or a name used twice raises :class:`ScheduleError`
    when the module is imported, that is when the worker or the site starts."""

    def register(func):
        job = _validate(
            Job(
                name=name,
                func=func,
                daily_at=daily_at,
                every=every,
                max_attempts=max_attempts,
                retry_after=retry_after,
            )
        )
        other = _registry.get(name)
        if other is not None and other.module_path != job.module_path:
            raise ScheduleError(
                f"scheduled job {name!r} is declared twice: {other.module_path} and "
                f"{job.module_path}"
            )
        _registry[name] = job
        return func

    return register


def unregister(name: str) -> None:
    """Remove a job (for tests)."""
    _registry.pop(name, None)


def autodiscover() -> None:
    """Import every installed app's ``jobs`` module (which registers its jobs)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")


def jobs(*, overrides: dict | None = None) -> dict[str, Job]:
    """The registered jobs, by name, with the operator's overrides
    (``settings.ICIHUB_SCHEDULE``) applied."""
    if overrides is None:
        from django.conf import settings

        overrides = parse_overrides(getattr(settings, "ICIHUB_SCHEDULE", ""))
    unknown = sorted(set(overrides) - set(_registry))
    if unknown:
        raise ScheduleError(
            "ICIHUB_SCHEDULE names jobs that do not exist: "
            + ", ".join(unknown)
            + " (known: "
            + ", ".join(sorted(_registry))
            + ")"
        )
    result = {}
    for name in sorted(_registry):
        job = _registry[name]
        change = overrides.get(name)
        if change is not None:
            job = _validate(replace(job, **change))
        result[name] = job
    return result


def get(name: str) -> Job:
    try:
        return jobs()[name]
    except KeyError:
        raise ScheduleError(f"no scheduled job named {name!r}") from None


_EVERY = re.compile(r"^every\s+(\d+)\s*(m|min|h)$")
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_overrides(text: str) -> dict[str, dict]:
    """``"name=HH:MM,name=every 15m,name=every 2h,name=off"`` → changes by job
    name. Anything else raises :class:`ScheduleError` naming the bad part."""
    result: dict[str, dict] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not NAME.match(name):
            raise ScheduleError(
                f"ICIHUB_SCHEDULE: {part!r} is not name=HH:MM, name=every Nm, "
                "name=every Nh or name=off"
            )
        value = value.lower()
        if value == "off":
            result[name] = {"enabled": False}
        elif match := _AT.match(value):
            result[name] = {
                "daily_at": dt.time(int(match[1]), int(match[2])),
                "every": None,
            }
        elif match := _EVERY.match(value):
            amount = int(match[1])
            unit = dt.timedelta(hours=1) if match[2] == "h" else dt.timedelta(minutes=1)
            result[name] = {"every": unit * amount, "daily_at": None}
        else:
            raise ScheduleError(
                f"ICIHUB_SCHEDULE: {value!r} for {name!r} is not HH:MM, every Nm, every Nh or off"
            )
    return result


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _zone(tz):
    if tz is not None:
        return tz
    from django.utils import timezone

    return timezone.get_default_timezone()


def due_at(job: Job, now: dt.datetime, tz=None) -> dt.datetime:
    """The latest time ``job`` was due at or before ``now`` (aware, UTC)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if job.every is not None:
        step = int(job.every.total_seconds())
        seconds = int((now - EPOCH).total_seconds())
        return EPOCH + dt.timedelta(seconds=seconds - seconds % step)
    zone = _zone(tz)
    local = now.astimezone(zone)
    candidate = dt.datetime.combine(local.date(), job.daily_at).replace(tzinfo=zone)
    if candidate > local:
        candidate = dt.datetime.combine(local.date() - dt.timedelta(days=1), job.daily_at).replace(
            tzinfo=zone
        )
    return candidate.astimezone(dt.UTC)


def next_due(job: Job, now: dt.datetime, tz=None) -> dt.datetime:
    """The first time ``job`` is due after ``now`` (aware, UTC)."""
    if job.every is not None:
        return due_at(job, now, tz) + job.every
    zone = _zone(tz)
    last = due_at(job, now, tz).astimezone(zone)
    following = dt.datetime.combine(last.date() + dt.timedelta(days=1), job.daily_at)
    return following.replace(tzinfo=zone).astimezone(dt.UTC)
