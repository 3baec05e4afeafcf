"""icihub menu-export FILE: write the whole cooperation menu to a CSV or XLSX
file (the format follows the file's extension)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from icihub.core.access import SYSTEM
from icihub.core.management.commands._common import command_errors, user_by_name, write_output
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
        actor = user_by_name(options["username"]) if options.get("username") else SYSTEM
        with command_errors():
            result = services.export_menu(
                actor, file_format, progress=lambda line: self.stdout.write(line)
            )
        write_output(path, result.content)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.count} activities written to {path} (marking: {result.marking.label})."
            )
        )
