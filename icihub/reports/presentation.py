"""How the report pages show a table's chart and a headline number.

- :func:`present` gives a page's tables their labels in the page's language
  (the Arabic names of countries, areas, organisations and courses, when
  recorded) and draws each table's chart again with them (``charts``: sized to
  the bars, mirrored on a right-to-left page, no title inside: the page's
  ``<figcaption>`` is the chart's one title).
- :func:`tiles` puts a headline number beside the same number of the year
  before (value, change with its sign, "new" when there was none) and
  :func:`trends` draws a few headline figures across the years.

Every number comes from the figures' one definition (``report.number``, which
reads ``figures.value`` and hides small counts on the public page), one scope
per year (a scope caches its figures, so a year's numbers are computed once).
The trends cover the last :data:`TREND_YEARS` years (ten: every year a figure
is computed again; older years are in the annual reports)."""

from __future__ import annotations

from dataclasses import dataclass

from . import charts, figcache
from . import report as reports
from .scope import Period, Scope

TREND_YEARS = 10
BARS_SHOWN = 15  # a bar chart shows the largest rows; the table has them all


def draw(table: reports.Table) -> charts.Chart | str:
    """The chart of a table's first figure, as the page shows it."""
    if not table.spec.chart:
        return ""
    bars = [
        charts.Bar(row.label, row.cells[0].value, row.cells[0].url)
        for row in table.rows
        if not row.cells[0].suppressed and row.cells[0].value not in (None, 0)
    ]
    title = str(table.columns[0].label)
    if table.spec.chart == "shares":
        return charts.shares(bars, title=title)
    if table.spec.chart == "columns":
        return charts.columns(bars, title=title)
    return charts.horizontal_bars(bars[:BARS_SHOWN], title=title)


def present(tables: list[reports.Table]) -> list[reports.Table]:
    # The rows' labels are in the page's language already (core.text.localized
    # in reports/figures.py and records.py).
    for table in tables:
        table.svg = draw(table)
    return tables


# -- year over year and trends ---------------------------------------------------------------


class Years:
    """One scope per year, like ``scope`` but over that whole year (each caches
    its figures); the scope's own year is ``scope`` itself."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.year = scope.period.start.year if scope.period.is_year else None
        self._scopes = {self.year: scope} if self.year else {}

    def scope_of(self, year: int) -> Scope:
        if year not in self._scopes:
            self._scopes[year] = Scope(
                self.scope.user, Period.of_year(year), self.scope.filters, self.scope.mode
            )
        return self._scopes[year]

    def number(self, key: str, year: int) -> reports.Cell:
        return reports.number(self.scope_of(year), key)

    def load(self) -> None:
        """Read what the figures' cache keeps for the years a page compares
        with (the year before, the trends' years) in one go."""
        if self.year is None:
            return
        figcache.load_many(
            [self.scope_of(year) for year in range(self.year - TREND_YEARS, self.year + 1)]
        )

    def store(self) -> None:
        """Keep what the other years' scopes computed (the page's own scope is
        kept by its selector)."""
        figcache.store_many([scope for year, scope in self._scopes.items() if year != self.year])


@dataclass
class Tile:
    """A headline number with the same number of the year before."""

    cell: reports.Cell
    previous: reports.Cell | None = None
    previous_year: int | None = None

    @property
    def comparable(self) -> bool:
        return (
            self.previous is not None
            and not self.cell.suppressed
            and not self.previous.suppressed
            and self.cell.value is not None
            and self.previous.value is not None
        )

    @property
    def is_new(self) -> bool:
        """Something this year where the year before had nothing."""
        return self.comparable and not self.previous.value and bool(self.cell.value)

    @property
    def change(self):
        if not self.comparable:
            return None
        return self.cell.value - self.previous.value

    @property
    def change_text(self) -> str:
        """The change with its sign: "+12", "−3", "0"."""
        change = self.change
        if change is None:
            return ""
        text = reports.fmt(abs(change), self.cell.figure.unit)
        if change > 0:
            return f"+{text}"
        if change < 0:
            return f"−{text}"
        return text

    @property
    def trend(self) -> str:
        """ "up", "down" or "same" (the arrow)."""
        change = self.change
        if change is None or change == 0:
            return "same"
        return "up" if change > 0 else "down"

    @property
    def percent(self) -> int | None:
        if not self.comparable or not self.previous.value:
            return None
        return round(100 * self.change / abs(self.previous.value))

    @property
    def percent_text(self) -> str:
        percent = self.percent
        if percent is None:
            return ""
        return f"+{percent}%" if percent > 0 else (f"−{-percent}%" if percent < 0 else "0%")


def tiles(cells: list[reports.Cell], years: Years) -> list[Tile]:
    """Each headline number beside the year before's (over a whole year only:
    another period has no "year before" to compare with)."""
    if years.year is None:
        return [Tile(cell) for cell in cells]
    before = years.year - 1
    return [Tile(cell, years.number(cell.figure.key, before), before) for cell in cells]


@dataclass
class Trend:
    figure: object  # figures.Figure
    points: list[tuple[int, reports.Cell]]
    chart: charts.Chart


def trends(keys: list[str], years: Years) -> list[Trend]:
    """``keys`` over the last :data:`TREND_YEARS` years up to the scope's year,
    each from its first year with something to count (nothing over another
    period than a year)."""
    if years.year is None:
        return []
    span = range(years.year - TREND_YEARS + 1, years.year + 1)
    out = []
    for key in keys:
        points = [(year, years.number(key, year)) for year in span]
        while len(points) > 1 and not points[0][1].suppressed and not points[0][1].value:
            points.pop(0)
        bars = [
            charts.Bar(str(year), cell.value or 0, cell.url)
            for year, cell in points
            if not cell.suppressed
        ]
        figure = points[-1][1].figure
        out.append(Trend(figure, points, charts.line(bars, title=str(figure.label))))
    return out
