"""icihub load-demo: load the demo data of every app (demo accounts first),
in one transaction."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from icihub.core import demo

from ._common import command_errors


class Command(BaseCommand):
    help = (
        "Load the demo data of every app (icihub/<app>/demo.py, in order) and the demo "
        "accounts, in one transaction. Needs the reference data (icihub load-reference)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has user accounts.",
        )
        parser.add_argument(
            "--size",
            choices=demo.SIZES,
            default=None,
            help="full: ten years of the Centre and the menu at about 1,400 activities; "
            "small: the first year and the sourced examples (default: ICIHUB_DEMO_SIZE, "
            "else full).",
        )

    def handle(self, *args, **options):
        from icihub.core.countries import country_model
        from icihub.core.models import User

        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database has user accounts already: demo data not loaded.")
            return
        if not country_model().objects.exists():
            raise CommandError(_("No reference data: run `icihub load-reference` first."))
        with command_errors():
            apps = demo.load_all(
                progress=lambda line: self.stdout.write(line), size=options["size"]
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({', '.join(apps)})."))
