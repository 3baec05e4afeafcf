"""Reads of the operations record (staff), the readiness probe's checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Max, Q
from django.utils import timezone

from icihub.core import jobs
from icihub.core.access import is_staff

from .models import JobRun, WorkerHeartbeat


def check_staff(user) -> None:
    from django.utils.translation import gettext as _

    if not is_staff(user):
        raise PermissionDenied(_("Only staff see the record of the background work."))


def runs(user, job: str = ""):
    qs = JobRun.objects.visible_to(user)
    if job:
        qs = qs.filter(job=job)
    return qs.order_by("-started_at", "-pk")


def workers(user, now=None):
    """The workers seen recently (others have stopped or lost the database)."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.ICIHUB_WORKER_STALE_SECONDS)
    return WorkerHeartbeat.objects.visible_to(user).filter(seen_at__gte=since).order_by("worker_id")


def queue_length() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def failed_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.failed().count()


@dataclass
class Scheduled:
    name: str
    schedule: str
    enabled: bool
    next_due: dt.datetime | None
    last: JobRun | None


def schedule(user, now=None) -> list[Scheduled]:
    """Each registered job with its next due time and its latest run."""
    now = now or timezone.now()
    jobs.autodiscover()
    registry = jobs.jobs()
    latest: dict[str, JobRun] = {}
    newest = (
        JobRun.objects.visible_to(user)
        .filter(job__in=list(registry))
        .values("job")
        .annotate(due=Max("due_at"))
    )
    wanted = Q(pk__in=[])
    for row in newest:
        wanted |= Q(job=row["job"], due_at=row["due"])
    for run in JobRun.objects.visible_to(user).filter(wanted):
        latest[run.job] = run
    return [
        Scheduled(
            name=job.name,
            schedule=job.describe(),
            enabled=job.enabled,
            next_due=jobs.next_due(job, now) if job.enabled else None,
            last=latest.get(job.name),
        )
        for job in registry.values()
    ]


# -- readiness ----------------------------------------------------------------------------------

_migrated = False


def database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def migrations_ok() -> bool:
    """No migration left to apply (remembered once true: the code of a running
    process does not change)."""
    global _migrated
    if _migrated:
        return True
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return False
    return _migrated


def worker_ok(now=None) -> bool:
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.ICIHUB_WORKER_STALE_SECONDS)
    try:
        return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()
    except Exception:
        return False


def readiness() -> dict[str, bool]:
    database = database_ok()
    return {
        "database": database,
        "migrations": database and migrations_ok(),
        "worker": database and worker_ok(),
    }
