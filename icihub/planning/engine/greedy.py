"""The greedy earliest-fit baseline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .days import _busy, _free, allowed_starts
from .problem import Placed, Problem, specs

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
