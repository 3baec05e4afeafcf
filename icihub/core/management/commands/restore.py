"""icihub restore FILE [--force-foreign] [--no-safety-backup]: verify a
backup archive, then replace the database and the uploaded files with it.
A corrupted, foreign or incompatible archive is refused and nothing changes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from icihub.core.backup import BackupError, backup, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `icihub backup`. Everything is verified first "
        "(checksums, format, installation, schema); then the database and the media "
        "files are replaced. Stop the server (or expect its users to sign in again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force-foreign",
            action="store_true",
            help="Accept an archive of another installation (moving to a new server).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the archive; change nothing.",
        )
        parser.add_argument(
            "--no-safety-backup",
            dest="safety",
            action="store_false",
            help="Do not back up the current data first.",
        )

    def handle(self, *args, **options):
        say = self.stderr.write
        try:
            if options["check"]:
                manifest = verify(options["file"], force_foreign=options["force_foreign"])
                self.stdout.write(
                    f"The archive is sound: {len(manifest['files'])} files, made "
                    f"{manifest['created_at']}."
                )
                return
            if options["safety"]:
                # refused before the current data are even copied
                verify(options["file"], force_foreign=options["force_foreign"])
                safety = backup(progress=lambda line: None)
                say(f"current data saved first to {safety.path}")
            manifest = restore(
                options["file"], force_foreign=options["force_foreign"], progress=say
            )
        except BackupError as exc:
            raise CommandError(f"{exc} (nothing was changed)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} "
                f"(icihub {manifest['app_version']})."
            )
        )
