"""The record of scheduled runs and of the workers (operational data, read by
staff; written by the worker alone, not audited: they are not domain data)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from icihub.core.access import STAFF_ROLES, Policy
from icihub.core.models import AccessManager


class JobRun(models.Model):
    """One due time of one scheduled job. The pair (job, due_at) is unique: the
    worker that inserts the row has claimed the run; every other worker skips it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        RETRY = "retry", _("Failed, will be retried")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=63)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    summary = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)
    # One entry per attempt: {"attempt", "worker", "started", "finished", "error"}.
    attempts = models.JSONField(_("attempts"), default=list, blank=True)

    access_policy = Policy(read_all=STAFF_ROLES, write_all=frozenset())
    objects = AccessManager()

    class Meta:
        ordering = ["-due_at", "job"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="operations_one_run_per_due")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class WorkerHeartbeat(models.Model):
    """A running ``icihub worker``: it writes ``seen_at`` every few seconds
    (``/readyz`` wants one recent; a run whose worker fell silent is taken up again)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process"), default=0)
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)
    tasks_run = models.PositiveIntegerField(_("tasks run"), default=0)
    jobs_run = models.PositiveIntegerField(_("scheduled runs"), default=0)

    access_policy = Policy(read_all=STAFF_ROLES, write_all=frozenset())
    objects = AccessManager()

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
