"""The worker: one loop that runs the queued tasks (django-tasks' database
queue, ``django_tasks_db``) and the schedule (``icihub.core.jobs``), and says
it is alive (``WorkerHeartbeat``). Started by ``icihub worker``.

Several workers may run, on one machine or many, against one database:

* a queued task is taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked
  as claimed in one transaction (django-tasks-db's own claim: its queryset and
  ``claim``), so each task runs once;
* a scheduled job's due time is claimed by inserting its ``JobRun`` row,
  unique per (job, due time): the insert that loses the race fails and that
  worker moves on; a retry is claimed by a conditional UPDATE (status and
  attempt as read), which one worker alone can win;
* each run and each task is its own unit of work: one that fails is recorded
  (and retried, for scheduled runs) and the others go on.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import traceback
import uuid

from django.conf import settings
from django.db import IntegrityError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from icihub.core import audit, jobs

from .models import JobRun, WorkerHeartbeat

logger = logging.getLogger("icihub.worker")
SUMMARY_MAX = 2000
ERROR_MAX = 8000


def clock():
    """The current time (tests move it)."""
    return timezone.now()


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


# -- the schedule -------------------------------------------------------------------------


def claim_due(job: jobs.Job, worker_id: str, now=None) -> JobRun | None:
    """Claim the latest due time of ``job`` (None: claimed already, by anyone)."""
    now = now or clock()
    due = jobs.due_at(job, now)
    if JobRun.objects.filter(job=job.name, due_at=due).exists():
        return None
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job.name,
                due_at=due,
                status=JobRun.Status.RUNNING,
                attempt=1,
                max_attempts=job.max_attempts,
                worker=worker_id,
                started_at=now,
            )
    except IntegrityError:
        return None  # another worker inserted it first


def claim_retry(run: JobRun, worker_id: str, now=None) -> JobRun | None:
    """Take up a run waiting for its next attempt (None: another worker did)."""
    now = now or clock()
    won = JobRun.objects.filter(pk=run.pk, status=run.status, attempt=run.attempt).update(
        status=JobRun.Status.RUNNING,
        attempt=run.attempt + 1,
        worker=worker_id,
        started_at=now,
        finished_at=None,
        next_attempt_at=None,
    )
    if not won:
        return None
    run.refresh_from_db()
    return run


def _record(run: JobRun, job: jobs.Job | None, *, summary: str = "", error: str = "") -> None:
    now = clock()
    entry = {
        "attempt": run.attempt,
        "worker": run.worker,
        "started": run.started_at.isoformat(),
        "finished": now.isoformat(),
        "error": error[:ERROR_MAX],
    }
    run.attempts = [*run.attempts, entry]
    run.finished_at = now
    if not error:
        run.status = JobRun.Status.SUCCEEDED
        run.summary = summary[:SUMMARY_MAX]
        run.error = ""
    elif job is not None and job.enabled and run.attempt < run.max_attempts:
        run.status = JobRun.Status.RETRY
        run.next_attempt_at = now + job.retry_delay(run.attempt)
        run.error = error[:ERROR_MAX]
    else:
        run.status = JobRun.Status.FAILED
        run.error = error[:ERROR_MAX]
    # Only the worker holding the run (status running, this attempt) writes it.
    JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING, attempt=run.attempt).update(
        status=run.status,
        finished_at=run.finished_at,
        next_attempt_at=run.next_attempt_at,
        summary=run.summary,
        error=run.error,
        attempts=run.attempts,
    )


def execute(run: JobRun, job: jobs.Job | None) -> JobRun:
    """Run one claimed run and record its result; never raises (but for Ctrl-C)."""
    if job is None:
        _record(run, None, error=f"no scheduled job named {run.job!r} any more")
        return run
    logger.info("scheduled job %s (due %s), attempt %d", job.name, run.due_at, run.attempt)
    try:
        with audit.acting(
            None, via=audit.VIA_SYSTEM, label=f"job:{job.name}", reason=f"scheduled job {job.name}"
        ):
            result = job.func(run)
    except (KeyboardInterrupt, SystemExit):
        _record(run, job, error="the worker was stopped during the run")
        raise
    except Exception:
        error = traceback.format_exc()
        logger.warning("scheduled job %s failed (attempt %d):\n%s", job.name, run.attempt, error)
        _record(run, job, error=error)
    else:
        summary = "" if result is None else str(result)
        logger.info("scheduled job %s: %s", job.name, summary)
        _record(run, job, summary=summary)
    return run


def reclaim_abandoned(now=None) -> int:
    """Runs left ``running`` by a worker that fell silent (killed, machine lost)
    become failed attempts: retried, or failed for good when none is left."""
    now = now or clock()
    silent_since = now - timezone.timedelta(seconds=settings.ICIHUB_JOB_ABANDONED_SECONDS)
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=silent_since).values("worker_id")
    stale = JobRun.objects.filter(
        status=JobRun.Status.RUNNING, started_at__lt=silent_since
    ).exclude(worker__in=alive)
    count = 0
    registry = jobs.jobs()
    for run in stale:
        job = registry.get(run.job)
        before = JobRun.objects.filter(pk=run.pk).values_list("status", "attempt").first()
        if before != (JobRun.Status.RUNNING, run.attempt):
            continue
        _record(run, job, error=f"worker {run.worker} fell silent during the run")
        count += 1
    return count


def schedule_tick(worker_id: str, now=None) -> list[JobRun]:
    """Run every job whose due time has come and every retry whose time has come."""
    now = now or clock()
    registry = jobs.jobs()
    done = []
    reclaim_abandoned(now)
    for job in registry.values():
        if not job.enabled:
            continue
        run = claim_due(job, worker_id, now)
        if run is not None:
            done.append(execute(run, job))
    waiting = JobRun.objects.filter(status=JobRun.Status.RETRY, next_attempt_at__lte=now)
    for run in list(waiting):
        claimed = claim_retry(run, worker_id, now)
        if claimed is not None:
            done.append(execute(claimed, registry.get(run.job)))
    return done


# -- the queue ------------------------------------------------------------------------------


def _task_worker(worker_id: str):
    """django-tasks-db's worker, whose claim and run of one task are reused."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def take_task(worker_id: str, backend_name: str = "default"):
    """Claim the next ready task (None when the queue is empty)."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    tasks = DBTaskResult.objects.ready().filter(backend_name=backend_name)
    with exclusive_transaction(tasks.db):
        try:
            result = tasks.get_locked()
            if result is not None:
                result.claim(worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise
    return result


def queue_length() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def run_queued(worker_id: str, limit: int | None = None) -> int:
    """Run queued tasks until the queue is empty (or ``limit`` ran)."""
    runner = _task_worker(worker_id)
    count = 0
    while limit is None or count < limit:
        result = take_task(worker_id)
        if result is None:
            break
        with audit.acting(
            None, via=audit.VIA_SYSTEM, label="worker", reason=f"task {result.task_path}"
        ):
            runner.run_task(result)
        count += 1
        close_old_connections()
    return count


# -- heartbeat and the loop -------------------------------------------------------------------


def beat(worker_id: str, started_at, *, tasks: int = 0, runs: int = 0) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
            "tasks_run": tasks,
            "jobs_run": runs,
        },
    )


class Loop:
    def __init__(
        self,
        *,
        worker_id: str,
        interval: float = 1.0,
        schedule_every: float = 15.0,
        heartbeat_every: float = 10.0,
        schedule: bool = True,
        queue: bool = True,
    ):
        self.worker_id = worker_id
        self.interval = interval
        self.schedule_every = schedule_every
        self.heartbeat_every = heartbeat_every
        self.schedule = schedule
        self.queue = queue
        self.running = True
        self.tasks = 0
        self.runs = 0
        self.started_at = timezone.now()

    def stop(self, signum, frame) -> None:
        if not self.running:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        logger.warning("worker %s: stopping after the current unit of work", self.worker_id)
        self.running = False

    def install_signals(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)

    def once(self) -> None:
        """One round: heartbeat, the schedule, the queue drained."""
        beat(self.worker_id, self.started_at, tasks=self.tasks, runs=self.runs)
        if self.schedule:
            self.runs += len(schedule_tick(self.worker_id))
        if self.queue:
            self.tasks += run_queued(self.worker_id)

    def forever(self) -> None:
        last_beat = last_schedule = 0.0
        try:
            while self.running:
                close_old_connections()
                now = time.monotonic()
                if now - last_beat >= self.heartbeat_every:
                    beat(self.worker_id, self.started_at, tasks=self.tasks, runs=self.runs)
                    last_beat = now
                if self.schedule and now - last_schedule >= self.schedule_every:
                    self.runs += len(schedule_tick(self.worker_id))
                    last_schedule = time.monotonic()
                while self.queue and self.running:
                    ran = run_queued(self.worker_id, limit=1)
                    if not ran:
                        break
                    self.tasks += 1
                    if time.monotonic() - last_beat >= self.heartbeat_every:
                        beat(self.worker_id, self.started_at, tasks=self.tasks, runs=self.runs)
                        last_beat = time.monotonic()
                slept = 0.0
                while self.running and slept < self.interval:
                    time.sleep(min(0.2, self.interval))
                    slept += 0.2
        finally:
            close_old_connections()
            try:
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            except Exception:  # the database went away: the heartbeat ages out
                logger.debug("could not remove the heartbeat of %s", self.worker_id)
