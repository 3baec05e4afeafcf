"""The cost function (the model's objective, computed from a plan): trips, travel days, spread, preferred months."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ._common import TERMS
from .days import near_days
from .problem import Calendar, Instructor, Placed, Problem, TripPlan

# -- the cost function (the model's objective, computed from a plan) -------------------------------


def spread_ideal(cal: Calendar, n: int) -> int:
    """Two iterations of a course should start at least this many days apart."""
    return (cal.days // max(n, 1)) * 3 // 4


def chains(problem: Problem, placed: list[Placed]) -> list[TripPlan]:
    """The trips a plan implies: per travelling instructor, runs of sessions
    separated by at most ``max_idle`` idle days."""
    return instructor_chains(problem.instructors, placed, problem.max_idle)


def instructor_chains(
    instructors: dict[int, Instructor], placed: list[Placed], max_idle: int = Problem.max_idle
) -> list[TripPlan]:
    """:func:`chains` from the problem's instructors alone (a plan's read needs
    no more of the problem)."""
    by_instructor = defaultdict(list)
    for s in placed:
        for i in s.instructors:
            by_instructor[i].append(s)
    trips = []
    for i, sessions in sorted(by_instructor.items()):
        inst = instructors.get(i)
        if inst is None or inst.travel_days <= 0:
            continue
        sessions.sort(key=lambda s: (s.start, s.end))
        run = [sessions[0]]
        for s in sessions[1:]:
            idle = (s.start - run[-1].end).days - 1
            if 0 <= idle <= max_idle:
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
