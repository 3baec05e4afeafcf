"""icihub setup: bring a database up to date and, on an empty one, fill it with
the demo data and demo accounts. Safe to run again: existing data is kept."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


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
        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0, stdout=self.stdout)
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
