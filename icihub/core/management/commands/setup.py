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
    """A digest of every static file the finders see (name, size, mtime), and of
    the storage that collects them (a new one, such as the hashed names of the
    manifest storage, must collect again)."""
    from django.contrib.staticfiles.finders import get_finders

    entries = [f"storage\0{settings.STORAGES['staticfiles']['BACKEND']}"]
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
        parser.add_argument(
            "--demo-size",
            choices=("small", "full"),
            default=None,
            help="Size of the demo data loaded on an empty database (default: "
            "ICIHUB_DEMO_SIZE, else full).",
        )
        roles = parser.add_argument_group(
            "two-role PostgreSQL deployment (SECURITY.md)",
            "Run once as a superuser with --create-roles; then migrate as the owner and "
            "serve as the application role. Passwords come from the environment "
            "(ICIHUB_OWNER_PASSWORD, ICIHUB_APP_PASSWORD), never the command line.",
        )
        roles.add_argument(
            "--create-roles",
            action="store_true",
            help="Create the schema owner and the application role and their grants "
            "(PostgreSQL), then stop.",
        )
        roles.add_argument("--owner-role", default="icihub_owner", help="The schema owner.")
        roles.add_argument("--app-role", default="icihub_app", help="The application's role.")

    def handle(self, *args, **options):
        if options["create_roles"]:
            return self.create_roles(options)
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
        call_command(
            "load_demo", verbosity=verbosity, stdout=self.stdout, size=options["demo_size"]
        )
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

    def create_roles(self, options):
        import os

        from django.core.management.base import CommandError
        from django.db import DatabaseError, connection, transaction
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        from icihub.core import dbroles

        owner, app = options["owner_role"], options["app_role"]
        try:
            with transaction.atomic():
                report = dbroles.create_roles(
                    connection,
                    owner=owner,
                    app=app,
                    owner_password=os.environ.get("ICIHUB_OWNER_PASSWORD") or None,
                    app_password=os.environ.get("ICIHUB_APP_PASSWORD") or None,
                )
        except dbroles.RoleError as exc:
            raise CommandError(str(exc))
        except DatabaseError as exc:
            raise CommandError(
                _("Could not create the roles (run this as a PostgreSQL superuser): %(error)s")
                % {"error": exc}
            )
        for name in (owner, app):
            if name in report.created:
                self.stdout.write(_("  role %(name)s: created") % {"name": name})
            else:
                self.stdout.write(_("  role %(name)s: already there") % {"name": name})
        self.stdout.write(
            ngettext(
                "  %(n)d object handed to %(owner)s; %(app)s has data rights only",
                "  %(n)d objects handed to %(owner)s; %(app)s has data rights only",
                report.reassigned,
            )
            % {"n": report.reassigned, "owner": owner, "app": app}
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Done. Next: migrate as %(owner)s (DATABASE_URL=postgres://%(owner)s@…  "
                    "icihub setup), then run the server, the worker and the everyday commands "
                    "as %(app)s."
                )
                % {"owner": owner, "app": app}
            )
        )
