"""icihub load-reference: load (or bring up to date) all reference data.
Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from icihub.core import audit
from icihub.core.reference import load_all


class Command(BaseCommand):
    help = "Load the reference data (sources, partner registry, areas, seed events). Idempotent."

    def handle(self, *args, **options):
        try:
            with audit.acting(reason="load-reference"):
                load_all(progress=lambda line: self.stdout.write(line))
        except FileNotFoundError as exc:
            raise CommandError(str(exc))
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
