"""Reports built from the figures: the headline numbers, the tables (a figure or
several, broken down by one dimension), the charts, the summary sentence, the
published figures beside icihub's count, and the published snapshot with its
differences from the live figures.

One :class:`Report` object feeds every format (the pages, PDF, XLSX, CSV and
JSON), so they all say the same thing. The JSON form (:meth:`Report.as_dict`)
is documented in ``docs/reports.md``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from icihub.core.access import Marking, most_restrictive
from icihub.core.text import local

from . import charts, disclosure, figcache, figures
from .figures import Figure
from .scope import Filters, Period, Scope

SCHEMA = "icihub.report/1"
Progress = Callable[[str], None]


def small_count_threshold() -> int:
    """Counts of people under this number are suppressed on the public page."""
    return disclosure.threshold()


HIDDEN_MARK = "x"  # every hidden count, small or hidden to protect a small one


# -- layout -------------------------------------------------------------------------------

HEADLINE = [
    "activities",
    "sessions",
    "deliveries",
    "trained",
    "attendances",
    "travellers",
    "trips",
    "instructor_days",
    "events",
    "requests_waiting",
]
COUNTRY_HEADLINE = [
    "sessions",
    "trained",
    "attendances",
    "items_planned",
    "items_delivered",
    "requests_made",
    "requests_answered",
    "requests_waiting",
    "oldest_wait",
]
PUBLIC_HEADLINE = ["activities", "trained", "attendances", "travellers", "trips", "events"]


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    dimension: str
    figures: tuple
    chart: str = ""  # "bars", "columns" or "shares" (of the first figure)
    percent: tuple = ()  # (numerator, denominator): a percentage column
    dashboard: bool = True
    country: bool = True  # in the country report
    public: bool = False


TABLES = [
    TableSpec(
        "trained_by_group",
        gettext_lazy("Officers trained by country group"),
        "country_group",
        ("trained", "attendances"),
        chart="shares",
        country=False,
        public=True,
    ),
    TableSpec(
        "trained_by_country",
        gettext_lazy("Officers trained by country"),
        "country",
        ("trained", "attendances"),
        chart="bars",
        country=False,
        public=True,
    ),
    TableSpec(
        "trained_by_area",
        gettext_lazy("Officers trained by area of cooperation"),
        "area",
        ("trained", "attendances"),
        chart="bars",
        public=True,
    ),
    TableSpec(
        "trained_by_service",
        gettext_lazy("Officers trained by service"),
        "service",
        ("trained", "attendances"),
        chart="bars",
    ),
    TableSpec(
        "trained_by_rank",
        gettext_lazy("Officers trained by rank band"),
        "rank_band",
        ("trained", "attendances"),
        chart="bars",
    ),
    TableSpec(
        "sessions_by_month",
        gettext_lazy("Course sessions completed by month"),
        "month",
        ("sessions",),
        chart="columns",
        public=True,
    ),
    TableSpec(
        "instructors_by_organisation",
        gettext_lazy("Instructors and experts by home organisation"),
        "organisation",
        ("travellers", "trips", "instructor_days"),
        chart="bars",
        country=False,
    ),
    TableSpec(
        "events_by_format",
        gettext_lazy("Dialogue events by format"),
        "format",
        ("events",),
        chart="bars",
        public=True,
    ),
    TableSpec(
        "events_by_level",
        gettext_lazy("Dialogue events by level"),
        "level",
        ("events",),
        chart="bars",
    ),
    TableSpec(
        "programme_execution",
        gettext_lazy("Execution of the partners' programmes"),
        "programme",
        ("items_planned", "items_delivered"),
        percent=("items_delivered", "items_planned"),
    ),
    TableSpec(
        "requests_by_country",
        gettext_lazy("Partners' requests and answers"),
        "country",
        (
            "requests_made",
            "requests_answered",
            "requests_unanswered",
            "answer_days",
            "requests_waiting",
            "oldest_wait",
        ),
    ),
    TableSpec(
        "evaluations_by_course",
        gettext_lazy("Evaluation scores by course"),
        "course",
        ("evaluations", "evaluation_score", "evaluation_overall"),
    ),
    TableSpec(
        "evaluations_by_session",
        gettext_lazy("Evaluation scores by session"),
        "session",
        ("evaluations", "evaluation_score", "evaluation_overall"),
        dashboard=False,
    ),
    TableSpec(
        "seats_by_country",
        gettext_lazy("Seat use by country"),
        "country",
        ("seats_quota", "seats_filled", "seats_reallocated", "no_shows"),
    ),
    TableSpec(
        "seats_by_session",
        gettext_lazy("Seat use by session"),
        "session",
        ("seats_quota", "seats_filled", "seats_reallocated", "no_shows"),
        dashboard=False,
    ),
]
TABLE_SPECS = {spec.key: spec for spec in TABLES}


# -- values with their links --------------------------------------------------------------


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, 2 if unit == "score" else 1, force_grouping=True)
    return number_format(int(value), force_grouping=True)


def _records_path(key: str) -> str:
    """``reverse("reports:records", args=[key])``, resolved once per figure and
    URL configuration (script prefix, language) rather than once per cell."""
    cache_key = (key, get_script_prefix(), get_language(), get_urlconf())
    path = _RECORDS_PATHS.get(cache_key)
    if path is None:
        path = _RECORDS_PATHS[cache_key] = reverse("reports:records", args=[key])
    return path


_RECORDS_PATHS: dict = {}


def records_url(scope: Scope, key: str, dimension: str = "", param: str = "") -> str | None:
    """The drill-down page of a number (None on the public page: no records there).

    The query string of the period and filters is encoded once per scope; a
    table cell adds its breakdown to it."""
    if scope.is_public:
        return None
    query = scope.cached(
        ("records_query",),
        lambda: urlencode({**scope.period.params(), **scope.filters.params()}),
    )
    if dimension:
        query = f"{query}&{urlencode({'by': dimension, 'value': param})}"
    return f"{_records_path(key)}?{query}"


@dataclass
class Cell:
    figure: Figure
    value: object
    url: str | None = None
    suppressed: bool = False

    @property
    def text(self) -> str:
        if self.suppressed:
            return HIDDEN_MARK
        return fmt(self.value, self.figure.unit)

    @property
    def export_value(self):
        """The value in exports: None when suppressed."""
        return None if self.suppressed else self.value


def number(scope: Scope, key: str) -> Cell:
    figure = figures.get(key)
    value = figures.value(figure, scope)
    cell = Cell(figure, value, records_url(scope, key))
    if scope.is_public and figure.people:
        if scope.period.is_year:  # what a visitor can fetch: one release per year
            cell.suppressed = disclosure.release(scope).hidden((key,))
        else:  # a published figure's own period: nothing else of it is published
            cell.suppressed = 0 < (value or 0) < small_count_threshold()
    return cell


@dataclass
class TableRow:
    key: object
    param: str
    label: str
    cells: list[Cell]
    percent: float | None = None


@dataclass
class Table:
    spec: TableSpec
    columns: list[Figure]
    rows: list[TableRow]
    total: TableRow
    svg: str = ""
    print_svg: str = ""  # the chart with absolute links (PDF)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def title(self) -> str:
        return str(self.spec.title)

    @property
    def dimension(self):
        return figures.DIMENSIONS[self.spec.dimension]

    @property
    def has_percent(self) -> bool:
        return bool(self.spec.percent)


def _percent(values: dict, spec: TableSpec):
    if not spec.percent:
        return None
    top, bottom = (values.get(k) for k in spec.percent)
    if not bottom:
        return None
    return round(100 * (top or 0) / bottom)


def build_table(spec: TableSpec, scope: Scope, *, chart: bool = True) -> Table:
    columns = [figures.get(k) for k in spec.figures]
    by_key: dict = {}
    order: list = []
    for figure in columns:
        for row in figures.breakdown(figure, scope, spec.dimension):
            if row.key not in by_key:
                by_key[row.key] = {"row": row, "values": {}}
                order.append(row.key)
            by_key[row.key]["values"][figure.key] = row.value
    first = columns[0].key
    rows = []
    for key in order:
        entry = by_key[key]
        row = entry["row"]
        cells = [
            Cell(
                figure,
                entry["values"].get(figure.key, None if figure.is_mean else 0),
                records_url(scope, figure.key, spec.dimension, row.param)
                if entry["values"].get(figure.key) not in (None, 0)
                else None,
            )
            for figure in columns
        ]
        rows.append(TableRow(key, row.param, row.label, cells, _percent(entry["values"], spec)))
    if figures.DIMENSIONS[spec.dimension].sort == "count":
        rows.sort(key=lambda r: -(_value_of(r, first) or 0))
    totals = {figure.key: figures.value(figure, scope) for figure in columns}
    total = TableRow(
        None,
        "",
        _("Total"),
        [Cell(figure, totals[figure.key], records_url(scope, figure.key)) for figure in columns],
        _percent(totals, spec),
    )
    table = Table(spec, columns, rows, total)
    if scope.is_public:
        suppress_table(table, scope)
    if chart and spec.chart:
        table.svg = table_chart(table)
    return table


def _value_of(row: TableRow, key: str):
    for cell in row.cells:
        if cell.figure.key == key:
            return cell.value
    return None


# -- small counts (public page) --------------------------------------------------------------


def suppress_table(table: Table, scope: Scope) -> None:
    """Hide the counts of people the public release of ``scope`` hides (small
    counts and their complements: ``disclosure``)."""
    hidden = disclosure.release(scope).hidden
    dimension = table.spec.dimension
    for index, figure in enumerate(table.columns):
        if not figure.people:
            continue
        for row in table.rows:
            row.cells[index].suppressed = hidden((figure.key, dimension, row.param))
        table.total.cells[index].suppressed = hidden((figure.key,))
        if any(row.cells[index].suppressed for row in table.rows):
            for row in table.rows:
                row.percent = None


def suppress_matrix(cells: dict, row_totals: dict, column_totals: dict, threshold: int) -> set:
    """The keys of ``cells`` ({(row, column): count}) to hide in a table with its
    row and column totals published: ``disclosure.suppress`` on that one table."""
    values = {("cell", key): value for key, value in cells.items()}
    relations = []
    for axis, totals in enumerate((row_totals, column_totals)):
        lines = {key[axis] for key in cells} | set(totals)
        for line in lines:
            total = ("total", axis, line)
            values[total] = totals.get(line) or 0
            parts = tuple(("cell", k) for k in cells if k[axis] == line)
            relations.append(disclosure.Relation(total, parts))
    result = disclosure.suppress(values, relations, threshold)
    return {cell[1] for cell in result.hidden if cell[0] == "cell"}


# -- charts ---------------------------------------------------------------------------------


def table_chart(table: Table, *, base: str = "") -> str:
    """The chart of a table's first figure; every bar links to its records
    (``base`` makes the links absolute, for the PDF)."""
    figure = table.columns[0]
    bars = []
    for row in table.rows:
        cell = row.cells[0]
        if cell.suppressed or cell.value in (None, 0):
            continue
        bars.append(charts.Bar(row.label, cell.value, base + cell.url if cell.url else None))
    title = f"{table.title}: {figure.label}"
    if table.spec.chart == "shares":
        return charts.shares(bars, title=title)
    if table.spec.chart == "columns":
        return charts.columns(bars, title=title)
    return charts.horizontal_bars(bars[:15], title=title)


# -- published figures beside icihub's own ------------------------------------------------------


@dataclass
class Comparison:
    published: object  # PublishedFigure (citations prefetched)
    icihub: Cell
    period: Period
    #: icihub's count of the period counts demonstration rows (figures.demo_rows)
    includes_demo: bool = False

    @property
    def difference(self):
        if self.icihub.suppressed or self.icihub.value is None:
            return None
        return self.icihub.value - self.published.value

    @property
    def citation(self):
        citations = list(self.published.citations.all())
        return citations[0] if citations else None

    @property
    def quote(self) -> str:
        citation = self.citation
        return citation.quote if citation else ""

    def as_dict(self) -> dict:
        """The published figure beside icihub's count, JSON-ready (without the source)."""
        return {
            "key": self.published.key,
            "label": self.published.label,
            "figure": self.published.figure,
            "period": self.period.as_dict(),
            "published": self.published.value,
            "icihub": self.icihub.export_value,
            "difference": self.difference,
            "icihub_includes_demo_data": self.includes_demo,
        }


def comparisons(scope: Scope, published=None, *, year: int | None = None) -> list[Comparison]:
    """Each figure published by others beside icihub's count over the same
    period (the scope's user, mode and filters; not its period)."""
    from icihub.core.models import Citation

    from .models import PublishedFigure

    if published is None:
        published = (
            scope.rows(PublishedFigure)
            .select_related("source")
            .prefetch_related(
                Prefetch("citations", queryset=scope.rows(Citation).select_related("source"))
            )
        )
    out = []
    scopes: dict = {}  # one scope a period: its figures computed (or read back) once
    demo: dict = {}
    for row in published:
        if year is not None and row.period_end.year != year:
            continue
        if row.figure not in figures.FIGURES:
            continue
        period = Period(row.period_start, row.period_end)
        own = scopes.get(period)
        if own is None:  # published totals: no filters
            own = scopes[period] = Scope(scope.user, period, Filters(), scope.mode)
        if period not in demo:
            demo[period] = any(figures.demo_rows(own).values())
        out.append(Comparison(row, number(own, row.figure), period, demo[period]))
    for own in scopes.values():
        figcache.store(own)
    return out


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Report:
    kind: str  # "annual" or "country"
    title: str
    scope: Scope
    headline: list[Cell]
    tables: list[Table]
    summary: str
    marking: Marking
    generated_at: object
    comparisons: list[Comparison] = field(default_factory=list)
    snapshot: object = None  # reports.Snapshot
    differences: list[dict] = field(default_factory=list)
    country: object = None

    @property
    def period(self) -> Period:
        return self.scope.period

    @property
    def demo(self) -> dict[str, int]:
        """The demonstration rows the report's figures count (all zero without
        demo data): the page, the PDF and the JSON say so."""
        return figures.demo_rows(self.scope)

    @property
    def includes_demo(self) -> bool:
        return any(self.demo.values())

    @property
    def figures_used(self) -> list[Figure]:
        """The figures of the headline, then of the tables, each once, in order."""
        used = [cell.figure for cell in self.headline]
        used += [figure for table in self.tables for figure in table.columns]
        return list({figure.key: figure for figure in used}.values())

    def figures_json(self) -> dict:
        """The numbers (what a snapshot keeps): totals and every table's rows."""
        return {
            "totals": {c.figure.key: c.export_value for c in self.headline},
            "tables": {
                t.key: {
                    "dimension": t.spec.dimension,
                    "rows": {
                        r.param: {
                            "label": r.label,
                            "values": {c.figure.key: c.export_value for c in r.cells},
                        }
                        for r in t.rows
                    },
                    "total": {c.figure.key: c.export_value for c in t.total.cells},
                }
                for t in self.tables
            },
        }

    def as_dict(self) -> dict:
        """The report as JSON-ready data (the documented, stable form)."""
        scope = self.scope
        return {
            "schema": SCHEMA,
            "kind": self.kind,
            "title": self.title,
            "period": scope.period.as_dict(),
            "filters": scope.filters.as_dict(),
            "country": self.country.iso3 if self.country is not None else None,
            "generated_at": self.generated_at.isoformat(),
            "generated_by": scope.who,
            "marking": {"code": self.marking.value, "label": str(self.marking.label)},
            "summary": self.summary,
            "demo_data": self.demo,
            "figures": {
                c.figure.key: {
                    "label": str(c.figure.label),
                    "unit": c.figure.unit or "count",
                    "value": c.export_value,
                }
                for c in self.headline
            },
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "dimension": {"key": t.spec.dimension, "label": str(t.dimension.label)},
                    "columns": [
                        {"key": f.key, "label": str(f.label), "unit": f.unit or "count"}
                        for f in t.columns
                    ]
                    + (
                        [{"key": "percent", "label": _("Delivered (%)"), "unit": "percent"}]
                        if t.has_percent
                        else []
                    ),
                    "rows": [_row_json(r, t) for r in t.rows],
                    "total": _row_json(t.total, t),
                }
                for t in self.tables
            ],
            "definitions": {f.key: str(f.definition) for f in self.figures_used},
            "published": [
                {
                    **c.as_dict(),
                    "source": {
                        "key": c.published.source.key,
                        "title": c.published.source.title,
                        "publisher": c.published.source.publisher,
                        "quote": c.quote,
                    },
                }
                for c in self.comparisons
            ],
            "snapshot": None
            if self.snapshot is None
            else {
                "id": self.snapshot.pk,
                "year": self.snapshot.year,
                "locked_at": self.snapshot.locked_at.isoformat(),
                "locked_by": self.snapshot.locked_by_label,
                "note": self.snapshot.note,
                "marking": self.snapshot.marking,
                "figures": self.snapshot.figures,
                "differences": self.differences,
            },
        }


def _row_json(row: TableRow, table: Table) -> dict:
    out = {
        "key": row.param or None,
        "label": row.label,
        "values": {c.figure.key: c.export_value for c in row.cells},
    }
    if table.has_percent:
        out["values"]["percent"] = row.percent
    return out


def report_marking(scope: Scope, *, with_programmes: bool = True) -> Marking:
    """The most restrictive marking of the records the report's figures come
    from: the courses of the counted sessions, the dialogue events, the
    programmes, their activities and deliveries, the requests."""
    from icihub.programmes.models import Programme

    markings = set()
    sessions = figures.counted_sessions(scope, by_country=False)
    markings.update(sessions.values_list("course__marking", flat=True).distinct())
    markings.update(figures.events(scope).values_list("marking", flat=True).distinct())
    if with_programmes and not scope.is_public:
        items = figures.planned_items(scope)
        markings.update(
            Programme.objects.filter(
                pk__in=items.values("goal__objective__programme_id")
            ).values_list("marking", flat=True)
        )
        markings.update(items.values_list("activity__marking", flat=True).distinct())
        markings.update(
            figures.deliveries(scope)
            .values_list("item__goal__objective__programme__marking", flat=True)
            .distinct()
        )
        for qs in (figures.requests_made(scope), figures.requests_waiting(scope)):
            markings.update(qs.values_list("marking", flat=True).distinct())
    return most_restrictive(markings)


def _plural_count(value) -> int:
    """The number that chooses a message's plural form (a hidden count, shown
    as "x", or a missing one takes the plural)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else 2


def summary(scope: Scope) -> str:
    """The year in one sentence, in the style NATO published (seed 003)."""
    groups = {r.key: r.value for r in figures.breakdown("trained", scope, "country_group")}
    officers = (groups.get("ici") or 0) + (groups.get("gcc") or 0)
    activities = figures.value("activities", scope)
    experts = figures.value("travellers", scope)
    experts_text = fmt(experts)
    if scope.is_public:
        travellers = number(scope, "travellers")
        if travellers.suppressed:
            experts, experts_text = None, travellers.text
    values = {
        "intro": scope.period.intro,
        "activities": ngettext(
            "%(n)s course or activity was carried out at the Centre",
            "%(n)s courses and activities were carried out at the Centre",
            _plural_count(activities),
        )
        % {"n": fmt(activities)},
        "officers": ngettext(
            "%(n)s officer from ICI and GCC countries was trained",
            "%(n)s officers from ICI and GCC countries were trained",
            _plural_count(officers),
        )
        % {"n": fmt(officers)},
        "experts": ngettext(
            "%(n)s instructor or expert travelled to the Centre",
            "%(n)s instructors and experts travelled to the Centre",
            _plural_count(experts),
        )
        % {"n": experts_text},
    }
    if (
        scope.is_public
        and scope.period.is_year
        and disclosure.release(scope).hidden(disclosure.OFFICERS)
    ):
        return _("%(intro)s, %(activities)s and %(experts)s.") % values
    return _("%(intro)s, %(activities)s, %(officers)s and %(experts)s.") % values


def country_summary(scope: Scope, country) -> str:
    trained = figures.value("trained", scope)
    attendances = figures.value("attendances", scope)
    planned = figures.value("items_planned", scope)
    waiting = figures.value("requests_waiting", scope)
    name = local(country)
    text = _("%(intro)s, %(trained)s (%(attendances)s); %(programme)s, and %(waiting)s.") % {
        "intro": scope.period.intro,
        "trained": ngettext(
            "%(n)s officer from %(country)s was trained at the Centre",
            "%(n)s officers from %(country)s were trained at the Centre",
            _plural_count(trained),
        )
        % {"n": fmt(trained), "country": name},
        "attendances": ngettext("%(n)s attendance", "%(n)s attendances", _plural_count(attendances))
        % {"n": fmt(attendances)},
        "programme": ngettext(
            "%(country)s's programme delivered %(delivered)s of the %(n)s activity planned "
            "for the period",
            "%(country)s's programme delivered %(delivered)s of the %(n)s activities planned "
            "for the period",
            _plural_count(planned),
        )
        % {
            "country": name,
            "delivered": fmt(figures.value("items_delivered", scope)),
            "n": fmt(planned),
        },
        "waiting": ngettext(
            "%(n)s of its requests was awaiting an answer at the end of the period",
            "%(n)s of its requests were awaiting an answer at the end of the period",
            _plural_count(waiting),
        )
        % {"n": fmt(waiting)},
    }
    if waiting:
        days = figures.value("oldest_wait", scope)
        text += " " + ngettext(
            "The oldest had waited %(n)s day.",
            "The oldest had waited %(n)s days.",
            _plural_count(days),
        ) % {"n": fmt(days)}
    return text


def _step(progress: Progress | None, text: str) -> None:
    if progress:
        progress(text)


def _headline_and_tables(
    scope: Scope, keys: list[str], specs: list[TableSpec], progress: Progress | None, charts_: bool
) -> tuple[list[Cell], list[Table]]:
    _step(progress, _("headline figures"))
    headline = [number(scope, key) for key in keys]
    tables = []
    for index, spec in enumerate(specs, start=1):
        _step(progress, f"{_('table')} {index}/{len(specs)}: {spec.title}")
        tables.append(build_table(spec, scope, chart=charts_))
    return headline, tables


def build_annual(scope: Scope, *, progress: Progress | None = None, charts_: bool = True):
    """The annual report of ``scope.period`` (a year) for the scope's user."""
    from .models import Snapshot

    year = scope.period.start.year
    headline, tables = _headline_and_tables(scope, HEADLINE, TABLES, progress, charts_)
    _step(progress, _("published figures and snapshot"))
    report = Report(
        kind="annual",
        title=_("Annual report %(year)s") % {"year": year},
        scope=scope,
        headline=headline,
        tables=tables,
        summary=summary(scope),
        marking=report_marking(scope),
        generated_at=timezone.now(),
        comparisons=comparisons(scope, year=year),
    )
    if scope.period.is_year and not scope.filters.any:
        snapshot = scope.rows(Snapshot).filter(year=year).first()
        if snapshot is not None:
            report.snapshot = snapshot
            report.differences = differences(snapshot.figures, report.figures_json())
            report.marking = most_restrictive([report.marking, snapshot.marking])
    figcache.store(scope)
    return report


def build_country(scope: Scope, country, *, progress: Progress | None = None, charts_=True):
    """The report of one partner: its officers trained, its programme's execution
    and its requests (``scope.filters.country`` is the country)."""
    specs = [spec for spec in TABLES if spec.country]
    headline, tables = _headline_and_tables(scope, COUNTRY_HEADLINE, specs, progress, charts_)
    report = Report(
        kind="country",
        title=_("%(country)s: report %(period)s")
        % {"country": local(country), "period": scope.period.label},
        scope=scope,
        headline=headline,
        tables=tables,
        summary=country_summary(scope, country),
        marking=report_marking(scope),
        generated_at=timezone.now(),
        country=country,
    )
    figcache.store(scope)
    return report


# -- snapshots ------------------------------------------------------------------------------------


def flatten(data: dict) -> dict[str, object]:
    """``{"totals": {...}, "tables": {...}}`` as ``{"trained": 478,
    "trained_by_country/KWT/trained": 170, ...}``."""
    out = {}
    for key, value in (data.get("totals") or {}).items():
        out[key] = value
    for table_key, table in (data.get("tables") or {}).items():
        for row_key, row in (table.get("rows") or {}).items():
            for figure, value in (row.get("values") or {}).items():
                out[f"{table_key}/{row_key}/{figure}"] = value
    return out


def differences(snapshot: dict, live: dict) -> list[dict]:
    """Where the live figures differ from the published snapshot."""
    before, after = flatten(snapshot), flatten(live)
    labels = {}  # the live row's label, else the snapshot's
    for data in (live, snapshot):
        for table_key, table in (data.get("tables") or {}).items():
            for row_key, row in (table.get("rows") or {}).items():
                labels.setdefault((table_key, row_key), row.get("label", row_key))
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new or (not old and not new):
            continue
        parts = key.split("/")
        figure_key = parts[-1]
        figure = figures.FIGURES.get(figure_key)
        label = str(figure.label) if figure else figure_key
        if len(parts) == 3:
            spec = TABLE_SPECS.get(parts[0])
            row_label = labels.get((parts[0], parts[1]), parts[1])
            label = f"{spec.title if spec else parts[0]} – {row_label}: {label}"
        difference = None
        if isinstance(old, (int, float)) and isinstance(new, (int, float)):
            difference = round(new - old, 2)
        out.append(
            {"key": key, "label": label, "snapshot": old, "live": new, "difference": difference}
        )
    return out
