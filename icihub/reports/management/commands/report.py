"""icihub report annual|country: build a report and write it as PDF, XLSX, CSV
or JSON, showing progress.

    icihub report annual --year 2017 --format pdf [--output FILE] [--as USERNAME]
    icihub report country --country KWT --year 2017 --format xlsx [--output FILE]

Without ``--as`` the report is the system's (every record); with it, the
report holds only what that user may see (a coordinator: only their own
country's report). The export is recorded in the audit trail."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core.access import SYSTEM
from icihub.core.management.commands._common import (
    command_errors,
    country_by_code,
    user_by_name,
    write_output,
)
from icihub.reports import exports
from icihub.reports import report as reports
from icihub.reports.permissions import may_report_on
from icihub.reports.scope import Filters, Period, Scope, parse_period, parse_year


class Command(BaseCommand):
    help = "Build the annual report or a country report as PDF, XLSX, CSV or JSON."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True)
        annual = kinds.add_parser("annual", help="the annual report of a year")
        country = kinds.add_parser("country", help="the report of one partner country")
        country.add_argument("--country", required=True, help="ISO 3166 code, e.g. KWT")
        country.add_argument(
            "--from", dest="start", help="first day (YYYY-MM-DD) instead of --year"
        )
        country.add_argument("--to", dest="end", help="last day (YYYY-MM-DD) instead of --year")
        for sub in (annual, country):
            sub.add_argument("--year", help="the year, e.g. 2017")
            sub.add_argument(
                "--format", dest="file_format", choices=list(exports.FORMATS), default="pdf"
            )
            sub.add_argument("--output", "-o", help="file to write (default: a name in .)")
            sub.add_argument(
                "--as",
                dest="username",
                help="report what this user may see (default: the system, every record)",
            )

    def handle(self, *args, **options):
        actor = user_by_name(options["username"]) if options.get("username") else SYSTEM

        def progress(line: str) -> None:
            self.stdout.write(f"  {line}")

        with command_errors():
            if options["kind"] == "annual":
                if not options.get("year"):
                    raise CommandError(_("Give the year: --year 2017."))
                period = Period.of_year(parse_year(options["year"]))
                scope = Scope.for_user(actor, period, Filters())
                self.stdout.write(_("Annual report %(period)s…") % {"period": period.label})
                report = reports.build_annual(scope, progress=progress)
            else:
                country = country_by_code(options["country"])
                if not may_report_on(actor, country):
                    raise CommandError(
                        _("%(user)s may not produce the report of %(country)s.")
                        % {"user": actor.username, "country": country.name}
                    )
                period = parse_period(
                    {
                        "year": options.get("year"),
                        "from": options.get("start"),
                        "to": options.get("end"),
                    }
                )
                if not (options.get("year") or options.get("start")):
                    raise CommandError(_("Give the period: --year 2017 (or --from and --to)."))
                scope = Scope.for_user(actor, period, Filters(country=country))
                self.stdout.write(
                    _("Report of %(country)s, %(period)s…")
                    % {"country": country.name, "period": period.label}
                )
                report = reports.build_country(scope, country, progress=progress)
            result = exports.export(report, options["file_format"], progress=progress)
        path = write_output(options.get("output") or result.filename, result.content)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(path)s written (%(n)s byte, marking: %(marking)s).",
                    "%(path)s written (%(n)s bytes, marking: %(marking)s).",
                    len(result.content),
                )
                % {"path": path, "n": f"{len(result.content):,}", "marking": result.marking.label}
            )
        )
