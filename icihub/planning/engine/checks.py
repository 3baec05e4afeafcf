"""Hard constraints checked on a plan (for editing; the tests have their own checker)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .problem import Placed, Problem


def days(n: int) -> str:
    """ "1 day", "5 days": a number of days in words, singular or plural."""
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


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
                            _("Two iterations of %(s)s are %(n)s apart; the minimum gap is %(g)s.")
                            % {
                                "s": course.code,
                                "n": days(max(idle, 0)),
                                "g": days(course.min_gap),
                            },
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
