"""Demo data of the Gulf calendar: NATO's summer break as a Centre closure, this
year and next (the instructors come from NATO bodies, which are then closed).
Demonstration data, not NATO's published dates. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from icihub.core.reference import Progress, upsert

from .models import Closure


def load(progress: Progress) -> None:
    year = timezone.localdate().year
    for y in (year, year + 1):
        upsert(
            Closure,
            {"name": f"NATO summer break {y}"},
            {
                "name_ar": f"العطلة الصيفية لحلف الناتو {y}",
                "start": dt.date(y, 8, 1),
                "end": dt.date(y, 8, 19),
                "hard": True,
                "note": "Demonstration data: the NATO bodies the instructors come from are closed.",
            },
        )
    progress("  NATO summer break: two closures")
