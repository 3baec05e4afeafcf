"""icihub menu-export FILE: write the whole cooperation menu to a CSV or XLSX
file (the format follows the file's extension)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from icihub.menu import services


class Command(BaseCommand):
    help = "Export the whole cooperation menu to FILE (.csv or .xlsx). Audited."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write: a .csv or .xlsx file name")
        parser.add_argument(
            "--as",
            dest="username",
            help="export what this user may see (default: the system, everything)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in ("csv", "xlsx"):
            raise CommandError("The file name must end in .csv or .xlsx.")
        actor = None
        if options.get("username"):
            from icihub.core.models import User

            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"No user “{options['username']}”.")
        try:
            result = services.export_menu(
                actor, file_format, progress=lambda line: self.stdout.write(line)
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        try:
            path.write_bytes(result.content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.count} activities written to {path} (marking: {result.marking.label})."
            )
        )
