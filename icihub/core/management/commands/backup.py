"""icihub backup [--output FILE]: a consistent, checksummed archive of the
database and the uploaded files, taken while the server runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from icihub.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup archive (database + uploaded files + manifest with checksums) "
        "to FILE, or to ICIHUB_DATA_DIR/backups/. Safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Where to write the archive (.tar.gz).")

    def handle(self, *args, **options):
        try:
            result = backup(options.get("output"), progress=lambda line: self.stderr.write(line))
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(str(result.path))
