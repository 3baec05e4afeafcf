"""REST API of the Gulf calendar: a year's blocked periods (public), the check of a
session's dates, the Islamic dates with staff's confirmations and shifts, and the
Centre's closures (staff write). Thin: parse, call a selector or a service, shape."""

# No ``from __future__ import annotations``: ninja's PatchDict copies the body
# schema's annotations, which must be types, not strings.
import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import ERRORS, READ_ERRORS, Id, Pagination, actor, require_signed_in

from . import calendar, selectors, services
from .models import HIJRI_MAX_YEAR, HIJRI_MIN_YEAR, Closure, IslamicEvent

router = Router(tags=["gulf"])

Year = Annotated[int, Field(ge=selectors.MIN_YEAR, le=selectors.MAX_YEAR)]
HijriYear = Annotated[int, Field(ge=HIJRI_MIN_YEAR, le=HIJRI_MAX_YEAR)]
MAX_CHECK_DAYS = 366  # a session's dates, or a year: no longer span is checked at once


# -- shapes ---------------------------------------------------------------------------------


class BlockOut(Schema):
    start: dt.date
    end: dt.date
    kind: str
    name: str
    countries: list[str]
    estimated: bool
    hard: bool
    closure_id: int | None = None
    hijri_year: int | None = None


class YearOut(Schema):
    year: int
    working_days: list[int] = Field(
        description="Python weekday numbers of the working week (Monday 0 ... Sunday 6)"
    )
    blocks: list[BlockOut]


class ProblemsIn(Schema):
    start: dt.date
    end: dt.date


class ProblemsOut(Schema):
    start: dt.date
    end: dt.date
    problems: list[str]
    blocks: list[BlockOut]


class IslamicOut(Schema):
    hijri_year: int
    event: str
    name: str
    umm_al_qura_start: dt.date
    umm_al_qura_end: dt.date
    start: dt.date
    end: dt.date
    shift_days: int
    confirmed: bool
    estimated: bool
    note: str


class IslamicIn(Schema):
    shift_days: int = Field(0, ge=-1, le=1)
    confirmed: bool = False
    note: str = Field("", max_length=300)
    reason: str = Field("", max_length=500)


class ClosureOut(Schema):
    id: int
    name: str
    name_ar: str
    start: dt.date
    end: dt.date
    hard: bool
    note: str


class ClosureIn(Schema):
    # The limits on the types (Annotated), so that the optional copy a PATCH
    # takes (ninja's PatchDict) keeps them.
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_ar: Annotated[str, Field(max_length=200)] = ""
    start: dt.date
    end: dt.date
    hard: bool = True
    note: Annotated[str, Field(max_length=300)] = ""


# -- helpers ----------------------------------------------------------------------------------


def _block(b: calendar.Blocked) -> dict:
    return {
        "start": b.start,
        "end": b.end,
        "kind": b.kind,
        "name": b.name,
        "countries": list(b.countries),
        "estimated": b.estimated,
        "hard": b.hard,
        "closure_id": b.closure_id,
        "hijri_year": b.hijri_year,
    }


def _islamic(year: int) -> list[dict]:
    rows = {(r.hijri_year, r.event): r for r in selectors.islamic_dates_for(None)}
    out = []
    for block in calendar.islamic_periods(year):
        base = calendar.umm_al_qura(block.hijri_year)[block.kind]
        row = rows.get((block.hijri_year, block.kind))
        out.append(
            {
                "hijri_year": block.hijri_year,
                "event": block.kind,
                "name": block.name,
                "umm_al_qura_start": base[0],
                "umm_al_qura_end": base[1],
                "start": block.start,
                "end": block.end,
                "shift_days": row.shift_days if row else 0,
                "confirmed": row.confirmed if row else False,
                "estimated": block.estimated,
                "note": row.note if row else "",
            }
        )
    return out


# -- the year ---------------------------------------------------------------------------------


@router.get(
    "/gulf/years/{year}",
    response={200: YearOut, **READ_ERRORS},
    summary="A year's blocked periods: holidays, Ramadan and the Eids, closures",
)
def year_blocks(request, year: Path[Year]):
    blocks = calendar.blocked_periods(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {
        "year": year,
        "working_days": sorted(calendar.working_days()),
        "blocks": [_block(b) for b in blocks],
    }


@router.get(
    "/gulf/problems",
    response={200: ProblemsOut, 400: ERRORS[400], **READ_ERRORS},
    summary="What is wrong with holding a session on these dates",
)
def problems(request, params: Query[ProblemsIn]):
    errors = {}
    for name in ("start", "end"):
        if not selectors.MIN_YEAR <= getattr(params, name).year <= selectors.MAX_YEAR:
            errors[name] = _("The year must be from %(min)s to %(max)s.") % {
                "min": selectors.MIN_YEAR,
                "max": selectors.MAX_YEAR,
            }
    if errors:
        raise ValidationError(errors)
    if params.end < params.start:
        raise ValidationError({"end": _("The last day cannot be before the first day.")})
    if (params.end - params.start).days > MAX_CHECK_DAYS:
        raise ValidationError(
            {"end": _("Check at most %(n)s days at once.") % {"n": MAX_CHECK_DAYS}}
        )
    return {
        "start": params.start,
        "end": params.end,
        "problems": calendar.session_problems(params.start, params.end),
        "blocks": [_block(b) for b in calendar.blocked_periods(params.start, params.end)],
    }


# -- Islamic dates ------------------------------------------------------------------------------


@router.get(
    "/gulf/years/{year}/islamic",
    response={200: list[IslamicOut], **READ_ERRORS},
    summary="Ramadan and the Eids of a year: Umm al-Qura dates, staff's shifts and confirmations",
)
def islamic_list(request, year: Path[Year]):
    return _islamic(year)


@router.put(
    "/gulf/islamic/{hijri_year}/{event}",
    response={200: IslamicOut, **ERRORS},
    summary="Confirm an Islamic date, or shift it by a day (staff)",
)
def islamic_set(request, hijri_year: HijriYear, event: IslamicEvent, payload: IslamicIn):
    user = require_signed_in(request)
    row = services.set_islamic_date(
        user,
        hijri_year=hijri_year,
        event=str(event.value),
        shift_days=payload.shift_days,
        confirmed=payload.confirmed,
        note=payload.note,
        reason=payload.reason,
    )
    base = calendar.umm_al_qura(row.hijri_year)[row.event]
    years = {base[0].year, base[1].year}
    for year in sorted(years):
        for item in _islamic(year):
            if item["hijri_year"] == row.hijri_year and item["event"] == row.event:
                return item
    raise ValidationError({"hijri_year": _("This event falls outside the supported years.")})


# -- closures ----------------------------------------------------------------------------------


@router.get(
    "/gulf/closures",
    response={200: list[ClosureOut], **READ_ERRORS},
    summary="The Centre's closures and blackout periods",
)
@paginate(Pagination)
def closure_list(request):
    return selectors.closures_for(actor(request))


@router.get(
    "/gulf/closures/{closure_id}", response={200: ClosureOut, **READ_ERRORS}, summary="A closure"
)
def closure_detail(request, closure_id: Id):
    return get_visible(Closure, actor(request), pk=closure_id)


@router.post("/gulf/closures", response={201: ClosureOut, **ERRORS}, summary="Add a closure")
def closure_create(request, payload: ClosureIn):
    user = require_signed_in(request)
    closure = services.create_closure(user, payload.dict())
    return Status(201, closure)


@router.patch(
    "/gulf/closures/{closure_id}", response={200: ClosureOut, **ERRORS}, summary="Change a closure"
)
def closure_update(request, closure_id: Id, payload: PatchDict[ClosureIn]):
    user = require_signed_in(request)
    closure = get_visible(Closure, user, pk=closure_id)
    data = {k: v for k, v in payload.items() if v is not None}
    return services.update_closure(closure, user, data)


@router.delete(
    "/gulf/closures/{closure_id}", response={204: None, **ERRORS}, summary="Delete a closure"
)
def closure_delete(request, closure_id: Id):
    user = require_signed_in(request)
    closure = get_visible(Closure, user, pk=closure_id)
    services.delete_closure(closure, user)
    return Status(204, None)
