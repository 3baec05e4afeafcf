"""Reads of the reports app: what the dashboard, the home page panel, the public
statistics page and the drill-down lists show. Every figure is computed through
the scope (``Model.objects.visible_to(user)``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core.access import is_staff, role_of
from icihub.core.permissions import country_choices
from icihub.core.text import local

from . import figcache, figures
from . import report as reports
from .permissions import may_report_on
from .records import list_for
from .scope import Period, Scope


def country_for_report(user, code: str):
    """The country whose report ``user`` asked for, or 404 when they may not
    see it or may not produce its report (never a 403 that reveals it)."""
    from django.http import Http404

    from icihub.core.access import get_visible
    from icihub.partners.models import Country

    country = get_visible(Country, user, iso3=str(code).upper())
    if not may_report_on(user, country):
        raise Http404(_("Not found."))
    return country


def default_year(user) -> int:
    """The latest year with a completed session ``user`` may see (else this year);
    for the public figures, the visitor's (``AnonymousUser``)."""
    from icihub.training.models import Session

    # The first by start descending, not MAX(start): PostgreSQL walks the start
    # index backwards and stops at the first visible completed session (0.04 ms
    # at ten times the demo data), where the aggregate over the access join
    # read every completed session (2 ms), on each home page and dashboard.
    latest = (
        Session.objects.visible_to(user)
        .filter(state=Session.State.COMPLETED, start__lte=timezone.localdate())
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    return latest.year if latest else timezone.localdate().year


def years() -> list[int]:
    """The years offered in the period pickers, the latest first."""
    return list(range(timezone.localdate().year, 2003, -1))


def filter_options(user) -> dict:
    from icihub.menu.models import Area
    from icihub.partners.models import Country, Framework, Partnership

    countries = (
        Country.objects.visible_to(user)
        .filter(
            pk__in=Partnership.objects.visible_to(user)
            .exclude(status=Partnership.Status.FORMER)
            .values("country_id")
        )
        .order_by("name")
    )
    return {
        "countries": sorted(
            ((c.iso3, local(c)) for c in country_choices(user, countries)), key=lambda o: o[1]
        ),
        "areas": [(a.code, local(a)) for a in Area.objects.visible_to(user)],
        "frameworks": [(f.code, f.acronym) for f in Framework.objects.visible_to(user)],
        "years": years(),
    }


def dashboard(scope: Scope) -> dict:
    """Headline numbers and the tables (with charts) of the dashboard."""
    headline = [reports.number(scope, key) for key in reports.HEADLINE]
    tables = [reports.build_table(spec, scope) for spec in reports.TABLES if spec.dashboard]
    out = {
        "headline": headline,
        "tables": tables,
        "summary": reports.summary(scope),
        # Published figures are totals: shown beside the unfiltered dashboard only.
        "comparisons": [] if scope.filters.any else reports.comparisons(scope),
    }
    figcache.store(scope)
    return out


def home_panel(user) -> dict:
    """The figures panel of the home page: the latest year's headline numbers
    and one chart (public figures, with small counts hidden, for visitors)."""
    if role_of(user) is None:
        scope = Scope.public(Period.of_year(default_year(AnonymousUser())))
        keys = ["activities", "trained", "travellers"]
    else:
        year = default_year(user)
        scope = Scope.for_user(user, Period.of_year(year))
        keys = ["activities", "trained", "travellers", "events"]
    table = reports.build_table(reports.TABLE_SPECS["trained_by_group"], scope)
    numbers = [reports.number(scope, key) for key in keys]
    figcache.store(scope)
    return {
        "report_panel": {
            "scope": scope,
            "numbers": numbers,
            "chart": table.svg,
            "public": scope.is_public,
            "staff": is_staff(user),
        }
    }


# -- public statistics ----------------------------------------------------------------------


@dataclass
class CrossTable:
    title: str
    rows: list  # [(label, [text per column], total text)]
    columns: list  # [label]


def public_cross(scope: Scope) -> CrossTable:
    """Officers trained by course and country, with the counts the public release
    hides (``disclosure``) hidden."""
    from . import disclosure

    release = disclosure.release(scope)
    data = release.cross
    cells = data["cells"]
    row_totals = {r.key: r.value for r in figures.breakdown("trained", scope, "course")}
    course_format = figures.DIMENSIONS["course"].format
    country_format = figures.DIMENSIONS["country"].format
    columns = sorted(data["columns"], key=lambda k: data["columns"][k][0])
    rows = []
    for row_key in sorted(data["rows"], key=lambda k: str(data["rows"][k][1] or "")):
        course = course_format(row_key)
        values = []
        for column in columns:
            value = cells.get((row_key, column))
            if release.hidden(("trained", disclosure.CROSS, (course, country_format(column)))):
                values.append(reports.HIDDEN_MARK)
            else:
                values.append(reports.fmt(value) if value else "–")
        total = row_totals.get(row_key)
        hidden = release.hidden(("trained", "course", course))
        rows.append(
            (
                data["rows"][row_key][0],
                values,
                reports.HIDDEN_MARK if hidden else reports.fmt(total),
            )
        )
    return CrossTable(
        _("Officers trained by course and country"),
        rows,
        [data["columns"][c][0] for c in columns],
    )


def public_statistics(scope: Scope) -> dict:
    headline = [reports.number(scope, key) for key in reports.PUBLIC_HEADLINE]
    tables = [reports.build_table(spec, scope) for spec in reports.TABLES if spec.public]
    out = {
        "headline": headline,
        "tables": tables,
        "cross": public_cross(scope),
        "threshold": reports.small_count_threshold(),
        "comparisons": reports.comparisons(scope),
        # Whether these figures count demonstration rows (the page says so).
        "includes_demo": any(figures.demo_rows(scope).values()),
    }
    figcache.store(scope)
    return out


# -- drill-down -------------------------------------------------------------------------------


@dataclass
class RecordsPage:
    figure: object
    number: object  # the number the records explain (reports.Cell or a breakdown value)
    dimension: object
    slice_label: str
    sections: list  # [{"section", "label", "count", "key", "active"}]
    active: object
    page_obj: object
    rows: list
    columns: list


def records_page(
    scope: Scope,
    key: str,
    *,
    dimension: str = "",
    value: str = "",
    part: str = "",
    page=1,
    per_page: int = 50,
) -> RecordsPage:
    """The records a number counts, one page of them. Raises LookupError for an
    unknown figure or breakdown, ValueError for a malformed breakdown value."""
    figure = figures.get(key)
    sections = figures.records(figure, scope, dimension or None, value or None)
    dim = figures.DIMENSIONS.get(dimension) if dimension else None
    slice_label = ""
    if dim is not None:
        rows = {r.param: r for r in figures.breakdown(figure, scope, dimension)}
        row = rows.get(value)
        number = reports.Cell(figure, row.value if row else 0)
        parsed = dim.parse(value)
        slice_label = row.label if row else dim.labels(scope, [parsed]).get(parsed, (value,))[0]
    else:
        number = reports.number(scope, key)
    active = figures.pick(sections, part)
    spec = list_for(active.model)
    paginator = Paginator(spec.queryset(active.queryset), per_page)
    page_obj = paginator.get_page(page)
    tabs = [
        {
            "figure": s.figure,
            "label": s.figure.label,
            "count": s.queryset.count() if len(sections) > 1 else paginator.count,
            "active": s is active,
        }
        for s in sections
    ]
    return RecordsPage(
        figure=figure,
        number=number,
        dimension=dim,
        slice_label=slice_label,
        sections=tabs,
        active=active,
        page_obj=page_obj,
        rows=[spec.cells(obj) for obj in page_obj.object_list],
        columns=spec.columns,
    )


# -- snapshots --------------------------------------------------------------------------------


def snapshots(user):
    """The published snapshots ``user`` may see (staff), the latest year first."""
    from .models import Snapshot

    return Snapshot.objects.visible_to(user).order_by("-year")


def snapshot_report(user, pk: int):
    """The snapshot ``pk`` (404 unless ``user`` may see it) and the annual report of
    its year computed live for ``user`` (its differences from the snapshot)."""
    from icihub.core.access import get_visible

    from .models import Snapshot

    snapshot = get_visible(Snapshot, user, pk=pk)
    report = reports.build_annual(
        Scope.for_user(user, Period.of_year(snapshot.year)), charts_=False
    )
    return snapshot, report
