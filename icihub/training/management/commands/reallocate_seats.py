"""icihub reallocate-seats: release the quotas of the sessions whose reallocation
date has come and promote waiting nominees to the free seats, in the fair order
documented in ``icihub.training.services`` (round-robin across countries by
seats held, then the country's priority, then the time of nomination).

The worker (``icihub worker``) runs it every night as the scheduled job
``reallocate-seats`` (icihub/training/jobs.py), once however many workers run;
this command runs it by hand.

Each session is its own transaction, retried a few times when a concurrent
change gets in the way (a nominee withdrawn during the run); the command prints
each session's result (reallocated, unchanged, or conflict with the reason).
Exit status 0 when every session was processed, 1 when some session still
failed after its retries (the others are processed all the same).

Running it twice the same day changes nothing the second time. ``--dry-run``
reports what would happen and writes nothing; ``--date`` runs it as of another
day (to catch up after an outage)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from icihub.core.management.commands._common import command_errors


class Command(BaseCommand):
    help = (
        "Release unused quota seats of the sessions due for reallocation and promote "
        "waiting nominees fairly (the worker runs it nightly; this runs it now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD; default today).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )

    def handle(self, *args, **options):
        from icihub.training import services

        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Not a date: {options['date']!r} (use YYYY-MM-DD).")
        with command_errors():
            report = services.reallocate(
                day,
                dry_run=options["dry_run"],
                progress=lambda line: self.stdout.write(line),
            )
        for result in report.results:
            style = self.style.ERROR if result.failed else (lambda text: text)
            self.stdout.write(style(f"  {result.line()}"))
            for name, iso3 in result.promoted:
                self.stdout.write(f"    {name} ({iso3})")
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} of {report.sessions} sessions could not be reallocated: "
                + ", ".join(r.reference for r in report.failed)
            )
