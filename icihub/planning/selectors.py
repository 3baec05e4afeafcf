"""Reads of the year planner, through ``visible_to``."""

from __future__ import annotations

from django.db.models import Prefetch

from icihub.core.access import get_visible
from icihub.training.models import Instructor

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


def sessions_of(plan: Plan, user):
    """The plan's sessions, each with its instructors' names (about ten each:
    only what the page and the API show is read)."""
    return (
        PlannedSession.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("course")
        .prefetch_related(
            Prefetch("instructors", queryset=Instructor.objects.only("pk", "full_name"))
        )
        .order_by("start", "course__code")
    )


def courses_of(plan: Plan, user):
    return (
        PlanCourse.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("course")
        .prefetch_related("instructors")
    )


def latest_run(plan: Plan, user):
    return PlanRun.objects.visible_to(user).filter(plan=plan).order_by("-created_at", "-id").first()


def trips_of(plan: Plan, keys: set[str] | None = None) -> list[dict]:
    """The trips a plan implies (of the sessions ``keys`` only, when given)."""
    problem = services.problem_of(plan)
    placed = services.placed_of(plan)
    by_key = {p.key: p for p in placed}
    out = []
    for t in engine.chains(problem, placed):
        if keys is not None and not set(t.sessions) & keys:
            continue
        out.append(
            {
                "instructor": problem.instructors[t.instructor].name,
                "organisation": problem.instructors[t.instructor].organisation,
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
