"""Explanations of infeasibility found before solving."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .checks import days, violations
from .days import _busy, _free, allowed_starts
from .problem import Placed, Problem, specs

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


def _iterations(code: str, n: int) -> str:
    return ngettext("%(c)s needs %(n)s iteration", "%(c)s needs %(n)s iterations", n) % {
        "c": code,
        "n": n,
    }


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
                ngettext(
                    "%(c)s lasts %(d)s day, but no run of %(d)s day in %(y)s starts and ends "
                    "on working days without touching a blocked period.",
                    "%(c)s lasts %(d)s days, but no run of %(d)s days in %(y)s starts and ends "
                    "on working days without touching a blocked period.",
                    c.duration,
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
                    _(
                        "%(needs)s, but its only instructor, %(i)s, is free for %(k)s of them (%(w)s)."
                    )
                    % {
                        "needs": _iterations(c.code, n),
                        "i": qualified[0].name,
                        "k": fits,
                        "w": ngettext(
                            "%(n)s week free of blocked periods",
                            "%(n)s weeks free of blocked periods",
                            free_weeks,
                        )
                        % {"n": free_weeks},
                    }
                )
            else:
                reasons.append(
                    _(
                        "%(needs)s of %(d)s at least %(g)s apart, but only %(k)s fit in %(y)s "
                        "around the blocked periods and its instructors' availability."
                    )
                    % {
                        "needs": _iterations(c.code, n),
                        "d": days(c.duration),
                        "g": days(c.min_gap),
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
                    "%(i)s is the only instructor of %(c)s: they need %(n)s, but %(i)s is free for %(f)s."
                )
                % {
                    "i": inst.name,
                    "c": ", ".join(c.code for c in courses),
                    "n": days(need),
                    "f": ngettext("%(n)s working day", "%(n)s working days", free_days)
                    % {"n": free_days},
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
