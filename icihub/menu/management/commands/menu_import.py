"""icihub menu-import FILE [--dry-run]: import the cooperation menu from a CSV
or XLSX file (the export's columns), all or nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from icihub.core.access import SYSTEM
from icihub.core.management.commands._common import user_by_name
from icihub.menu import services
from icihub.menu.transfer import ImportRejected


class Command(BaseCommand):
    help = (
        "Import the cooperation menu from a CSV or XLSX file. Rows whose code exists "
        "update the activity; the others create one. With any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file with the menu's columns")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--as", dest="username", help="act as this user (default: the system)")

    def handle(self, *args, **options):
        actor = user_by_name(options["username"]) if options.get("username") else SYSTEM
        path = options["file"]
        try:
            report = services.import_menu(
                actor,
                path,
                dry_run=options["dry_run"],
                progress=lambda line: self.stdout.write(line),
            )
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}")
        except ImportRejected as exc:
            self._errors(exc.report)
            raise CommandError(
                f"{len(exc.report.errors)} error(s) in {path}: nothing was imported."
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        except PermissionDenied as exc:
            raise CommandError(str(exc))
        if report.errors:  # dry run with errors
            self._errors(report)
            raise CommandError(f"{len(report.errors)} error(s) in {path} (dry run).")
        verb = "would create" if report.dry_run else "created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total} rows: {verb} {report.created}, "
                f"{'would update' if report.dry_run else 'updated'} {report.updated}, "
                f"{report.unchanged} unchanged."
            )
        )

    def _errors(self, report):
        for error in report.errors[:200]:
            self.stderr.write(f"row {error.row}, {error.field or 'file'}: {error.message}")
        if len(report.errors) > 200:
            self.stderr.write(f"... and {len(report.errors) - 200} more")
