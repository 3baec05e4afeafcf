"""icihub calendar --year 2027: the Gulf calendar's blocked periods of a year (public
holidays of the six countries, Ramadan and the Eids, the Centre's closures), one
a line, with the working week. ``--json`` prints them as the API does."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from icihub.core.management.commands._common import write_table


class Command(BaseCommand):
    help = "Print the Gulf calendar's blocked periods of a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The year (default: this year).")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        from icihub.gulf import calendar, selectors

        year = options["year"] or timezone.localdate().year
        if not selectors.MIN_YEAR <= year <= selectors.MAX_YEAR:
            raise CommandError(
                f"The year must be from {selectors.MIN_YEAR} to {selectors.MAX_YEAR} "
                "(the Umm al-Qura tables' range)."
            )
        blocks = calendar.blocked_periods(dt.date(year, 1, 1), dt.date(year, 12, 31))
        week = sorted(calendar.working_days())
        if options["json"]:
            rows = [
                {
                    "start": b.start.isoformat(),
                    "end": b.end.isoformat(),
                    "kind": b.kind,
                    "name": b.name,
                    "countries": list(b.countries),
                    "estimated": b.estimated,
                    "hard": b.hard,
                }
                for b in blocks
            ]
            self.stdout.write(json.dumps({"year": year, "working_days": week, "blocks": rows}))
            return
        names = [
            dt.date(2023, 1, 2 + d).strftime("%a") for d in sorted(week, key=lambda d: (d + 1) % 7)
        ]
        self.stdout.write(f"Gulf calendar {year}. Working week: {', '.join(names)}.")
        write_table(
            self.stdout,
            ("start", "end", "kind", "name", "countries", "status"),
            [
                (
                    b.start.isoformat(),
                    b.end.isoformat(),
                    b.kind,
                    b.name,
                    " ".join(b.countries) or "Centre",
                    ("estimated" if b.estimated else "") + ("" if b.hard else " advisory"),
                )
                for b in blocks
            ],
        )
