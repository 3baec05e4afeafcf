"""Why a session sits where it does, and moving one."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from ._common import TERMS
from .checks import violations
from .costs import chains, costs
from .problem import Placed, Problem

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
