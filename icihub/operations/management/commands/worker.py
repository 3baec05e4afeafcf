"""icihub worker: run the queued tasks and the schedule (icihub.operations.worker)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _positive(value: str) -> float:
    import argparse
    import math

    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {value}")
    return number


class Command(BaseCommand):
    help = (
        "Run the queued tasks (e-mails, large reports, plans) and the scheduled jobs "
        "(seat reallocation, anonymisations due, ...). Run as many as you like on one "
        "database: each task and each due run is taken by one worker only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="One round (the schedule's due runs, then the queue until empty), then exit.",
        )
        parser.add_argument(
            "--interval", type=_positive, default=1.0, help="Seconds between looks at the queue."
        )
        parser.add_argument(
            "--schedule-interval",
            type=_positive,
            default=15.0,
            help="Seconds between looks at the schedule (default 15).",
        )
        parser.add_argument("--no-schedule", action="store_true", help="Queued tasks only.")
        parser.add_argument("--no-tasks", action="store_true", help="The schedule only.")
        parser.add_argument(
            "--list", action="store_true", help="List the scheduled jobs and their next due time."
        )
        parser.add_argument("--worker-id", default="", help="Unique name of this worker.")

    def handle(self, *args, **options):
        from django.utils import timezone

        from icihub.core import jobs
        from icihub.operations import startup, worker

        try:
            startup.verify(need_database=True)
        except startup.StartupError as exc:
            raise CommandError(str(exc)) from None
        self._check_backend(options)
        if options["list"]:
            now = timezone.now()
            for job in jobs.jobs().values():
                upcoming = jobs.next_due(job, now) if job.enabled else None
                when = timezone.localtime(upcoming).strftime("%Y-%m-%d %H:%M") if upcoming else "-"
                self.stdout.write(f"{job.name:<28} {job.describe():<20} next {when}")
            return
        worker_id = options["worker_id"] or worker.new_worker_id()
        if len(worker_id) > 64:
            raise CommandError("--worker-id: at most 64 characters")
        if options["verbosity"] == 0:
            # the runs are logged on "icihub.worker" (INFO) through the console
            # handler of settings.LOGGING, JSON lines with ICIHUB_LOG_FORMAT=json
            logging.getLogger("icihub.worker").setLevel(logging.WARNING)
        loop = worker.Loop(
            worker_id=worker_id,
            interval=options["interval"],
            schedule_every=options["schedule_interval"],
            schedule=not options["no_schedule"],
            queue=not options["no_tasks"],
        )
        if options["once"]:
            loop.once()
            worker.WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
            self.stdout.write(f"{loop.runs} scheduled runs, {loop.tasks} tasks")
            return
        self.stdout.write(
            f"icihub worker {worker_id}: {len(jobs.jobs())} scheduled jobs, queue "
            f"{worker.queue_length()} tasks (Ctrl-C stops it)"
        )
        sys.stdout.flush()
        loop.install_signals()
        try:
            loop.forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def _check_backend(self, options):
        backend = settings.TASKS["default"]["BACKEND"]
        if not options["no_tasks"] and not backend.startswith("django_tasks_db"):
            raise CommandError(
                f"the task backend is {backend}, which runs tasks at once: there is no queue "
                "for a worker (set ICIHUB_TASKS_BACKEND=database, or use --no-tasks)"
            )
