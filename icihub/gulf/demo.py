"""Demo data of the Gulf calendar: NATO's summer break as a Centre closure (the
instructors come from NATO bodies, which are then closed), this year and next
(the "small" demo) or every year since the Centre opened in 2017 (the "full"
demo, as its ten years of sessions). Demonstration data, not NATO's published
dates: provenance "demo". Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from icihub.core.demo import is_full
from icihub.core.reference import Progress, upsert

from .models import Closure, Provenance

FIRST_YEAR = 2017


def load(progress: Progress, size: str | None = None) -> None:
    year = timezone.localdate().year
    years = range(FIRST_YEAR if is_full(size) else year, year + 2)
    for y in years:
        upsert(
            Closure,
            {"name": f"NATO summer break {y}"},
            {
                "name_ar": f"العطلة الصيفية لحلف الناتو {y}",
                "start": dt.date(y, 8, 1),
                "end": dt.date(y, 8, 19),
                "hard": True,
                "note": "Demonstration data: the NATO bodies the instructors come from are closed.",
                "provenance": Provenance.DEMO,
            },
        )
    progress(f"  NATO summer break: {len(years)} closures")
