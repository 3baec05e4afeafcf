"""Writes of the reports app: locking a year's figures when they are published.

A snapshot keeps the figures (totals and every table of the annual report),
their definitions and the report's marking as they were on the day; it never
changes afterwards (the model and its queryset refuse updates and deletes).
The annual report then shows any difference between the snapshot and the
figures computed live from records corrected later."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import STAFF_ROLES, check_create, require_role
from icihub.core.errors import Conflict

from . import report as reports
from .models import Snapshot
from .scope import Period, Scope, parse_year


def lock_year(actor, year, *, note: str = "", progress=None) -> Snapshot:
    """Lock the figures of ``year`` as published (staff). A year is locked once."""
    require_role(actor, *STAFF_ROLES)
    check_create(actor, Snapshot)
    year = parse_year(year)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("A year that has not begun cannot be published.")})
    if Snapshot.objects.filter(year=year).exists():
        raise Conflict(_("The figures of %(year)s are already locked.") % {"year": year})
    scope = Scope.for_user(actor, Period.of_year(year))
    report = reports.build_annual(scope, progress=progress, charts_=False)
    snapshot = Snapshot(
        year=year,
        figures=report.figures_json(),
        definitions={f.key: str(f.definition) for f in report.figures_used},
        marking=report.marking.value,
        note=(note or "").strip(),
        locked_by=actor,
        locked_by_label=actor.get_username(),
        locked_at=timezone.now(),
    )
    with audit.acting(actor, reason=note or _("figures published")), transaction.atomic():
        snapshot.full_clean()
        try:
            with transaction.atomic():
                snapshot.save()
        except IntegrityError:
            raise Conflict(_("The figures of %(year)s are already locked.") % {"year": year})
        audit.record(
            audit.Action.TRANSITION,
            snapshot,
            {"locked": {"before": None, "after": snapshot.locked_at.isoformat()}},
            reason=note or "",
        )
    return snapshot
