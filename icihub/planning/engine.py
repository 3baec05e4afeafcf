"""The year planner's engine: the problem, the CP-SAT model, the cost function,
the greedy earliest-fit baseline, the explanations of infeasibility and the
reasons a session sits where it does.

No Django models here: the problem is plain data (``Problem``), built from the
database by ``icihub.planning.problem``; this keeps the engine testable on
random instances and usable by the benchmark.

Days are counted from 1 January of the plan's year (day 0). A session of ``d``
days occupies the calendar days ``start .. start + d - 1`` (as training's
sessions do: the end is ``start + duration - 1``).

Trips: one trip covers back-to-back sessions of the same instructor, i.e.
sessions separated by at most ``max_idle`` idle days (a weekend in Kuwait, by
default three days: Thursday's end, then Friday and Saturday, then a course
starting on Sunday or Monday). Instructors whose ``travel_days`` is 0 live in
Kuwait and make no trips.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ortools.sat.python import cp_model

TERMS = ("trips", "travel_days", "spread", "preferred_month", "requested_period", "near_islamic")
DEFAULT_WEIGHTS = {
    "trips": 100,
    "travel_days": 20,
    "spread": 5,
    "preferred_month": 30,
    "requested_period": 50,
    "near_islamic": 40,
}
NEAR_DAYS = 7  # "the weeks next to Ramadan and the Eids"


# -- the problem ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    name: str = ""
    kind: str = ""

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True)
class Instructor:
    key: int
    name: str
    organisation: str = ""
    travel_days: int = 1  # each way; 0: lives in Kuwait, makes no trips
    unavailable: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Course:
    key: int
    code: str
    duration: int
    iterations: int
    instructors: tuple[int, ...]  # qualified
    needed: int = 1  # instructors per session
    min_gap: int = 0  # idle days at least between two iterations
    preferred_months: tuple[int, ...] = ()
    requested: tuple[Period, ...] = ()  # partners' requested periods (a start inside)


@dataclass(frozen=True)
class Fixed:
    """A session that does not move: locked by staff (counted in its course's
    iterations) or an existing session of the year (``existing``)."""

    key: str
    course: int
    start: dt.date
    end: dt.date
    instructors: tuple[int, ...]
    existing: bool = False
    label: str = ""


@dataclass(frozen=True)
class Calendar:
    year: int
    working_days: frozenset[int]  # Python weekday numbers
    blocked: tuple[Period, ...]  # hard: no session may overlap
    near: tuple[Period, ...] = ()  # soft: avoided where possible

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def days(self) -> int:
        return 366 if pycalendar.isleap(self.year) else 365

    def day(self, d: dt.date) -> int:
        return (d - self.first).days

    def date(self, n: int) -> dt.date:
        return self.first + dt.timedelta(days=n)


@dataclass
class Problem:
    calendar: Calendar
    courses: tuple[Course, ...]
    instructors: dict[int, Instructor]
    rooms: int = 1
    fixed: tuple[Fixed, ...] = ()
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    max_idle: int = 3

    @property
    def course_by_key(self) -> dict[int, Course]:
        return {c.key: c for c in self.courses}


@dataclass(frozen=True)
class Spec:
    """One session to place (free) or already placed (fixed)."""

    key: str
    course: int
    code: str
    duration: int
    fixed: Fixed | None = None


@dataclass(frozen=True)
class Placed:
    key: str
    course: int
    code: str
    start: dt.date
    end: dt.date
    instructors: tuple[int, ...]
    fixed: bool = False
    existing: bool = False


@dataclass(frozen=True)
class TripPlan:
    instructor: int
    sessions: tuple[str, ...]
    arrival: dt.date
    departure: dt.date


@dataclass
class Progress:
    solutions: int = 0
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed: float = 0.0


@dataclass
class Result:
    status: str  # optimal | feasible | infeasible | unknown
    sessions: list[Placed] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solutions: int = 0
    elapsed: float = 0.0
    explanation: list[str] = field(default_factory=list)
    stop_reason: str = ""


def specs(problem: Problem) -> list[Spec]:
    """The sessions of the problem: per course its locked sessions and as many
    free ones as its iterations leave; then the existing sessions."""
    out = []
    courses = problem.course_by_key
    locked = defaultdict(list)
    for f in problem.fixed:
        if not f.existing:
            locked[f.course].append(f)
    for c in problem.courses:
        for f in locked[c.key]:
            out.append(Spec(f.key, c.key, c.code, (f.end - f.start).days + 1, f))
        for k in range(max(c.iterations - len(locked[c.key]), 0)):
            out.append(Spec(f"c{c.key}-{k + 1}", c.key, c.code, c.duration))
    for f in problem.fixed:
        if f.existing or f.course not in courses:
            code = courses[f.course].code if f.course in courses else (f.label or f.key)
            out.append(Spec(f.key, f.course, code, (f.end - f.start).days + 1, f))
    return out


# -- the calendar ---------------------------------------------------------------------------------


def _days_of(cal: Calendar, periods) -> set[int]:
    """The year's day numbers that the periods cover (clipped to the year)."""
    out = set()
    for p in periods:
        a, b = max(cal.day(p.start), 0), min(cal.day(p.end), cal.days - 1)
        out.update(range(a, b + 1))
    return out


def blocked_days(cal: Calendar) -> set[int]:
    return _days_of(cal, cal.blocked)


def allowed_starts(cal: Calendar, duration: int) -> list[int]:
    """Day numbers on which a session of ``duration`` days may start: it starts
    and ends on working days, within the year, and touches no blocked day. A
    session no longer than the working week also keeps within one working
    week (a five-day course runs Sunday to Thursday, not Wednesday to Sunday
    across the weekend)."""
    blocked = blocked_days(cal)
    within_week = duration <= len(cal.working_days)
    out = []
    for t in range(0, cal.days - duration + 1):
        days = range(t, t + duration)
        if cal.date(t).weekday() not in cal.working_days:
            continue
        if cal.date(t + duration - 1).weekday() not in cal.working_days:
            continue
        if within_week and any(cal.date(d).weekday() not in cal.working_days for d in days):
            continue
        if any(d in blocked for d in days):
            continue
        out.append(t)
    return out


def near_days(cal: Calendar) -> set[int]:
    return _days_of(cal, cal.near)


def _busy(inst: Instructor, cal: Calendar) -> list[tuple[int, int]]:
    """An instructor's unavailable periods as day ranges (inclusive) within the year."""
    out = []
    for p in inst.unavailable:
        a, b = max(cal.day(p.start), 0), min(cal.day(p.end), cal.days - 1)
        if a <= b:
            out.append((a, b))
    # overlapping or touching periods are one (they must not overlap in NoOverlap)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _free(busy: list[tuple[int, int]], t: int, duration: int) -> bool:
    return all(b < t or a > t + duration - 1 for a, b in busy)


# -- the cost function (the model's objective, computed from a plan) -------------------------------


def spread_ideal(cal: Calendar, n: int) -> int:
    """Two iterations of a course should start at least this many days apart."""
    return (cal.days // max(n, 1)) * 3 // 4


def chains(problem: Problem, placed: list[Placed]) -> list[TripPlan]:
    """The trips a plan implies: per travelling instructor, runs of sessions
    separated by at most ``max_idle`` idle days."""
    by_instructor = defaultdict(list)
    for s in placed:
        for i in s.instructors:
            by_instructor[i].append(s)
    trips = []
    for i, sessions in sorted(by_instructor.items()):
        inst = problem.instructors.get(i)
        if inst is None or inst.travel_days <= 0:
            continue
        sessions.sort(key=lambda s: (s.start, s.end))
        run = [sessions[0]]
        for s in sessions[1:]:
            idle = (s.start - run[-1].end).days - 1
            if 0 <= idle <= problem.max_idle:
                run.append(s)
            else:
                trips.append(_trip(i, run))
                run = [s]
        trips.append(_trip(i, run))
    return trips


def _trip(instructor: int, run: list[Placed]) -> TripPlan:
    return TripPlan(
        instructor,
        tuple(s.key for s in run),
        run[0].start - dt.timedelta(days=1),
        max(s.end for s in run) + dt.timedelta(days=1),
    )


def costs(problem: Problem, placed: list[Placed]) -> dict[str, int]:
    """Each term of the objective for a plan (any plan: the solver's, the greedy
    one, last year's real calendar)."""
    cal = problem.calendar
    courses = problem.course_by_key
    trips = chains(problem, placed)
    out = dict.fromkeys(TERMS, 0)
    out["trips"] = len(trips)
    out["travel_days"] = sum(2 * problem.instructors[t.instructor].travel_days for t in trips)
    by_course = defaultdict(list)
    for s in placed:
        by_course[s.course].append(s)
    for key, sessions in by_course.items():
        ideal = spread_ideal(cal, len(sessions))
        for a_i, a in enumerate(sessions):
            for b in sessions[a_i + 1 :]:
                shortfall = max(0, ideal - abs((a.start - b.start).days))
                out["spread"] += shortfall // 7
        course = courses.get(key)
        if course is None:
            continue
        for s in sessions:
            if course.preferred_months and not s.existing:
                out["preferred_month"] += s.start.month not in course.preferred_months
        for p in course.requested:
            out["requested_period"] += not any(p.start <= s.start <= p.end for s in sessions)
    near = near_days(cal)
    for s in placed:
        if s.existing:
            continue
        if any(cal.day(s.start) + k in near for k in range((s.end - s.start).days + 1)):
            out["near_islamic"] += 1
    return out


def weighted(weights: dict, terms: dict) -> int:
    return sum(int(weights.get(k, 0)) * int(terms.get(k, 0)) for k in TERMS)


# -- hard constraints, checked on a plan (for editing; the tests have their own checker) -------------


def violations(problem: Problem, placed: list[Placed]) -> list[tuple[str, str]]:
    """Every broken hard constraint of a plan, as (session key, sentence)."""
    cal = problem.calendar
    out = []
    courses = problem.course_by_key
    for s in placed:
        if s.existing:
            continue
        if s.start.year != cal.year or s.end.year != cal.year:
            out.append((s.key, _("%(s)s is outside %(y)s.") % {"s": s.code, "y": cal.year}))
            continue
        if s.start.weekday() not in cal.working_days:
            out.append(
                (
                    s.key,
                    _("%(s)s starts on a non-working day (%(d)s).") % {"s": s.code, "d": s.start},
                )
            )
        if s.end.weekday() not in cal.working_days:
            out.append(
                (s.key, _("%(s)s ends on a non-working day (%(d)s).") % {"s": s.code, "d": s.end})
            )
        for p in cal.blocked:
            if p.overlaps(s.start, s.end):
                out.append(
                    (
                        s.key,
                        _("%(s)s overlaps %(p)s (%(a)s – %(b)s).")
                        % {"s": s.code, "p": p.name, "a": p.start, "b": p.end},
                    )
                )
        course = courses.get(s.course)
        if course:
            unqualified = [i for i in s.instructors if i not in course.instructors]
            if unqualified and not s.fixed:
                out.append(
                    (
                        s.key,
                        _("%(i)s is not qualified for %(s)s.")
                        % {"i": problem.instructors[unqualified[0]].name, "s": s.code},
                    )
                )
    by_instructor = defaultdict(list)
    for s in placed:
        for i in s.instructors:
            by_instructor[i].append(s)
    for i, sessions in by_instructor.items():
        inst = problem.instructors.get(i)
        name = inst.name if inst else str(i)
        sessions.sort(key=lambda s: s.start)
        for a_i, a in enumerate(sessions):
            for b in sessions[a_i + 1 :]:
                if a.start <= b.end and b.start <= a.end:
                    out.append(
                        (
                            b.key,
                            _("%(i)s would teach %(a)s and %(b)s at the same time.")
                            % {"i": name, "a": a.code, "b": b.code},
                        )
                    )
        for p in inst.unavailable if inst else ():
            for s in sessions:
                if p.overlaps(s.start, s.end) and not s.existing:
                    out.append(
                        (
                            s.key,
                            _("%(i)s is unavailable from %(a)s to %(b)s.")
                            % {"i": name, "a": p.start, "b": p.end},
                        )
                    )
    by_course = defaultdict(list)
    for s in placed:
        by_course[s.course].append(s)
    for key, sessions in by_course.items():
        course = courses.get(key)
        if not course:
            continue
        sessions.sort(key=lambda s: s.start)
        for a_i, a in enumerate(sessions):
            for b in sessions[a_i + 1 :]:
                if a.existing and b.existing:
                    continue
                idle = (b.start - a.end).days - 1
                if idle < course.min_gap:
                    out.append(
                        (
                            b.key,
                            _(
                                "Two iterations of %(s)s are %(n)s days apart; "
                                "the minimum gap is %(g)s days."
                            )
                            % {"s": course.code, "n": max(idle, 0), "g": course.min_gap},
                        )
                    )
    load = defaultdict(list)
    for s in placed:
        for k in range((s.end - s.start).days + 1):
            load[s.start + dt.timedelta(days=k)].append(s)
    reported = set()
    for day, sessions in sorted(load.items()):
        if len(sessions) > problem.rooms:
            key = tuple(sorted(s.key for s in sessions))
            if key in reported:
                continue
            reported.add(key)
            out.append(
                (
                    sessions[-1].key,
                    ngettext(
                        "On %(d)s, %(n)s sessions run but the Centre has %(r)s room.",
                        "On %(d)s, %(n)s sessions run but the Centre has %(r)s rooms.",
                        problem.rooms,
                    )
                    % {"d": day, "n": len(sessions), "r": problem.rooms},
                )
            )
    return out


# -- explanations of infeasibility ----------------------------------------------------------------


def _max_placeable(starts: list[int], duration: int, gap: int) -> int:
    """The most sessions of ``duration`` days, ``gap`` idle days apart, that fit
    on these start days (earliest-fit is optimal for equal lengths)."""
    n, next_ok = 0, -(10**9)
    for t in starts:
        if t >= next_ok:
            n += 1
            next_ok = t + duration + gap
    return n


def precheck(problem: Problem) -> list[str]:
    """Reasons, in words, why no plan can exist, found by counting (capacity
    of each course, instructor and room against the working days)."""
    cal = problem.calendar
    reasons = []
    specs_ = specs(problem)
    allowed_cache: dict[int, list[int]] = {}

    def allowed(duration):
        if duration not in allowed_cache:
            allowed_cache[duration] = allowed_starts(cal, duration)
        return allowed_cache[duration]

    for c in problem.courses:
        free = [s for s in specs_ if s.course == c.key and s.fixed is None]
        if not free:
            continue
        n = len(free)
        qualified = [problem.instructors[i] for i in c.instructors if i in problem.instructors]
        if len(qualified) < c.needed:
            reasons.append(
                ngettext(
                    "%(c)s needs %(n)s instructor per session, but %(q)s is qualified.",
                    "%(c)s needs %(n)s instructors per session, but %(q)s are qualified.",
                    c.needed,
                )
                % {"c": c.code, "n": c.needed, "q": len(qualified)}
            )
            continue
        starts = allowed(c.duration)
        if not starts:
            reasons.append(
                _(
                    "%(c)s lasts %(d)s days, but no run of %(d)s days in %(y)s starts and ends "
                    "on working days without touching a blocked period."
                )
                % {"c": c.code, "d": c.duration, "y": cal.year}
            )
            continue
        # the days an instructor is free for the whole course
        usable = [
            t
            for t in starts
            if sum(_free(_busy(i, cal), t, c.duration) for i in qualified) >= c.needed
        ]
        fits = _max_placeable(usable, c.duration, c.min_gap)
        if fits < n:
            free_weeks = len({t // 7 for t in usable})
            if len(qualified) == 1:
                reasons.append(
                    ngettext(
                        "%(c)s needs %(n)s iterations, but its only instructor, %(i)s, is free "
                        "for %(k)s of them (%(w)s week free of blocked periods).",
                        "%(c)s needs %(n)s iterations, but its only instructor, %(i)s, is free "
                        "for %(k)s of them (%(w)s weeks free of blocked periods).",
                        free_weeks,
                    )
                    % {"c": c.code, "n": n, "i": qualified[0].name, "k": fits, "w": free_weeks}
                )
            else:
                reasons.append(
                    _(
                        "%(c)s needs %(n)s iterations of %(d)s days at least %(g)s days apart, but "
                        "only %(k)s fit in %(y)s around the blocked periods and its instructors' "
                        "availability."
                    )
                    % {
                        "c": c.code,
                        "n": n,
                        "d": c.duration,
                        "g": c.min_gap,
                        "k": fits,
                        "y": cal.year,
                    }
                )
    # instructors who are the only ones for several courses
    sole = defaultdict(list)
    for c in problem.courses:
        q = [i for i in c.instructors if i in problem.instructors]
        if len(q) == c.needed:
            for i in q:
                sole[i].append(c)
    for i, courses in sole.items():
        inst = problem.instructors[i]
        need = sum(
            c.duration * len([s for s in specs_ if s.course == c.key and s.fixed is None])
            for c in courses
        )
        busy = _busy(inst, cal)
        free_days = sum(
            1
            for t in range(cal.days)
            if cal.date(t).weekday() in cal.working_days and _free(busy, t, 1)
        )
        if len(courses) > 1 and need > free_days:
            reasons.append(
                _(
                    "%(i)s is the only instructor of %(c)s: they need %(n)s days, but %(i)s is "
                    "free for %(f)s working days."
                )
                % {
                    "i": inst.name,
                    "c": ", ".join(c.code for c in courses),
                    "n": need,
                    "f": free_days,
                }
            )
    # locked and existing sessions
    fixed = [s for s in specs_ if s.fixed is not None]
    for s in fixed:
        f = s.fixed
        if f.existing:
            continue
        t = cal.day(f.start)
        if t not in allowed(s.duration):
            reasons.append(
                _(
                    "The locked session %(s)s (%(a)s) no longer starts and ends on working days "
                    "clear of blocked periods: unlock or move it."
                )
                % {"s": s.code, "a": f.start}
            )
    placed_fixed = [
        Placed(
            s.key,
            s.course,
            s.code,
            s.fixed.start,
            s.fixed.end,
            s.fixed.instructors,
            True,
            s.fixed.existing,
        )
        for s in fixed
    ]
    for _key, sentence in violations(problem, placed_fixed):
        if sentence not in reasons:
            reasons.append(_("Sessions that cannot move conflict: %(s)s") % {"s": sentence})
    total_days = sum(s.duration for s in specs_)
    working = sum(1 for t in range(cal.days) if cal.date(t).weekday() in cal.working_days)
    if total_days > problem.rooms * cal.days:
        reasons.append(
            ngettext(
                "The sessions need %(n)s session-days, more than %(r)s room holds in %(y)s.",
                "The sessions need %(n)s session-days, more than %(r)s rooms hold in %(y)s.",
                problem.rooms,
            )
            % {"n": total_days, "r": problem.rooms, "y": cal.year, "w": working}
        )
    return reasons


# -- the CP-SAT model ----------------------------------------------------------------------------


class _Model:
    """The model of one problem. With ``explain``, each named group of
    constraints is enforced by an assumption literal, so that CP-SAT can name a
    set of groups that cannot hold together."""

    def __init__(self, problem: Problem, *, explain: bool = False):
        self.problem = problem
        self.explain = explain
        cal = problem.calendar
        m = self.m = cp_model.CpModel()
        self.groups: dict[int, str] = {}  # literal index -> sentence
        self.group_lits: list = []
        self.specs = specs(problem)
        courses = problem.course_by_key
        D = cal.days
        allowed_cache: dict[int, list[int]] = {}
        self.start: dict[str, object] = {}
        self.interval: dict[str, object] = {}
        self.x: dict[tuple[str, int], object] = {}
        self.presence_const: dict[tuple[str, int], bool] = {}
        near = near_days(cal)
        terms = defaultdict(list)  # term -> list of linear expressions / ints
        self.terms = terms

        def group(sentence: str):
            if not explain:
                return None
            for idx, text in self.groups.items():
                if text == sentence:
                    return self._lit_by_index[idx]
            lit = m.NewBoolVar(f"g{len(self.groups)}")
            self.groups[lit.Index()] = sentence
            self._lit_by_index[lit.Index()] = lit
            self.group_lits.append(lit)
            return lit

        self._lit_by_index = {}

        def enforce(ct, lit):
            if lit is not None:
                ct.OnlyEnforceIf(lit)

        for s in self.specs:
            if s.fixed is not None:
                t = cal.day(s.fixed.start)
                if s.fixed.existing or not explain:
                    var = m.NewIntVar(t, t, s.key)
                else:
                    var = m.NewIntVar(min(t, 0), max(t, D - 1), s.key)
                    lit = group(
                        _("%(s)s stays where it is locked (%(d)s).")
                        % {"s": s.code, "d": s.fixed.start}
                    )
                    m.Add(var == t).OnlyEnforceIf(lit)
                self.start[s.key] = var
                self.interval[s.key] = m.NewFixedSizeIntervalVar(var, s.duration, f"i{s.key}")
                for i in s.fixed.instructors:
                    self.presence_const[(s.key, i)] = True
                continue
            course = courses[s.course]
            if s.duration not in allowed_cache:
                allowed_cache[s.duration] = allowed_starts(cal, s.duration)
            allowed = allowed_cache[s.duration]
            if explain:
                var = m.NewIntVar(0, D - s.duration, s.key)
                lit = group(
                    _(
                        "%(c)s (%(d)s days) starts and ends on working days and avoids the "
                        "blocked periods."
                    )
                    % {"c": course.code, "d": course.duration}
                )
                m.AddLinearExpressionInDomain(
                    var, cp_model.Domain.FromValues(allowed)
                ).OnlyEnforceIf(lit)
            else:
                var = m.NewIntVarFromDomain(cp_model.Domain.FromValues(allowed), s.key)
            self.start[s.key] = var
            self.interval[s.key] = m.NewFixedSizeIntervalVar(var, s.duration, f"i{s.key}")
            lit = group(
                ngettext(
                    "%(c)s has %(n)s instructor per session from its qualified instructors.",
                    "%(c)s has %(n)s instructors per session from its qualified instructors.",
                    course.needed,
                )
                % {"c": course.code, "n": course.needed}
            )
            xs = []
            for i in course.instructors:
                if i not in problem.instructors:
                    continue
                x = m.NewBoolVar(f"x{s.key}_{i}")
                self.x[(s.key, i)] = x
                xs.append(x)
            enforce(m.Add(sum(xs) == course.needed), lit)

        # minimum gaps between the iterations of a course (and symmetry breaking)
        for c in problem.courses:
            mine = [s for s in self.specs if s.course == c.key]
            free = [s for s in mine if s.fixed is None]
            lit = (
                group(
                    _("Iterations of %(c)s are at least %(g)s days apart.")
                    % {"c": c.code, "g": c.min_gap}
                )
                if mine
                else None
            )
            for a, b in zip(free, free[1:], strict=False):
                m.Add(self.start[b.key] >= self.start[a.key] + 1)
                enforce(m.Add(self.start[b.key] >= self.start[a.key] + a.duration + c.min_gap), lit)
            for f in [s for s in mine if s.fixed is not None]:
                ft, fe = cal.day(f.fixed.start), cal.day(f.fixed.end)
                for s in free:
                    lo, hi = ft - s.duration - c.min_gap + 1, fe + c.min_gap
                    dom = cp_model.Domain.FromIntervals([[-(10**6), lo - 1], [hi + 1, 10**6]])
                    enforce(m.AddLinearExpressionInDomain(self.start[s.key], dom), lit)

        # no instructor in two sessions at once, nor while unavailable
        per_instructor = defaultdict(list)
        self.sessions_of = defaultdict(list)
        for (key, i), x in self.x.items():
            spec = self._spec(key)
            per_instructor[i].append(
                m.NewOptionalFixedSizeIntervalVar(self.start[key], spec.duration, x, f"o{key}_{i}")
            )
            self.sessions_of[i].append(key)
        for key, i in self.presence_const:
            per_instructor[i].append(self.interval[key])
            self.sessions_of[i].append(key)
        for i, intervals in per_instructor.items():
            inst = problem.instructors.get(i)
            for a, b in _busy(inst, cal) if inst else ():
                if explain:
                    lit = group(
                        _("%(i)s is unavailable from %(a)s to %(b)s.")
                        % {"i": inst.name, "a": cal.date(a), "b": cal.date(b)}
                    )
                    intervals.append(
                        m.NewOptionalFixedSizeIntervalVar(a, b - a + 1, lit, f"u{i}_{a}")
                    )
                else:
                    intervals.append(m.NewFixedSizeIntervalVar(a, b - a + 1, f"u{i}_{a}"))
            if len(intervals) > 1:
                m.AddNoOverlap(intervals)

        # rooms
        if problem.rooms < len(self.specs):
            if explain:
                cap = m.NewIntVar(problem.rooms, len(self.specs), "rooms")
                lit = group(
                    ngettext(
                        "At most %(r)s session runs at a time (rooms).",
                        "At most %(r)s sessions run at a time (rooms).",
                        problem.rooms,
                    )
                    % {"r": problem.rooms}
                )
                m.Add(cap == problem.rooms).OnlyEnforceIf(lit)
            else:
                cap = problem.rooms
            m.AddCumulative([self.interval[s.key] for s in self.specs], [1] * len(self.specs), cap)

        if explain:
            return  # feasibility only

        # -- the objective --
        # trips: sessions taught minus back-to-back links, per travelling instructor
        for i, keys in self.sessions_of.items():
            inst = problem.instructors.get(i)
            if inst is None or inst.travel_days <= 0:
                continue
            presence = {k: self._presence(k, i) for k in keys}
            links_out = defaultdict(list)
            links_in = defaultdict(list)
            link_terms = []
            for a in keys:
                sa = self._spec(a)
                for b in keys:
                    if a == b:
                        continue
                    sb = self._spec(b)
                    if not self._may_follow(sa, sb):
                        continue
                    if sa.fixed is not None and sb.fixed is not None:
                        idle = (sb.fixed.start - sa.fixed.end).days - 1
                        if 0 <= idle <= problem.max_idle:
                            link = m.NewConstant(1)
                        else:
                            continue
                    else:
                        link = m.NewBoolVar(f"l{a}_{b}_{i}")
                        for p in (presence[a], presence[b]):
                            if not isinstance(p, int):
                                m.AddImplication(link, p)
                        gap = self.start[b] - self.start[a] - sa.duration
                        m.Add(gap >= 0).OnlyEnforceIf(link)
                        m.Add(gap <= problem.max_idle).OnlyEnforceIf(link)
                    links_out[a].append(link)
                    links_in[b].append(link)
                    link_terms.append(link)
            for group_ in list(links_out.values()) + list(links_in.values()):
                if len(group_) > 1:
                    m.AddAtMostOne(group_)
            trips = sum(presence.values()) - sum(link_terms)
            self._trip_cuts(i, keys, presence, trips)
            terms["trips"].append(trips)
            terms["travel_days"].append(2 * inst.travel_days * trips)

        # spread, preferred months, requested periods, near the Islamic periods
        for c in problem.courses:
            mine = [s for s in self.specs if s.course == c.key]
            ideal = spread_ideal(cal, len(mine))
            for a_i, a in enumerate(mine):
                for b in mine[a_i + 1 :]:
                    if a.fixed is not None and b.fixed is not None:
                        diff = abs((a.fixed.start - b.fixed.start).days)
                        terms["spread"].append(max(0, ideal - diff) // 7)
                        continue
                    if a.fixed is None and b.fixed is None:
                        diff = self.start[b.key] - self.start[a.key]  # ordered
                    else:
                        diff = m.NewIntVar(0, D, f"d{a.key}_{b.key}")
                        m.AddAbsEquality(diff, self.start[a.key] - self.start[b.key])
                    shortfall = m.NewIntVar(0, ideal, f"sf{a.key}_{b.key}")
                    m.Add(shortfall >= ideal - diff)
                    weeks = m.NewIntVar(0, ideal // 7, f"w{a.key}_{b.key}")
                    m.Add(7 * weeks >= shortfall - 6)
                    terms["spread"].append(weeks)
            if c.preferred_months:
                intervals = []
                for month in sorted(set(c.preferred_months)):
                    first = cal.day(dt.date(cal.year, month, 1))
                    last = first + pycalendar.monthrange(cal.year, month)[1] - 1
                    intervals.append([first, last])
                pref_domain = cp_model.Domain.FromIntervals(intervals)
                for s in mine:
                    if s.fixed is not None:
                        if not s.fixed.existing:
                            terms["preferred_month"].append(
                                int(s.fixed.start.month not in c.preferred_months)
                            )
                        continue
                    ok = m.NewBoolVar(f"p{s.key}")
                    m.AddLinearExpressionInDomain(self.start[s.key], pref_domain).OnlyEnforceIf(ok)
                    terms["preferred_month"].append(1 - ok)
            for n, p in enumerate(c.requested):
                a, b = cal.day(p.start), cal.day(p.end)
                hits = []
                constant_hit = False
                for s in mine:
                    if s.fixed is not None:
                        constant_hit |= p.start <= s.fixed.start <= p.end
                        continue
                    hit = m.NewBoolVar(f"r{s.key}_{n}")
                    m.AddLinearExpressionInDomain(
                        self.start[s.key], cp_model.Domain(a, b)
                    ).OnlyEnforceIf(hit)
                    hits.append(hit)
                if constant_hit:
                    continue
                met = m.NewBoolVar(f"met{c.key}_{n}")
                m.Add(met <= sum(hits)) if hits else m.Add(met == 0)
                terms["requested_period"].append(1 - met)
            if near:
                for s in mine:
                    if s.fixed is not None:
                        if not s.fixed.existing:
                            t = cal.day(s.fixed.start)
                            terms["near_islamic"].append(
                                int(any(t + k in near for k in range(s.duration)))
                            )
                        continue
                    near_starts = [
                        t
                        for t in allowed_cache[s.duration]
                        if any(t + k in near for k in range(s.duration))
                    ]
                    if not near_starts:
                        continue
                    clear = [t for t in allowed_cache[s.duration] if t not in set(near_starts)]
                    is_near = m.NewBoolVar(f"n{s.key}")
                    m.AddLinearExpressionInDomain(
                        self.start[s.key], cp_model.Domain.FromValues(clear)
                    ).OnlyEnforceIf(is_near.Not())
                    terms["near_islamic"].append(is_near)
        # existing sessions of courses not in the plan still count for spread
        weights = problem.weights
        self.objective = sum(
            int(weights.get(k, 0)) * sum(terms[k]) for k in TERMS if weights.get(k, 0)
        )
        m.Minimize(self.objective)

    def _trip_cuts(self, i: int, keys: list[str], presence: dict, trips) -> None:
        """Redundant bounds on an instructor's trips that the linear relaxation
        cannot see (without them it chains sessions in cycles and proves
        nothing): at least one trip for any session taught, and one per session
        of a course whose minimum gap no chain of this instructor's other
        sessions can bridge."""
        m = self.m
        idle = self.problem.max_idle
        for k in keys:
            p = presence[k]
            if not isinstance(p, int):
                m.Add(trips >= p)
        by_course = defaultdict(list)
        for k in keys:
            by_course[self._spec(k).course].append(k)
        courses = self.problem.course_by_key
        for course, mine in by_course.items():
            if len(mine) < 2 or course not in courses:
                continue
            others = sum(
                self._spec(k).duration + idle for k in keys if self._spec(k).course != course
            )
            if others + idle < courses[course].min_gap:
                m.Add(trips >= sum(presence[k] for k in mine))

    def _spec(self, key: str) -> Spec:
        if not hasattr(self, "_spec_by_key"):
            self._spec_by_key = {s.key: s for s in self.specs}
        return self._spec_by_key[key]

    def _presence(self, key: str, i: int):
        if (key, i) in self.presence_const:
            return 1
        return self.x[(key, i)]

    def _may_follow(self, a: Spec, b: Spec) -> bool:
        """Whether ``b`` may start right after ``a`` (cheap pruning on fixed dates
        and the symmetry order of a course's free iterations)."""
        if a.course == b.course and a.fixed is None and b.fixed is None:
            order = [s.key for s in self.specs if s.course == a.course and s.fixed is None]
            return order.index(a.key) < order.index(b.key)
        return True

    def placed(self, value: Callable) -> list[Placed]:
        cal = self.problem.calendar
        out = []
        for s in self.specs:
            t = value(self.start[s.key])
            start = cal.date(t)
            if s.fixed is not None:
                instructors = tuple(s.fixed.instructors)
            else:
                instructors = tuple(
                    sorted(i for (k, i), x in self.x.items() if k == s.key and value(x))
                )
            out.append(
                Placed(
                    s.key,
                    s.course,
                    s.code,
                    start,
                    start + dt.timedelta(days=s.duration - 1),
                    instructors,
                    s.fixed is not None,
                    bool(s.fixed and s.fixed.existing),
                )
            )
        return out


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.progress = Progress()
        self.started = time.monotonic()

    def on_solution_callback(self):
        with self.lock:
            p = self.progress
            p.solutions += 1
            p.objective = self.ObjectiveValue()
            p.bound = self.BestObjectiveBound()
            p.gap = _gap(p.objective, p.bound)
            p.elapsed = time.monotonic() - self.started


def _gap(objective, bound) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1.0))


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    gap_limit: float = 0.0,
    workers: int = 2,
    on_progress: Callable[[Progress], bool | None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    poll: float = 0.5,
) -> Result:
    """Solve ``problem`` with CP-SAT within ``time_limit`` seconds. The search
    runs in a thread; ``on_progress`` is called from the calling thread (safe
    for database writes) at each improvement, and stops the search by
    returning True; ``should_stop`` is asked at each poll. A stopped search
    keeps the best plan found."""
    reasons = precheck(problem)
    if reasons:
        return Result("infeasible", explanation=reasons, stop_reason="precheck")
    model = _Model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = max(1, workers)
    if workers == 2 and len(model.specs) <= 60:
        # On two cores: one worker proves lower bounds from unsatisfiable cores
        # of the objective, the other searches with the full linear relaxation.
        # Measured on the benchmark's years (docs/benchmarks.md): this pair
        # closes the gap several times faster than CP-SAT's default pair. On
        # large years the default pair finds a first plan sooner.
        solver.parameters.subsolvers.extend(["core", "max_lp"])
    if gap_limit:
        solver.parameters.relative_gap_limit = gap_limit
    watcher = _Watcher()
    outcome = {}

    def run():
        outcome["status"] = solver.Solve(model.m, watcher)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    stopped = False
    seen = -1
    while thread.is_alive():
        thread.join(poll)
        with watcher.lock:
            snapshot = Progress(**vars(watcher.progress))
        snapshot.elapsed = time.monotonic() - watcher.started
        stop = False
        if on_progress and snapshot.solutions != seen:
            seen = snapshot.solutions
            stop = bool(on_progress(snapshot))
        if should_stop and not stop:
            stop = bool(should_stop())
        if stop and not stopped:
            stopped = True
            solver.StopSearch()
    status = outcome.get("status", cp_model.UNKNOWN)
    elapsed = time.monotonic() - watcher.started
    result = Result(
        {
            cp_model.OPTIMAL: "optimal",
            cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible",
        }.get(status, "unknown"),
        solutions=watcher.progress.solutions,
        elapsed=elapsed,
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.sessions = model.placed(solver.Value)
        result.objective = solver.ObjectiveValue()
        result.bound = solver.BestObjectiveBound()
        result.gap = 0.0 if status == cp_model.OPTIMAL else _gap(result.objective, result.bound)
        result.stop_reason = (
            "optimal" if status == cp_model.OPTIMAL else ("stopped" if stopped else "time_limit")
        )
    elif status == cp_model.INFEASIBLE:
        result.explanation = explain(problem)
        result.stop_reason = "infeasible"
    else:
        result.stop_reason = "stopped" if stopped else "time_limit"
        result.explanation = [
            _("No plan was found within %(s)s seconds: give the solver more time.")
            % {"s": time_limit}
        ]
    if on_progress:
        on_progress(Progress(result.solutions, result.objective, result.bound, result.gap, elapsed))
    return result


def explain(problem: Problem, *, time_limit: float = 10.0) -> list[str]:
    """Why no plan exists: the counting checks first, then a set of named
    constraint groups that CP-SAT proves cannot all hold (its assumptions)."""
    reasons = precheck(problem)
    if reasons:
        return reasons
    model = _Model(problem, explain=True)
    model.m.AddAssumptions(model.group_lits)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    status = solver.Solve(model.m)
    if status != cp_model.INFEASIBLE:
        return [_("No plan was found, and no single cause could be named in time.")]
    core = solver.SufficientAssumptionsForInfeasibility()
    sentences = [model.groups[i] for i in core if i in model.groups]
    if not sentences:
        return [_("No plan was found, and no single cause could be named in time.")]
    return [_("These cannot all hold together:")] + sentences


# -- the greedy earliest-fit baseline ---------------------------------------------------------------


def greedy(problem: Problem) -> tuple[list[Placed], list[str]]:
    """Each session in turn (courses in order, iterations in order) at the
    earliest day that keeps every hard constraint, with the first qualified
    instructors free then. Returns the plan and the sessions it could not place."""
    cal = problem.calendar
    courses = problem.course_by_key
    placed: list[Placed] = []
    missing: list[str] = []
    busy = {i: _busy(inst, cal) for i, inst in problem.instructors.items()}
    taught = defaultdict(list)  # instructor -> [(a, b)]
    room_load = defaultdict(int)
    for s in specs(problem):
        if s.fixed is None:
            continue
        f = s.fixed
        placed.append(
            Placed(s.key, s.course, s.code, f.start, f.end, f.instructors, True, f.existing)
        )
        a, b = cal.day(f.start), cal.day(f.end)
        for i in f.instructors:
            taught[i].append((a, b))
        for d in range(a, b + 1):
            room_load[d] += 1
    cache: dict[int, list[int]] = {}
    for s in specs(problem):
        if s.fixed is not None:
            continue
        c = courses[s.course]
        if s.duration not in cache:
            cache[s.duration] = allowed_starts(cal, s.duration)
        same = [p for p in placed if p.course == s.course]
        done = False
        for t in cache[s.duration]:
            a, b = t, t + s.duration - 1
            if any(room_load[d] >= problem.rooms for d in range(a, b + 1)):
                continue
            if any(
                not (
                    (cal.day(p.start) - b - 1 >= c.min_gap) or (a - cal.day(p.end) - 1 >= c.min_gap)
                )
                for p in same
            ):
                continue
            chosen = [
                i
                for i in c.instructors
                if i in problem.instructors
                and _free(busy[i], t, s.duration)
                and all(y < a or x > b for x, y in taught[i])
            ][: c.needed]
            if len(chosen) < c.needed:
                continue
            start = cal.date(t)
            placed.append(
                Placed(
                    s.key,
                    s.course,
                    s.code,
                    start,
                    start + dt.timedelta(days=s.duration - 1),
                    tuple(sorted(chosen)),
                )
            )
            for i in chosen:
                taught[i].append((a, b))
            for d in range(a, b + 1):
                room_load[d] += 1
            done = True
            break
        if not done:
            missing.append(s.key)
    return placed, missing


# -- why a session sits where it does ----------------------------------------------------------------


def reasons(problem: Problem, placed: list[Placed], key: str) -> list[str]:
    """The binding reasons of one session's place: what stops it moving a week
    (or a working day) earlier or later, and what its place earns."""
    cal = problem.calendar
    by_key = {p.key: p for p in placed}
    s = by_key[key]
    out = []
    if s.existing:
        return [_("An existing session of the training calendar.")]
    if s.fixed:
        out.append(_("Locked by staff."))
    course = problem.course_by_key.get(s.course)
    if course and course.preferred_months and s.start.month in course.preferred_months:
        out.append(_("In a preferred month of the course."))
    for p in course.requested if course else ():
        if p.start <= s.start <= p.end:
            out.append(_("Within a period partners asked for: %(p)s.") % {"p": p.name})
    for t in chains(problem, placed):
        if key in t.sessions and len(t.sessions) > 1:
            others = [by_key[k].code for k in t.sessions if k != key]
            out.append(
                _("Back to back with %(o)s: one trip for %(i)s.")
                % {"o": ", ".join(others), "i": problem.instructors[t.instructor].name}
            )
    if s.fixed:
        return out
    base = costs(problem, placed)
    for label, delta in (
        (_("One working day earlier"), -1),
        (_("One working day later"), 1),
        (_("A week earlier"), -7),
        (_("A week later"), 7),
    ):
        start = s.start + dt.timedelta(days=delta)
        if abs(delta) == 1:
            while start.weekday() not in cal.working_days and abs((start - s.start).days) < 7:
                start += dt.timedelta(days=delta)
        moved = move(placed, key, start)
        broken = [text for k, text in violations(problem, moved) if k == key or key in text]
        broken = broken or [
            text
            for _k, text in violations(problem, moved)
            if text not in {t for _k2, t in violations(problem, placed)}
        ]
        if broken:
            out.append(f"{label}: {broken[0]}")
            continue
        after = costs(problem, moved)
        worse = [
            TERM_LABELS()[k] for k in TERMS if after[k] > base[k] and problem.weights.get(k, 0)
        ]
        if worse:
            out.append(
                _("%(l)s: more %(t)s.") % {"l": label, "t": ", ".join(str(w) for w in worse)}
            )
    return out


def move(placed: list[Placed], key: str, start: dt.date) -> list[Placed]:
    out = []
    for p in placed:
        if p.key == key:
            length = p.end - p.start
            p = Placed(
                p.key, p.course, p.code, start, start + length, p.instructors, p.fixed, p.existing
            )
        out.append(p)
    return out


def TERM_LABELS() -> dict[str, str]:
    return {
        "trips": _("instructor trips"),
        "travel_days": _("travel days"),
        "spread": _("iterations too close (weeks)"),
        "preferred_month": _("sessions outside preferred months"),
        "requested_period": _("partners' periods missed"),
        "near_islamic": _("sessions next to Ramadan or an Eid"),
    }
