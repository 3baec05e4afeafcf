"""An independent disclosure checker: what can a visitor work out from the
public statistics?

Written apart from icihub's suppression code, and importing none of it: it
reads only what an anonymous visitor can fetch (the public page's HTML, the
public API's JSON, any file a visitor may download), parses the published
numbers, writes down the linear equations a visitor knows from the published
definitions and public facts (a total is the sum of its parts; ICI members are
Kuwait, Bahrain, Qatar and the UAE; a course's area is in the public
catalogue), and tries to determine every hidden cell exactly:

* by exact rational Gaussian elimination (a hidden cell is determined when its
  unit vector lies in the row space of the equations over the hidden cells);
* then with the bounds a visitor knows (counts are integers, a cell shown as
  "< 5" lies in 1..4, any other hidden cell is not small, so at least 5), by
  finding each hidden cell's least and greatest feasible value with OR-Tools'
  CP-SAT solver: a cell whose least and greatest values agree is determined.

What the equations leave out (said here so that nobody reads more into a
pass): inequalities between figures (a person trained is also an attendance;
a person trained in two courses counts once in the total) and the relations
between different periods (counts of unique people do not add up over time).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from tinyhtml5 import parse as parse_html

NS = "{http://www.w3.org/1999/xhtml}"
ICI = {"KWT", "BHR", "QAT", "ARE"}  # the members of the initiative (public fact)
GCC_NOT_ICI = {"SAU", "OMN"}  # the other GCC states (public fact)
UNBOUNDED = 10**6

# What the visitor knows from the published definitions: the dimensions by
# which a figure's parts add up to its total (every person, attendance or trip
# falls in exactly one row). Anything else (areas, courses for unique people)
# only adds up where a single part is not zero (handled below).
ADDITIVE = {
    "trained": {"country_group", "country", "service", "rank_band"},
    "attendances": {"country_group", "country", "service", "rank_band", "course"},
    "travellers": {"organisation"},
    "trips": {"organisation"},
}
# The public page's tables: table id -> dimension (read from their headings).
PAGE_TABLES = {
    "trained_by_group": "country_group",
    "trained_by_country": "country",
    "trained_by_area": "area",
    "sessions_by_month": "month",
    "events_by_format": "format",
}
CROSS = "course×country"


@dataclass
class Published:
    """Everything published for one year, by cell: a cell is ``(figure,)``
    (the total), ``(figure, dimension, key)`` or ``(figure, CROSS, (course,
    country))``; ``("trained", "ici+gcc")`` is the summary's count of officers
    from ICI and GCC countries."""

    values: dict = field(default_factory=dict)  # cell -> {value as published}
    hidden: dict = field(default_factory=dict)  # cell -> (low, high) the visitor knows
    where: dict = field(default_factory=lambda: defaultdict(set))  # cell -> sources
    course_areas: dict = field(default_factory=dict)  # course key -> set of area codes

    def show(self, cell, value: int, source: str):
        self.values.setdefault(cell, set()).add(value)
        self.where[cell].add(source)

    def hide(self, cell, low: int, high: int, source: str):
        old = self.hidden.get(cell, (0, UNBOUNDED))
        self.hidden[cell] = (max(old[0], low), min(old[1], high))
        self.where[cell].add(source)

    def figure_cells(self, figure: str):
        return {c for c in set(self.values) | set(self.hidden) if c[0] == figure}


# -- reading what was published -----------------------------------------------------------


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def read_text(text: str, threshold_mark=re.compile(r"^<\s*(\d+)$")):
    """``("value", n)``, ``("small", n)`` for "< n", or ``None`` for "–"/empty."""
    text = text.replace("\u202f", "").replace("\xa0", "").replace(",", "").strip()
    if text in ("", "–", "-"):
        return None
    match = threshold_mark.match(text)
    if match:
        return ("small", int(match.group(1)))
    if re.fullmatch(r"\d+", text):
        return ("value", int(text))
    return ("hidden", None)


def _record(published: Published, cell, reading, source: str, threshold: int):
    if reading is None:
        published.show(cell, 0, source)
    elif reading[0] == "value":
        published.show(cell, reading[1], source)
    elif reading[0] == "small":
        published.hide(cell, 1, reading[1] - 1, source)
    else:  # hidden, with a mark that says nothing of its size (a zero is shown)
        published.hide(cell, 1, UNBOUNDED, source)


def _cell_text(td) -> tuple:
    """The reading of a table cell, and whether it is marked hidden."""
    hidden = any("suppressed" in (e.get("class") or "").split() for e in td.iter())
    reading = read_text(_text(td))
    if hidden and reading is not None and reading[0] == "value":
        reading = ("hidden", None)  # a mark that happens to be a digit
    return reading


def read_api(published: Published, data: dict, threshold: int, source: str):
    """The figures of ``GET reports/figures`` (or one of ``reports/figures/{key}``)."""
    for figure in data.get("figures", [data]):
        key = figure["key"]
        _api_value(published, (key,), figure, threshold, source)
        for dimension, rows in (figure.get("breakdowns") or {}).items():
            for row in rows:
                _api_value(published, (key, dimension, row["key"]), row, threshold, source)
    summary = data.get("summary")
    if summary and "officers from ICI and GCC" in summary:
        match = re.search(r"([^\s,]+(?:,\d{3})*|<\s*\d+) officers from ICI and GCC", summary)
        assert match, f"the summary changed form: {summary!r}; teach the checker"
        _record(published, ("trained", "ici+gcc"), read_text(match.group(1)), source, threshold)


def _api_value(published, cell, row, threshold, source):
    if row.get("suppressed"):
        published.hide(cell, 1, UNBOUNDED, source)
    elif row.get("value") is not None and float(row["value"]).is_integer():
        published.show(cell, int(row["value"]), source)


def read_page(published: Published, html: str, threshold: int, labels: dict, source: str):
    """The public page: the headline numbers, the tables and the course-by-country
    table. ``labels``: {(dimension, label): key} and {("figure", label): key},
    read from the API (a visitor matches names)."""
    root = parse_html(html)
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    for element_id, element in by_id.items():
        if element_id.startswith("figure-") and "figure-card" in (element.get("class") or ""):
            key = element_id.removeprefix("figure-")
            stat = next(e for e in element.iter() if "stat" in (e.get("class") or "").split())
            _record(published, (key,), _cell_text(stat), source, threshold)
    for table_key, dimension in PAGE_TABLES.items():
        section = by_id.get(f"table-{table_key}")
        if section is None:
            continue
        heads = [_text(th) for th in section.iter(f"{NS}th") if th.get("scope") != "row"]
        thead = next(section.iter(f"{NS}thead"))
        columns = [labels[("figure", _text(th))] for th in list(thead.iter(f"{NS}th"))[1:]]
        assert heads, table_key
        for tr in section.iter(f"{NS}tr"):
            cells = [c for c in tr if c.tag in (f"{NS}td", f"{NS}th")][1:]
            if tr.get("data-row") is not None:
                row = (dimension, tr.get("data-row"))
            elif "total" in (tr.get("class") or "").split():
                row = None
            else:
                continue
            for figure, td in zip(columns, cells):
                cell = (figure,) if row is None else (figure, *row)
                _record(published, cell, _cell_text(td), source, threshold)
        read_charts(published, section, columns[0], dimension, labels, source)
    cross = by_id.get("cross-table")
    if cross is not None:
        thead = next(cross.iter(f"{NS}thead"))
        heads = [_text(th) for th in thead.iter(f"{NS}th")]
        countries = [labels[("country", label)] for label in heads[1:-1]]
        for tr in next(cross.iter(f"{NS}tbody")).iter(f"{NS}tr"):
            tds = [c for c in tr if c.tag == f"{NS}td"]
            if len(tds) != len(heads):
                continue  # "nothing to count"
            course = labels[("course", _text(tds[0]))]
            for iso3, td in zip(countries, tds[1:-1]):
                cell = ("trained", CROSS, (course, iso3))
                _record(published, cell, _cell_text(td), source, threshold)
            _record(
                published, ("trained", "course", course), _cell_text(tds[-1]), source, threshold
            )


def read_charts(published: Published, section, figure: str, dimension: str, labels, source):
    """The numbers a chart of ``figure`` by ``dimension`` shows ("label: n" in the
    bars' titles and the legend)."""
    for element in section.iter():
        if not element.tag.endswith(("title", "text")):
            continue
        match = re.fullmatch(r"(.+): ([\d,]+)(?: \(\d+%\))?", _text(element))
        if match and (dimension, match.group(1)) in labels:
            cell = (figure, dimension, labels[(dimension, match.group(1))])
            published.show(cell, int(match.group(2).replace(",", "")), f"{source}:chart")


def read_home(published: Published, html: str, year: int, threshold: int, labels, source):
    """The home page's figures, when they are of ``year``: the numbers (matched by
    their labels) and the chart of officers trained by country group."""
    root = parse_html(html)
    section = next((e for e in root.iter() if e.get("id") == "home-figures"), None)
    if section is None or _text(next(section.iter(f"{NS}h2"))) != f"Figures of {year}":
        return
    for card in section.iter(f"{NS}div"):
        if "figure-card" not in (card.get("class") or "").split():
            continue
        parts = {(e.get("class") or ""): e for e in card}
        key = labels[("figure", _text(parts["stat-label"]))]
        _record(published, (key,), _cell_text(parts["stat"]), source, threshold)
    read_charts(published, section, "trained", "country_group", labels, source)


def labels_from_api(data: dict) -> dict:
    labels = {}
    for figure in data["figures"]:
        labels[("figure", figure["label"])] = figure["key"]
        for dimension, rows in (figure.get("breakdowns") or {}).items():
            for row in rows:
                labels[(dimension, row["label"])] = row["key"]
    return labels


# -- what the visitor knows: equations ------------------------------------------------------


def equations(published: Published) -> list[tuple[object, list]]:
    """``[(total cell, [part cells])]``: the total equals the sum of its parts (a
    part not published is zero: a breakdown lists every row that is not)."""
    out = []
    for figure, dimensions in ADDITIVE.items():
        cells = published.figure_cells(figure)
        if (figure,) not in cells:
            continue
        for dimension in dimensions:
            parts = [c for c in cells if len(c) == 3 and c[1] == dimension]
            if parts:
                out.append(((figure,), parts))
        countries = [c for c in cells if len(c) == 3 and c[1] == "country"]
        for group, members in (("ici", ICI), ("gcc", GCC_NOT_ICI)):
            parts = [c for c in countries if c[2] in members]
            if (figure, "country_group", group) in cells or parts:
                out.append(((figure, "country_group", group), parts))
        others = [c for c in countries if c[2] not in ICI | GCC_NOT_ICI]
        if (figure, "country_group", "other") in cells or others:
            out.append(((figure, "country_group", "other"), others))
        # Attendances by area: every attendance counts in each area of its course.
        if "course" in dimensions:
            for area_cell in [c for c in cells if len(c) == 3 and c[1] == "area"]:
                courses = [
                    c
                    for c in cells
                    if len(c) == 3
                    and c[1] == "course"
                    and area_cell[2] in published.course_areas.get(c[2], ())
                ]
                out.append((area_cell, courses))
    trained = published.figure_cells("trained")
    cross = [c for c in trained if len(c) == 3 and c[1] == CROSS]
    by_course, by_country = defaultdict(list), defaultdict(list)
    for c in cross:
        by_course[c[2][0]].append(c)
        by_country[c[2][1]].append(c)
    for course, parts in by_course.items():
        out.append((("trained", "course", course), parts))
    # Unique people: a union equals its one part when the other parts are zero.
    for iso3, parts in by_country.items():
        nonzero = [c for c in parts if _nonzero(published, c)]
        if len(nonzero) == 1 and ("trained", "country", iso3) in trained:
            out.append((("trained", "country", iso3), nonzero))
    courses = [c for c in trained if len(c) == 3 and c[1] == "course" and _nonzero(published, c)]
    if len(courses) == 1:
        out.append((("trained",), courses))
    for area_cell in [c for c in trained if len(c) == 3 and c[1] == "area"]:
        inside = [c for c in courses if area_cell[2] in published.course_areas.get(c[2], ())]
        if len(inside) == 1:
            out.append((area_cell, inside))
    if ("trained", "ici+gcc") in trained:
        parts = [
            c for c in trained if len(c) == 3 and c[1] == "country_group" and c[2] in ("ici", "gcc")
        ]
        out.append((("trained", "ici+gcc"), parts))
    return out


def _nonzero(published: Published, cell) -> bool:
    return cell in published.hidden or bool(published.values.get(cell, {0}) - {0})


# -- solving ----------------------------------------------------------------------------------


@dataclass
class Finding:
    cell: object
    value: object
    how: str

    def __str__(self):
        return f"{self.cell} = {self.value} ({self.how})"


def attack(published: Published, truth: dict | None = None) -> list[Finding]:
    """Every hidden cell the visitor can determine exactly. ``truth`` (the real
    values, when the caller knows them) checks the checker: every equation must
    hold for them, else the checker's knowledge is wrong."""
    findings = []
    for cell, values in published.values.items():
        if len(values) > 1:
            findings.append(Finding(cell, sorted(values), "published twice, differently"))
        if cell in published.hidden:
            findings.append(Finding(cell, min(values), "hidden in one place, shown in another"))
    unknown = sorted((c for c in published.hidden if c not in published.values), key=repr)
    if not unknown:
        return findings
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for total, parts in equations(published):
        coefficients = defaultdict(int)
        constant = 0  # sum(coefficients * unknowns) = constant
        for cell, sign in [(total, 1)] + [(p, -1) for p in parts]:
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                constant -= sign * min(published.values.get(cell, {0}))
        if truth is not None:
            real = sum(
                sign * truth.get(c, 0) for c, sign in [(total, 1)] + [(p, -1) for p in parts]
            )
            assert real == 0, f"the checker's equation is false: {total} = {parts}"
        coefficients = {k: v for k, v in coefficients.items() if v}
        if coefficients:
            rows.append((coefficients, constant))
    for i, value in determined_by_elimination(rows, len(unknown)).items():
        findings.append(Finding(unknown[i], value, "linear equations"))
    linear = {f.cell for f in findings}
    for i, (low, high) in bounds_by_search(rows, unknown, published).items():
        if low == high and unknown[i] not in linear:
            findings.append(Finding(unknown[i], low, "equations and bounds"))
    return findings


def determined_by_elimination(rows: list, n: int) -> dict[int, Fraction]:
    """Exact rational Gaussian elimination: the unknowns whose unit vector lies in
    the row space, with their value."""
    matrix = [[Fraction(row.get(j, 0)) for j in range(n)] + [Fraction(c)] for row, c in rows]
    pivots = []
    r = 0
    for col in range(n):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r])]
        pivots.append(col)
        r += 1
    out = {}
    for i, col in enumerate(pivots):
        if all(matrix[i][j] == 0 for j in range(n) if j != col):
            out[col] = matrix[i][n]
    return out


def bounds_by_search(rows: list, unknown: list, published: Published) -> dict[int, tuple]:
    """The least and greatest value of each unknown over the integer solutions
    within the known bounds (CP-SAT)."""
    from ortools.sat.python import cp_model

    out = {}
    for target in range(len(unknown)):
        found = []
        for sense in ("min", "max"):
            model = cp_model.CpModel()
            xs = []
            for cell in unknown:
                low, high = published.hidden[cell]
                xs.append(model.new_int_var(low, min(high, UNBOUNDED), repr(cell)))
            for coefficients, constant in rows:
                model.add(sum(v * xs[j] for j, v in coefficients.items()) == constant)
            (model.minimize if sense == "min" else model.maximize)(xs[target])
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = 10
            status = solver.solve(model)
            if status == cp_model.INFEASIBLE:
                return {}  # the published bounds are false: reported apart
            assert status == cp_model.OPTIMAL, solver.status_name(status)
            found.append(int(solver.objective_value))
        out[target] = tuple(found)
    return out


# -- what a visitor can fetch for a year --------------------------------------------------------


def fetch_year(client, api, year: int, threshold: int) -> Published:
    """Everything an anonymous visitor can fetch for ``year``."""
    published = Published()
    response = api.get("reports/figures", {"year": year, "breakdowns": "true"})
    assert response.status_code == 200, response.content
    figures = response.json()
    read_api(published, figures, threshold, "api:figures")
    for figure in figures["figures"]:
        one = api.get(f"reports/figures/{figure['key']}", {"year": year})
        assert one.status_code == 200, one.content
        read_api(published, one.json(), threshold, f"api:figures/{figure['key']}")
    labels = labels_from_api(figures)
    page = client.get("/reports/public/", {"year": year})
    assert page.status_code == 200
    read_page(published, page.content.decode(), threshold, labels, "page")
    home = client.get("/")
    read_home(published, home.content.decode(), year, threshold, labels, "home")
    return published


def dump(published: Published) -> str:
    return json.dumps(
        {
            "shown": {repr(k): sorted(v) for k, v in published.values.items()},
            "hidden": {repr(k): v for k, v in published.hidden.items()},
        },
        indent=1,
        sort_keys=True,
    )
