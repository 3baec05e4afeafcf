"""The training app's scheduled jobs (run by ``icihub worker``; icihub.core.jobs)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from icihub.core.access import SYSTEM
from icihub.core.jobs import scheduled


@scheduled("reallocate-seats", daily_at=dt.time(2, 0))
def reallocate_seats(run) -> str:
    """Release the unused quota seats of the sessions whose reallocation date has
    come and promote waiting nominees (the service ``reallocate``; running it
    again the same day changes nothing)."""
    from . import services

    report = services.reallocate(timezone.localdate(run.due_at))
    return report.summary()


@scheduled("anonymisation-due", daily_at=dt.time(3, 0))
def anonymisation_due(run) -> str:
    """The participants due for anonymisation (icihub.training.privacy): listed
    for staff on the page "Due for anonymisation". They are anonymised here only
    when the operator has configured it (``ICIHUB_ANONYMISE_DUE=1``): then the
    retention rule (``ICIHUB_RETENTION_YEARS``) decides who, as on the command
    line (``icihub privacy anonymise-due``), all or nothing."""
    from . import privacy

    day = timezone.localdate(run.due_at)
    due = privacy.due(SYSTEM, day).count()
    if not settings.ICIHUB_ANONYMISE_DUE:
        return (
            f"{due} participants due for anonymisation on {day.isoformat()} (listed for "
            "staff; not anonymised: ICIHUB_ANONYMISE_DUE is off)"
        )
    done = privacy.anonymise_due(
        SYSTEM,
        reason=(
            f"Retention period of {privacy.retention_years()} years over "
            "(scheduled anonymisation, ICIHUB_ANONYMISE_DUE)"
        ),
        today=day,
    )
    return f"{len(done)} participants anonymised on {day.isoformat()}"
