"""Export of the programmes a user may see: one CSV row per supporting
activity, with its objective, goal, plan and delivery. The file carries the
most restrictive marking of its rows (programmes and menu activities), every
cell is neutralised against formula injection, and the export is audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from icihub.core import audit
from icihub.core.access import Marking, most_restrictive
from icihub.core.text import neutralise_formula

from .models import Delivery, PartnershipGoal, Programme, ProgrammeItem, StrategicObjective

COLUMNS = [
    "programme",
    "country",
    "kind",
    "first_year",
    "last_year",
    "state",
    "version",
    "objective",
    "goal",
    "activity_code",
    "activity_title",
    "priority",
    "planned_year",
    "planned_quarter",
    "seats",
    "delivered",
    "participants",
]


@dataclass
class ExportResult:
    content: bytes
    filename: str
    marking: Marking
    programmes: int
    rows: int


def export_programmes(user, programmes=None) -> ExportResult:
    """The visible programmes (``programmes``: a queryset already scoped with
    ``visible_to(user)``; all visible ones by default) as CSV."""
    qs = programmes if programmes is not None else Programme.objects.visible_to(user)
    items = ProgrammeItem.objects.select_related("activity").prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.only("pk", "item_id", "participants"))
    )
    qs = (
        qs.select_related("country")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=StrategicObjective.objects.prefetch_related(
                    Prefetch(
                        "goals",
                        queryset=PartnershipGoal.objects.prefetch_related(
                            Prefetch("items", queryset=items)
                        ),
                    )
                ),
            )
        )
        .order_by("country__name", "start_year")
    )
    rows, markings, count = [], [], 0
    for programme in qs:
        count += 1
        markings.append(programme.marking)
        for objective in programme.objectives.all():
            for goal in objective.goals.all():
                for item in goal.items.all():
                    deliveries = list(item.deliveries.all())
                    markings.append(item.activity.marking)
                    rows.append(
                        [
                            str(programme),
                            programme.country.iso3,
                            programme.kind,
                            programme.start_year,
                            programme.end_year,
                            programme.state,
                            programme.version,
                            objective.title,
                            goal.title,
                            item.activity.code,
                            item.activity.local_title,
                            item.priority,
                            item.planned_year,
                            item.planned_quarter or "",
                            item.seats,
                            "yes" if deliveries else "no",
                            sum(d.participants for d in deliveries),
                        ]
                    )
    marking = most_restrictive(markings)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    out = io.StringIO(newline="")
    out.write(f"# {marking.label} — icihub individual programmes, exported {stamp}\r\n")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise_formula(v) if isinstance(v, str) else v for v in row])
    audit.log_event(
        audit.Action.EXPORT,
        None,
        message=f"individual programmes exported as csv ({count} programmes, {len(rows)} rows)",
        data={"format": "csv", "programmes": count, "rows": len(rows), "marking": marking.value},
        actor=user,
    )
    return ExportResult(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        f"icihub-programmes-{stamp}.csv",
        marking,
        count,
        len(rows),
    )
