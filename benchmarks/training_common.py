"""Shared set-up of the training benchmarks: a throw-away SQLite database in a
temporary directory, migrated, with the reference data, a Centre staff account
and a course open to the ICI. Not a benchmark itself."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from timing import measure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def scratch_django(prefix: str) -> str:
    tmp = tempfile.mkdtemp(prefix=f"icihub-bench-training-{prefix}-")
    os.environ["ICIHUB_DATA_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "icihub.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    from icihub.core import audit
    from icihub.core.reference import load_all

    with audit.suspended():
        load_all(progress=lambda line: None)
    return tmp


def staff_and_course(code: str = "NIRC-BENCH-1"):
    from icihub.core.access import SYSTEM
    from icihub.core.services import create_user
    from icihub.menu.models import Area
    from icihub.partners.models import Framework, Organisation
    from icihub.training import services

    staff = create_user(SYSTEM, username="centre", role="centre_staff", password=None)
    course = services.create_course(
        staff,
        {
            "code": code,
            "title": "Benchmark course",
            "provider": Organisation.objects.get(slug="nato-ici-rc"),
            "marking": "public",
            "duration_days": 5,
            "areas": list(Area.objects.filter(code="crisis-management")),
        },
    )
    course.eligible_frameworks.set(Framework.objects.filter(code="ici"))
    return staff, course


def median_ms(fn, runs: int) -> tuple[float, int]:
    """Median wall time (ms) of ``runs`` calls after a warm-up, and the number of
    SQL queries of one call."""
    timing = measure(fn, runs)
    return timing.median_ms, timing.queries
