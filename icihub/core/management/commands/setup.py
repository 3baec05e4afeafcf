"""icihub setup: bring a database up to date and, on an empty one, fill it with
the demo data and demo accounts. Safe to run again: existing data is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

STAMP = ".icihub-static-fingerprint"


def static_fingerprint() -> str:
    """A digest of every static file the finders see (name, size, mtime)."""
    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = Path(storage.path(path)).stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collect_static(stdout) -> bool:
    """collectstatic (with whitenoise's compression, slow) unless nothing changed
    since the last set-up. Returns whether it ran."""
    stamp = Path(settings.STATIC_ROOT) / STAMP
    fingerprint = static_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0, stdout=stdout)
    stamp.write_text(fingerprint)
    return True


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, load the reference data and, when the database "
        "has no user accounts yet, the demo data with one demo account per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo", action="store_true", help="Never load demo data or demo accounts."
        )

    def handle(self, *args, **options):
        from icihub.core import demo
        from icihub.core.models import User

        verbosity = options["verbosity"]
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=self.stdout)
        # The shared cache's table (rate limits across servers); migrating makes it
        # too, this keeps it when CACHES names another table later.
        call_command("createcachetable", verbosity=verbosity, stdout=self.stdout)
        self.stdout.write("Collecting static files…")
        if not collect_static(self.stdout):
            self.stdout.write("  static files up to date")
        call_command("load_reference", verbosity=verbosity, stdout=self.stdout)
        if User.objects.exists():
            self.stdout.write(
                f"The database has {User.objects.count()} user accounts: kept as it is "
                "(no demo data loaded)."
            )
            return
        if options["no_demo"]:
            self.stdout.write("No user accounts yet; create one with `icihub user create`.")
            return
        call_command("load_demo", verbosity=verbosity, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (one per role):"))
        for spec in demo.DEMO_USERS:
            self.stdout.write(f"  {spec.username:<12} {spec.description}")
        self.stdout.write(f"  password for all of them: {demo.demo_password()}")
        self.stdout.write(
            "  staff accounts (admin, nato, centre) also give a code from an authenticator app"
        )
        self.stdout.write(f"  set up with the demo key {demo.demo_totp_secret()}")
        self.stdout.write(
            "  (or print the current code on this server: icihub user otp-code admin)"
        )
