"""Reads of the year planner, through ``visible_to``."""

from __future__ import annotations

from icihub.core.access import get_visible

from . import engine, services
from .models import Plan, PlanCourse, PlannedSession, PlanRun, Room, Unavailability


def rooms_for(user):
    return Room.objects.visible_to(user).order_by("name")


def unavailability_for(user, *, instructor: int | None = None):
    """The unavailable periods the user sees (staff: all; an instructor: their
    own), with their instructors, in order of instructor and start."""
    qs = (
        Unavailability.objects.visible_to(user)
        .select_related("instructor")
        .order_by("instructor__full_name", "instructor_id", "start", "id")
    )
    if instructor is not None:
        qs = qs.filter(instructor_id=instructor)
    return qs


def plans_for(user):
    return Plan.objects.visible_to(user).order_by("-year", "-version")


def plan_for(user, pk) -> Plan:
    return get_visible(Plan, user, pk=pk)


def session_rows(plan: Plan, user) -> list[dict]:
    """The plan's sessions the user sees, in order of start and course, as
    values (about 150 sessions of ten instructors each: instances were most of
    a plan's read): pk, key, code, start, end, locked, existing (its training
    session's id or None), reasons and instructors (their names, in their
    order)."""
    values = (
        PlannedSession.objects.visible_to(user)
        .filter(plan=plan)
        .order_by("start", "course__code")
        .values_list(
            "pk", "key", "course__code", "start", "end", "locked", "existing_id", "reasons"
        )
    )
    rows = [
        {
            "pk": pk,
            "key": key,
            "code": code,
            "start": start,
            "end": end,
            "locked": locked,
            "existing": existing,
            "reasons": reasons or [],
            "instructors": [],
        }
        for pk, key, code, start, end, locked, existing, reasons in values
    ]
    by_pk = {row["pk"]: row for row in rows}
    if not rows:
        return rows
    links = (
        PlannedSession.instructors.through.objects.filter(plannedsession__plan=plan)
        .order_by("instructor__full_name", "instructor_id")  # the instructors' own order
        .values_list("plannedsession_id", "instructor__full_name")
    )
    for session_id, name in links:
        if session_id in by_pk:
            by_pk[session_id]["instructors"].append(name)
    return rows


#: A plan's course's own fields that its rows carry as they are.
COURSE_FIELDS = (
    "iterations",
    "duration_days",
    "preferred_months",
    "min_gap_days",
    "instructors_needed",
    "requested_periods",
    "proposed_because",
)


def course_rows(plan: Plan, user) -> list[dict]:
    """The plan's courses, in order of course code, as values: pk, code,
    iterations, duration_days, preferred_months, min_gap_days,
    instructors_needed, requested_periods, proposed_because and instructors
    (their ids and names, in their order)."""
    rows = [
        {
            "pk": row["pk"],
            "code": row["course__code"],
            **{k: row[k] for k in COURSE_FIELDS},
            "instructors": [],
        }
        for row in PlanCourse.objects.visible_to(user)
        .filter(plan=plan)
        .values("pk", "course__code", *COURSE_FIELDS)
    ]
    by_pk = {row["pk"]: row for row in rows}
    if not rows:  # (a coordinator sees none)
        return rows
    links = (
        PlanCourse.instructors.through.objects.filter(plancourse__plan=plan)
        .order_by("instructor__full_name", "instructor_id")  # the instructors' own order
        .values_list("plancourse_id", "instructor_id", "instructor__full_name")
    )
    for course_id, pk, name in links:
        if course_id in by_pk:
            by_pk[course_id]["instructors"].append({"pk": pk, "full_name": name})
    return rows


def latest_run(plan: Plan, user):
    return PlanRun.objects.visible_to(user).filter(plan=plan).order_by("-created_at", "-id").first()


def trips_of(plan: Plan, keys: set[str] | None = None) -> list[dict]:
    """The trips a plan implies (of the sessions ``keys`` only, when given)."""
    # Only the instructors the trips need, not the plan's whole problem: a
    # trip is an instructor's the problem knows (engine.chains skips others).
    known = services.problem_instructor_ids(plan)
    if not known:
        return []
    placed = services.placed_of(plan)
    instructors = services.trip_instructors(known & {i for p in placed for i in p.instructors})
    by_key = {p.key: p for p in placed}
    out = []
    for t in engine.instructor_chains(instructors, placed):
        if keys is not None and not set(t.sessions) & keys:
            continue
        out.append(
            {
                "instructor": instructors[t.instructor].name,
                "organisation": instructors[t.instructor].organisation,
                "arrival": t.arrival,
                "departure": t.departure,
                "sessions": [by_key[k].code for k in t.sessions],
                "keys": list(t.sessions),
            }
        )
    return out


def comparison(plan: Plan) -> list[dict]:
    """The plan's objective beside the greedy baseline's and last year's."""
    labels = engine.TERM_LABELS()
    base = (plan.baseline or {}).get("terms", {})
    last = (plan.last_year or {}).get("terms", {})
    rows = [
        {
            "term": k,
            "label": labels[k],
            "weight": plan.weights.get(k, 0),
            "plan": (plan.terms or {}).get(k),
            "greedy": base.get(k),
            "last_year": last.get(k),
        }
        for k in engine.TERMS
    ]
    return rows
