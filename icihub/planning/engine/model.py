"""The CP-SAT model, the solver run with progress, and the explanation of an infeasible plan."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ortools.sat.python import cp_model

from ._common import TERMS
from .costs import spread_ideal
from .days import _busy, allowed_starts, near_days
from .precheck import precheck
from .problem import Placed, Problem, Progress, Result, Spec, specs

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
                    ngettext(
                        "%(c)s (%(d)s day) starts and ends on working days and avoids the "
                        "blocked periods.",
                        "%(c)s (%(d)s days) starts and ends on working days and avoids the "
                        "blocked periods.",
                        course.duration,
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
                    ngettext(
                        "Iterations of %(c)s are at least %(g)s day apart.",
                        "Iterations of %(c)s are at least %(g)s days apart.",
                        c.min_gap,
                    )
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
            ngettext(
                "No plan was found within %(s)s second: give the solver more time.",
                "No plan was found within %(s)s seconds: give the solver more time.",
                int(time_limit) if float(time_limit).is_integer() else 2,
            )
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
