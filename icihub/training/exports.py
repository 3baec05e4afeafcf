"""CSV and XLSX exports of participants and nominations. Every text cell is
neutralised (a leading = + - @ is made inert) so a hostile name cannot run as a
formula in a spreadsheet; each export carries the marking of its rows and is
recorded in the audit trail."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import Marking
from icihub.core.text import attach, download_name, neutralise_formula

# Personal records of a partner's people: releasable to the partner concerned.
PERSONAL_MARKING = Marking.REL_PARTNER

PARTICIPANT_HEADER = [
    "given_name",
    "family_name",
    "name_ar",
    "country",
    "service",
    "rank",
    "rank_code",
    "position",
    "organisation",
    "email",
    "date_of_birth",
]
NOMINATION_HEADER = [*PARTICIPANT_HEADER, "session", "priority", "status", "has_seat", "outcome"]


def participant_row(p) -> list:
    return [
        p.given_name,
        p.family_name,
        p.name_ar,
        p.country.iso3,
        p.service,
        p.rank,
        p.rank_code,
        p.position,
        p.organisation,
        p.email,
        p.date_of_birth.isoformat() if p.date_of_birth else "",
    ]


def nomination_row(n) -> list:
    return [
        *participant_row(n.participant),
        n.session.reference,
        n.priority,
        n.status,
        "yes" if n.has_seat else "no",
        n.outcome,
    ]


def _safe(row: list) -> list:
    return [neutralise_formula(value) for value in row]


def respond(user, name: str, header: list[str], rows, fmt: str, *, description: str):
    """An attachment response (``fmt`` "csv" or "xlsx")."""
    marking = PERSONAL_MARKING
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        # a sheet's title may not hold / \\ ? * [ ] : (a session reference may)
        sheet = workbook.create_sheet(download_name(name)[:31])
        sheet.append(header)
        count = 0
        for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is kept
            sheet.append(_safe(row))
        about = workbook.create_sheet("about")
        about.append([_("Marking"), str(Marking(marking).label)])
        about.append([_("Contents"), description])
        buffer = io.BytesIO()
        workbook.save(buffer)
        body = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        buffer = io.StringIO()
        # the marking first, as a comment line (the import skips it)
        buffer.write(f"# {Marking(marking).label} — {description}\r\n")
        writer = csv.writer(buffer)
        writer.writerow(header)
        count = 0
        for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is kept
            writer.writerow(_safe(row))
        body = buffer.getvalue().encode("utf-8-sig")
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    attach(response, f"{name}.{fmt}")
    response["X-Icihub-Marking"] = str(marking.value)
    audit.log_event(
        audit.Action.EXPORT,
        None,
        message=f"{description}: {count} rows ({fmt})",
        actor=user,
    )
    return response
