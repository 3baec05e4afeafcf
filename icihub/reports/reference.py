"""Reference data of the reports app: the figures others published about the
Centre, each with its source and the quoted passage, shown beside icihub's own
count over the same period. Idempotent (``core.reference.upsert/cite``)."""

from __future__ import annotations

import datetime as dt

from icihub.core.models import Citation
from icihub.core.reference import Progress, cite, source, upsert

from .models import PublishedFigure

SEED_003 = (
    "Nato said during its first year, 14 courses and activities were carried out at the "
    "Centre, 478 officers from ICI and GCC countries were trained and 149 instructors and "
    "experts travelled to the Centre to deliver the courses."
)
KUNA = "To April 2025: 101 political-dialogue events and 56 military training courses."

FIRST_YEAR = (dt.date(2017, 1, 1), dt.date(2017, 12, 31), "2017 (the Centre's first year)")
TO_APRIL_2025 = (dt.date(2017, 1, 1), dt.date(2025, 4, 30), "January 2017 – April 2025")

# key, label, icihub figure, period, value, source, quote
PUBLISHED = [
    (
        "first-year-activities",
        "Courses and activities carried out at the Centre in its first year",
        "activities",
        FIRST_YEAR,
        14,
        "seed-003",
        SEED_003,
    ),
    (
        "first-year-officers",
        "Officers from ICI and GCC countries trained in the Centre's first year",
        "trained",
        FIRST_YEAR,
        478,
        "seed-003",
        SEED_003,
    ),
    (
        "first-year-instructors",
        "Instructors and experts who travelled to the Centre in its first year",
        "travellers",
        FIRST_YEAR,
        149,
        "seed-003",
        SEED_003,
    ),
    (
        "to-2025-04-dialogue-events",
        "Political-dialogue events to April 2025",
        "events",
        TO_APRIL_2025,
        101,
        "kuna-2025-04",
        KUNA,
    ),
    (
        "to-2025-04-training-courses",
        "Military training courses to April 2025",
        "sessions",
        TO_APRIL_2025,
        56,
        "kuna-2025-04",
        KUNA,
    ),
]


def load(progress: Progress = print) -> None:
    for key, label, figure, (start, end, period), value, source_key, quote in PUBLISHED:
        row, _changed = upsert(
            PublishedFigure,
            {"key": key},
            {
                "label": label,
                "figure": figure,
                "period_start": start,
                "period_end": end,
                "period_label": period,
                "value": value,
                "source": source(source_key),
                "is_public": True,
            },
        )
        cite(row, "value", value, source_key, quote=quote, kind=Citation.Kind.NUMBER)
    progress(f"  {len(PUBLISHED)} published figures with their sources")
