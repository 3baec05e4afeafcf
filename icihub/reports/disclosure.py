"""Statistical disclosure control of the public figures: which counts of people
the public statistics hide. The one home of the rule: the public page, the
public API and every file built from a public scope read it from here.

The method is cell suppression as national statistics offices apply it (the
rules of τ-ARGUS, the cell-suppression tool of the European statistical
system):

1. **Primary suppression**: every count of people above 0 and under the
   threshold (``ICIHUB_SMALL_COUNT_THRESHOLD``, 5) is hidden.
2. **Secondary (complementary) suppression**: every number a visitor can fetch
   for the year is one cell of one *release* — the totals, every breakdown of
   every public figure that counts people, the course-by-country table and the
   summary sentence — and the relations a visitor knows between them ("a total
   is the sum of its parts", also across tables: the ICI members are the sum
   of their countries, a course's row is the sum of its countries) are written
   down as linear equations. A hidden cell is *protected* when the equations,
   together with what a visitor knows of every hidden cell (a whole number, at
   least 1, since a zero is shown as such), still allow another value for it.
   While some hidden cell is not protected, the cheapest cells to hide with it
   are added: the single cell, else the pair, else the triple, of the least
   total value among the cells that share an equation with it (and their
   neighbours), that protects it. Totals compete like any other cell, so a
   small total is hidden rather than its larger parts, and a large total stays.

Where the relation between a total and its parts is not a plain sum (people
trained in two areas or two courses count once in the total), the equation is
written all the same: assuming more equations than are true can only make the
protection stricter (a value a visitor cannot rule out under more equations
cannot be ruled out under fewer).

Every hidden cell is shown the same way ("x"), whether it is small or hidden to
protect a small one, so that the mark itself says nothing about the size. The
check of protection is exact for the equations (rational elimination) and for
the bounds (first a quick search for a whole-number alternative along the
directions the equations leave free, then, if it finds none, CP-SAT). A visitor's check, written apart, is in
``reports/tests/disclosure_checker.py``.

Hand-written rather than a library: τ-ARGUS is a Java desktop tool and
sdcTable an R package; neither can run inside a request. The problem sizes
(tens of cells per year) keep the exact arithmetic cheap.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

SMALL = "small"  # hidden because under the threshold (primary)
COMPLEMENT = "complement"  # hidden so that a small count cannot be worked out

Cell = Hashable


@dataclass(frozen=True)
class Relation:
    """``total`` = the sum of ``parts`` (as a visitor knows it)."""

    total: Cell
    parts: tuple


@dataclass
class Suppression:
    """Which cells to hide, and why."""

    hidden: dict = field(default_factory=dict)  # cell -> SMALL or COMPLEMENT
    unprotected: set = field(default_factory=set)  # cells no complement could protect

    def reason(self, cell) -> str:
        return self.hidden.get(cell, "")

    def __contains__(self, cell) -> bool:
        return cell in self.hidden


def suppress(values: dict, relations: Iterable[Relation], threshold: int) -> Suppression:
    """The cells of ``values`` ({cell: count}) to hide, given the ``relations``
    a visitor knows between them. Cells named in a relation but absent from
    ``values`` are zero."""
    values = dict(values)
    relations = [r for r in relations if r.parts or r.total in values]
    for relation in relations:
        for cell in (relation.total, *relation.parts):
            values.setdefault(cell, 0)
    solver = _Problem(values, relations)
    hidden = {c: SMALL for c, v in sorted(values.items(), key=repr) if 0 < (v or 0) < threshold}
    out = Suppression(hidden)
    safe = set()  # protection only grows with the hidden set: checked once
    while True:  # each round hides a cell more or gives one up: it ends
        exposed = None
        for cell in sorted(hidden, key=repr):
            if cell in safe or cell in out.unprotected:
                continue
            if solver.protected(cell, hidden):
                safe.add(cell)
            else:
                exposed = cell
                break
        if exposed is None:
            break
        partners = solver.cheapest_cover(exposed, hidden)
        if not partners:
            out.unprotected.add(exposed)
            continue
        for cell in partners:
            hidden[cell] = COMPLEMENT
    return out


class _Problem:
    def __init__(self, values: dict, relations: list[Relation]):
        self.values = values
        self.relations = relations
        self.of = defaultdict(list)  # cell -> indices of its relations
        for index, relation in enumerate(relations):
            for cell in {relation.total, *relation.parts}:
                self.of[cell].append(index)

    # -- is a hidden cell protected? -------------------------------------------------------

    def protected(self, cell, hidden) -> bool:
        unknowns, rows = self._component(cell, hidden)
        basis = _null_space(rows, len(unknowns))
        position = unknowns.index(cell)
        useful = [b for b in basis if b[position] != 0]
        if not useful:
            return False  # the equations give its value
        # A whole-number alternative within the bounds (every hidden cell at
        # least 1): along one free direction, or the sum or difference of two.
        current = [self.values[u] for u in unknowns]

        def fits(direction) -> bool:
            return direction[position] != 0 and any(
                all(v + sign * d >= 1 for v, d in zip(current, direction, strict=True))
                for sign in (1, -1)
            )

        if any(fits(b) for b in useful):
            return True
        for a in useful:
            for b in basis:
                if b is not a and (
                    fits([x + y for x, y in zip(a, b, strict=True)])
                    or fits([x - y for x, y in zip(a, b, strict=True)])
                ):
                    return True
        # The quick search found no alternative; one may still need several
        # directions at once (a year of a few ones in one course): ask exactly.
        return _another_value_exists(rows, current, position)

    def _linked(self, cell, hidden) -> set:
        """Every cell of the relations that link ``cell`` to other hidden cells."""
        _unknowns, _rows, used = self._component(cell, hidden, with_relations=True)
        return {c for i in used for c in (self.relations[i].total, *self.relations[i].parts)}

    def _component(self, cell, hidden, *, with_relations: bool = False):
        """The hidden cells linked to ``cell`` through relations with hidden cells
        in them, and those relations as rows over them."""
        seen, queue, used = {cell}, [cell], set()
        while queue:
            current = queue.pop()
            for index in self.of[current]:
                if index in used:
                    continue
                used.add(index)
                relation = self.relations[index]
                for other in (relation.total, *relation.parts):
                    if other in hidden and other not in seen:
                        seen.add(other)
                        queue.append(other)
        unknowns = sorted(seen, key=repr)
        position = {u: i for i, u in enumerate(unknowns)}
        rows = []
        for index in sorted(used):
            relation = self.relations[index]
            row = defaultdict(int)
            row[relation.total] += 1
            for part in relation.parts:
                row[part] -= 1
            coefficients = {position[c]: v for c, v in row.items() if v and c in position}
            if coefficients:
                rows.append(coefficients)
        if with_relations:
            return unknowns, rows, used
        return unknowns, rows

    # -- which cells to hide with it --------------------------------------------------------

    def neighbours(self, cell) -> set:
        out = set()
        for index in self.of[cell]:
            relation = self.relations[index]
            out.update((relation.total, *relation.parts))
        out.discard(cell)
        return out

    def cheapest_cover(self, cell, hidden) -> tuple:
        """The cheapest set of one to three cells (least total value) whose hiding
        protects ``cell``."""

        def shown(cells):
            return sorted(
                (c for c in cells if c not in hidden and self.values.get(c)),
                key=lambda c: (self.values[c], repr(c)),
            )

        linked = self._linked(cell, hidden)
        near = shown(linked)
        far = shown({n for c in near[:12] for n in self.neighbours(c)} - set(near) - {cell})
        pool = near[:10] + far[:6]
        options = [
            combo
            for size in (1, 2, 3)
            for combo in itertools.combinations(pool, size)
            if any(c in linked for c in combo)
        ]
        options.sort(key=lambda combo: (sum(self.values[c] for c in combo), len(combo)))
        for combo in options[:150]:
            if self.protected(cell, {**hidden, **dict.fromkeys(combo, COMPLEMENT)}):
                return combo
        return tuple(near[:1])  # none suffices alone: hide the cheapest and look again


def _another_value_exists(rows: list[dict], current: list[int], position: int) -> bool:
    """Whether the equations (each row: the sum of its coefficients times the
    change of its cells is 0) allow whole numbers of at least 1 for every hidden
    cell with another value for the one at ``position``: a feasibility question
    for CP-SAT (OR-Tools, already the planner's solver)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    ceiling = 2 * sum(current) + 10  # any alternative moves within the totals' sizes
    x = [model.NewIntVar(1, ceiling, f"x{i}") for i in range(len(current))]
    for row in rows:
        model.Add(sum(c * (x[j] - current[j]) for j, c in row.items()) == 0)
    model.Add(x[position] != current[position])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    return solver.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _null_space(rows: list[dict], n: int) -> list[list[int]]:
    """A basis of the integer vectors d with sum(row[j] * d[j]) = 0 for every row:
    exact, fraction-free Gaussian elimination (whole numbers throughout, each row
    divided by the gcd of its entries)."""
    matrix = [[row.get(j, 0) for j in range(n)] for row in rows]
    pivots = []  # (row index, column)
    r = 0
    for col in range(n):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead_row = matrix[r]
        lead = lead_row[col]
        for i in range(len(matrix)):
            factor = matrix[i][col]
            if i != r and factor:
                row = [lead * a - factor * b for a, b in zip(matrix[i], lead_row, strict=True)]
                divisor = math.gcd(*row)
                matrix[i] = [x // divisor for x in row] if divisor > 1 else row
        pivots.append((r, col))
        r += 1
    pivot_columns = {col for _r, col in pivots}
    basis = []
    for free in (c for c in range(n) if c not in pivot_columns):
        leads = [matrix[i][col] for i, col in pivots if matrix[i][free]]
        scale = math.lcm(*(abs(x) for x in leads)) if leads else 1
        vector = [0] * n
        vector[free] = scale
        for i, col in pivots:
            if matrix[i][free]:
                vector[col] = -matrix[i][free] * scale // matrix[i][col]
        divisor = math.gcd(*vector)
        basis.append([x // divisor for x in vector])
    return basis


# -- the public release of a scope ------------------------------------------------------------

CROSS = "course×country"  # the dimension of the course-by-country table's cells
OFFICERS = ("trained", "ici+gcc")  # the summary's "officers from ICI and GCC countries"


def threshold() -> int:
    from django.conf import settings

    return int(getattr(settings, "ICIHUB_SMALL_COUNT_THRESHOLD", 5))


def public_figures() -> list:
    """The figures that count people and are published: hidden under the threshold."""
    from . import figures

    return [f for f in figures.FIGURES.values() if f.people and f.public]


@dataclass
class Release:
    """Every count of people a visitor can fetch for one public scope, by cell
    (``(figure,)``, ``(figure, dimension, key)``, ``("trained", CROSS, (course,
    country))``, ``OFFICERS``), the relations between them, and which are hidden."""

    values: dict
    relations: list
    suppression: Suppression
    cross: dict = field(default_factory=dict)  # figures.cross("trained", course, country)

    def hidden(self, cell) -> bool:
        return cell in self.suppression


def release(scope) -> Release:
    """The public release of ``scope`` (computed once per scope)."""
    return scope.cached(("disclosure",), lambda: _build(scope))


def _build(scope) -> Release:
    from . import figures

    values, relations = {}, []
    for figure in public_figures():
        total = (figure.key,)
        values[total] = figures.value(figure, scope) or 0
        for dimension in figure.dims:
            rows = figures.breakdown(figure, scope, dimension)
            parts = []
            for row in rows:
                cell = (figure.key, dimension, row.param)
                values[cell] = row.value or 0
                parts.append(cell)
            relations.append(Relation(total, tuple(parts)))
        if {"country", "country_group"} <= set(figure.dims):
            relations += _groups(scope, figure.key, values)
        if {"area", "course"} <= set(figure.dims):
            relations += _areas(figure.key, values)
    cross = figures.cross("trained", scope, "course", "country")
    course_format = figures.DIMENSIONS["course"].format
    country_format = figures.DIMENSIONS["country"].format
    by_course, by_country = defaultdict(list), defaultdict(list)
    for (course, country), value in cross["cells"].items():
        if not value:
            continue
        key = (course_format(course), country_format(country))
        cell = ("trained", CROSS, key)
        values[cell] = value
        by_course[key[0]].append(cell)
        by_country[key[1]].append(cell)
    for course, parts in by_course.items():
        relations.append(Relation(("trained", "course", course), tuple(parts)))
    for country, parts in by_country.items():  # unique people: at most the sum (see above)
        relations.append(Relation(("trained", "country", country), tuple(parts)))
    groups = [("trained", "country_group", g) for g in ("ici", "gcc")]
    values[OFFICERS] = sum(values.get(c, 0) for c in groups)
    relations.append(Relation(OFFICERS, tuple(groups)))
    return Release(values, relations, _cached_suppress(values, relations), cross)


def _cached_suppress(values: dict, relations: list) -> Suppression:
    """``suppress``, remembered in Django's cache under a digest of its input
    (the same numbers always give the same answer, so the cache cannot make two
    pages differ; a large year takes seconds to solve, a cached one nothing)."""
    import hashlib

    from django.core.cache import cache

    limit = threshold()
    payload = repr(
        (limit, sorted(values.items(), key=repr), [(r.total, r.parts) for r in relations])
    )
    key = "icihub:disclosure:" + hashlib.sha256(payload.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        hidden, unprotected = found
        return Suppression(dict(hidden), set(unprotected))
    result = suppress(values, relations, limit)
    cache.set(key, (list(result.hidden.items()), list(result.unprotected)), 24 * 3600)
    return result


def _groups(scope, key: str, values: dict) -> list[Relation]:
    """Each country group is the sum of its countries."""
    from icihub.partners.models import Country

    groups = scope.country_groups()
    iso3 = dict(
        Country.objects.filter(pk__in=set().union(*groups.values())).values_list("pk", "iso3")
    )
    member = {iso3[pk]: group for group, pks in groups.items() for pk in pks if pk in iso3}
    parts = defaultdict(list)
    for cell in values:
        if len(cell) == 3 and cell[0] == key and cell[1] == "country":
            parts[member.get(cell[2], "other")].append(cell)
    return [
        Relation((key, "country_group", group), tuple(parts[group]))
        for group in ("ici", "gcc", "other")
    ]


def _areas(key: str, values: dict) -> list[Relation]:
    """Each area is the sum of its courses (exact for attendances; for unique
    people, at most: see above)."""
    from icihub.menu.models import Activity

    courses = [c[2] for c in values if len(c) == 3 and c[0] == key and c[1] == "course"]
    links = Activity.areas.through.objects.filter(
        activity_id__in=[int(c) for c in courses]
    ).values_list("activity_id", "area__code")
    parts = defaultdict(list)
    for course, area in links:
        parts[area].append((key, "course", str(course)))
    return [
        Relation(cell, tuple(parts[cell[2]]))
        for cell in values
        if len(cell) == 3 and cell[0] == key and cell[1] == "area"
    ]
