"""REST API of the figures: the figures of a period with filters (each with its
definition and, for a signed-in user, the address of the records it counts),
the records behind a number, the annual and country reports as JSON, the
published figures beside icihub's count, and the published snapshots.

A signed-in caller gets the figures of the rows they may see; a caller without
a token gets the public statistics (records marked public, aggregated, small
counts hidden)."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Converted,
    Id,
    Pagination,
    actor,
    require_signed_in,
)
from icihub.core.dates import PartialDate

from . import exports, figcache, figures, selectors, services
from . import report as reports
from .models import Snapshot
from .records import list_for
from .scope import (
    MAX_YEAR,
    MIN_YEAR,
    Filters,
    Period,
    Scope,
    parse_filters,
    parse_period,
    parse_year,
)

#: A year of the reports (the range ``scope.parse_year`` accepts).
ReportYear = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]

router = Router(tags=["reports"])


# -- schemas ----------------------------------------------------------------------------


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    label: str
    year: int | None = None


class FiltersOut(Schema):
    country: str | None = None
    area: str | None = None
    framework: str | None = None


class BreakdownRowOut(Schema):
    key: str
    label: str
    value: int | float | None = None
    suppressed: bool = False
    records: str | None = Field(None, description="Address of the records it counts")


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    unit: str = Field(description="count, days or score")
    value: int | float | None = None
    suppressed: bool = False
    records: str | None = Field(None, description="Address of the records it counts")
    dimensions: list[str]
    breakdowns: dict[str, list[BreakdownRowOut]] = {}


class FiguresOut(Schema):
    period: PeriodOut
    filters: FiltersOut
    public: bool
    summary: str
    figures: list[FigureOut]


class FigureQuery(Schema):
    year: ReportYear | None = Field(
        None, description="A calendar year (default: the latest with data)"
    )
    from_: dt.date | None = Field(None, alias="from", description="First day (with `to`)")
    to: dt.date | None = Field(None, description="Last day (with `from`)")
    country: str | None = Field(None, description="ISO alpha-3")
    area: str | None = Field(None, description="Area of cooperation code")
    framework: str | None = Field(None, description="Framework code, e.g. ici")


class RecordsQuery(FigureQuery):
    by: str | None = Field(None, description="A dimension of the figure (one row of a breakdown)")
    value: str | None = Field(None, description="The row's key in that dimension")
    part: str | None = Field(None, description="For a sum of figures: which part's records")


class RecordOut(Schema):
    id: int
    type: str
    label: str
    url: str | None = None
    fields: dict[str, Any]


class SnapshotOut(Schema):
    id: int
    year: int
    locked_at: dt.datetime
    locked_by: str
    note: str
    marking: str


class DifferenceOut(Schema):
    key: str
    label: str
    snapshot: int | float | None = None
    live: int | float | None = None
    difference: int | float | None = None


class SnapshotDetailOut(SnapshotOut):
    figures: dict[str, Any]
    definitions: dict[str, str]
    differences: list[DifferenceOut]


class LockIn(Schema):
    year: ReportYear
    note: str = ""


class PublishedOut(Schema):
    key: str
    label: str
    figure: str
    period: PeriodOut
    published: int
    icihub: int | float | None = None
    difference: int | float | None = None
    source: str
    quote: str
    records: str | None = None


# -- helpers -------------------------------------------------------------------------------


def _period_params(query) -> dict:
    """The period of a query (``year``, or ``from`` and ``to``) as ``parse_period`` reads it."""
    return {
        "year": str(query.year) if query.year is not None else "",
        "from": query.from_.isoformat() if query.from_ else "",
        "to": query.to.isoformat() if query.to else "",
    }


def _scope(request, query: FigureQuery, *, public_if_anonymous: bool = True) -> Scope:
    user = actor(request)
    params = {
        **_period_params(query),
        "country": query.country or "",
        "area": query.area or "",
        "framework": query.framework or "",
    }
    errors = {}
    period, filters = None, Filters()
    try:
        period = parse_period(params, default_year=selectors.default_year(user))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        filters = parse_filters(params)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if public_if_anonymous and not user.is_authenticated:
        _check_public(params, period)
        return Scope.public(period, filters)
    return Scope.for_user(user, period, filters)


def _check_public(params: dict, period: Period) -> None:
    """The public figures are published by calendar year, without filters: any
    other slice would publish further tables from which a hidden count could be
    worked out (docs/reports.md, "Public statistics and small counts")."""
    errors = {}
    for name in ("country", "area", "framework"):
        if params[name]:
            errors[name] = [_("The public figures have no filters; sign in to use them.")]
    if not period.is_year:
        name = "from" if params["from"] else "year"
        errors[name] = [_("The public figures are published by calendar year.")]
    if errors:
        raise ValidationError(errors)


def _figure_out(scope: Scope, figure, *, breakdowns: list[str]) -> dict:
    cell = reports.number(scope, figure.key)
    out = {
        "key": figure.key,
        "label": str(figure.label),
        "definition": str(figure.definition),
        "unit": figure.unit or "count",
        "value": cell.export_value,
        "suppressed": cell.suppressed,
        "records": cell.url,
        "dimensions": list(figure.dims),
        "breakdowns": {},
    }
    for dimension in breakdowns:
        if dimension not in figure.dims:
            continue
        table = reports.build_table(
            reports.TableSpec("api", "", dimension, (figure.key,)), scope, chart=False
        )
        out["breakdowns"][dimension] = [
            {
                "key": row.param,
                "label": row.label,
                "value": row.cells[0].export_value,
                "suppressed": row.cells[0].suppressed,
                "records": row.cells[0].url,
            }
            for row in table.rows
        ]
    return out


def _json_value(value):
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _record_out(spec, obj) -> dict:
    cells = spec.cells(obj)
    return {
        "id": obj.pk,
        "type": obj._meta.label_lower,
        "label": cells[0]["text"] if cells else str(obj.pk),
        "url": cells[0]["url"] if cells else None,
        "fields": {c["key"]: _json_value(c["value"]) for c in cells},
    }


def _snapshot_out(s: Snapshot) -> dict:
    return {
        "id": s.pk,
        "year": s.year,
        "locked_at": s.locked_at,
        "locked_by": s.locked_by_label,
        "note": s.note,
        "marking": s.marking,
    }


# -- figures ----------------------------------------------------------------------------------


@router.get("/reports/figures", response={200: FiguresOut, **ERRORS})
def list_figures(
    request,
    query: Query[FigureQuery],
    breakdowns: bool = Query(False, description="Include every breakdown of every figure"),
):
    """Every figure for the period and filters, with its definition. Without a
    token: the public figures only (records marked public, small counts and the
    counts that would give them away hidden), by calendar year, without filters."""
    scope = _scope(request, query)
    chosen = [f for f in figures.FIGURES.values() if f.public or not scope.is_public]
    out = {
        "period": scope.period.as_dict(),
        "filters": scope.filters.as_dict(),
        "public": scope.is_public,
        "summary": reports.summary(scope),
        "figures": [
            _figure_out(scope, f, breakdowns=list(f.dims) if breakdowns else []) for f in chosen
        ],
    }
    figcache.store(scope)
    return out


@router.get("/reports/figures/{key}", response={200: FigureOut, **ERRORS})
def get_figure(request, key: str, query: Query[FigureQuery]):
    """One figure with all its breakdowns."""
    figure = figures.FIGURES.get(key)
    scope = _scope(request, query)
    if figure is None or (scope.is_public and not figure.public):
        raise Http404(_("Not found."))
    out = _figure_out(scope, figure, breakdowns=list(figure.dims))
    figcache.store(scope)
    return out


@router.get("/reports/figures/{key}/records", response={200: list[RecordOut], **ERRORS})
@paginate(Pagination)
def figure_records(request, key: str, query: Query[RecordsQuery]):
    """The records a number counts (signed-in users; the same rows as the figure)."""
    require_signed_in(request)
    scope = _scope(request, query, public_if_anonymous=False)
    try:
        sections = figures.records(key, scope, query.by or None, query.value or None)
    except LookupError:
        raise Http404(_("Not found."))
    except (ValueError, TypeError):
        raise ValidationError({"value": _("This breakdown value is not valid.")})
    section = figures.pick(sections, query.part)
    spec = list_for(section.model)
    # Counted exactly, never capped: the count is the figure's number, which
    # a reader checks against the report.
    return Converted(
        spec.queryset(section.queryset), lambda obj: _record_out(spec, obj), exact_count=True
    )


# -- reports -------------------------------------------------------------------------------------


@router.get(
    "/reports/annual/{int:year}",
    response={200: dict[str, Any], **ERRORS},
    summary="The annual report as JSON",
)
def annual_report(request, year: ReportYear):
    """The annual report of ``year`` for the caller, in the JSON form documented in
    docs/reports.md (the same as the JSON download). Recorded as an export."""
    user = require_signed_in(request)
    year = parse_year(year)
    report = reports.build_annual(Scope.for_user(user, Period.of_year(year)), charts_=False)
    exports.export(report, "json")
    return report.as_dict()


class CountryQuery(Schema):
    year: ReportYear | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


@router.get(
    "/reports/country/{iso3}",
    response={200: dict[str, Any], **ERRORS},
    summary="A country report as JSON",
)
def country_report(request, iso3: str, query: Query[CountryQuery]):
    """The report of one partner; a national coordinator gets only their own
    country's (404 for any other). Recorded as an export."""
    user = require_signed_in(request)
    country = selectors.country_for_report(user, iso3)
    period = parse_period(_period_params(query), default_year=selectors.default_year(user))
    scope = Scope.for_user(user, period, Filters(country=country))
    report = reports.build_country(scope, country, charts_=False)
    exports.export(report, "json")
    return report.as_dict()


@router.get("/reports/published", response={200: list[PublishedOut], **READ_ERRORS})
def published_figures(request):
    """Figures others published (with their source), beside icihub's own count over
    the same period: the caller's records, or the public ones without a token."""
    scope = _scope(request, FigureQuery())
    return [
        {
            **c.as_dict(),
            "source": c.published.source.key,
            "quote": c.quote,
            "records": c.icihub.url,
        }
        for c in reports.comparisons(scope)
    ]


# -- snapshots --------------------------------------------------------------------------------------


@router.get("/reports/snapshots", response={200: list[SnapshotOut], **READ_ERRORS})
@paginate(Pagination)
def list_snapshots(request):
    """The published snapshots the caller may see (staff)."""
    return [_snapshot_out(s) for s in selectors.snapshots(actor(request))]


@router.get("/reports/snapshots/{int:pk}", response={200: SnapshotDetailOut, **READ_ERRORS})
def get_snapshot(request, pk: Id):
    """A snapshot with its figures, definitions and its differences from the live
    figures (computed for the caller)."""
    snapshot, report = selectors.snapshot_report(require_signed_in(request), pk)
    return {
        **_snapshot_out(snapshot),
        "figures": snapshot.figures,
        "definitions": snapshot.definitions,
        "differences": report.differences,
    }


@router.post("/reports/snapshots", response={201: SnapshotOut, **ERRORS})
def lock_snapshot(request, payload: LockIn):
    """Lock a year's figures as published (staff). A year is locked once."""
    user = require_signed_in(request)
    snapshot = services.lock_year(user, payload.year, note=payload.note)
    return Status(201, _snapshot_out(snapshot))
