"""REST API of the year planner: plans and their versions, courses, weights,
solver runs (queued as background tasks) and their progress, moving and
locking sessions (with a preview of the effect), publishing, differences
between versions, an instructor's own planned sessions, and the plan's inputs
kept outside any plan: the Centre's rooms and the instructors' unavailable
periods. Staff plan; coordinators read published plans; instructors their own
sessions in them and their own unavailable periods."""

import datetime as dt
from typing import Annotated

from ninja import Field, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import check_change, get_visible
from icihub.core.apikit import (
    ERRORS,
    MAX_SMALL,
    READ_ERRORS,
    Converted,
    Id,
    Pagination,
    Year,
    actor,
    prebuilt,
    require_signed_in,
    serve_prebuilt,
)

from . import selectors, services
from .filters import UnavailabilityFilter
from .models import Plan, PlanCourse, PlannedSession, PlanRun, Room, Unavailability

router = Router(tags=["planning"])


class PlanIn(Schema):
    year: Year
    reason: str = ""


class PlanOut(Schema):
    id: int
    year: int
    version: int
    state: str
    weights: dict
    terms: dict
    explanation: list[str]


class PlanningSessionOut(Schema):
    id: int
    key: str
    course: str
    start: dt.date
    end: dt.date
    instructors: list[str]
    locked: bool
    existing: bool
    reasons: list[str]


class PlanningCourseOut(Schema):
    id: int
    course: str
    iterations: int
    duration_days: int
    preferred_months: list[int]
    min_gap_days: int
    instructors: list[int]
    instructors_needed: int
    requested_periods: list[dict]
    proposed_because: str


class PlanningTripOut(Schema):
    instructor: str
    organisation: str
    arrival: dt.date
    departure: dt.date
    sessions: list[str]


class PlanningCompareOut(Schema):
    term: str
    label: str
    weight: int
    plan: int | None
    greedy: int | None
    last_year: int | None


class PlanDetailOut(PlanOut):
    sessions: list[PlanningSessionOut]
    courses: list[PlanningCourseOut]
    trips: list[PlanningTripOut]
    comparison: list[PlanningCompareOut]


class PlanningRunOut(Schema):
    id: int
    plan: int
    status: str
    time_limit: int
    solutions: int
    best_objective: float | None
    best_bound: float | None
    gap: float | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    stop_reason: str


class PlanningSolveIn(Schema):
    time_limit: int = Field(10, ge=1, le=600)
    reason: str = ""


#: A weight of the objective and a month, with the ranges the services accept.
Weight = Annotated[int, Field(ge=0, le=services.MAX_WEIGHT)]
Month = Annotated[int, Field(ge=1, le=12)]


class PlanningWeightsIn(Schema):
    weights: dict[str, Weight]
    reason: str = ""


class PlanningCourseIn(Schema):
    iterations: int | None = Field(None, ge=0, le=50)
    duration_days: int | None = Field(None, ge=1, le=60)
    preferred_months: list[Month] | None = None
    min_gap_days: int | None = Field(None, ge=0, le=365)
    instructors: list[Id] | None = None
    instructors_needed: int | None = Field(None, ge=1, le=10)
    reason: str = ""


class PlanningMoveIn(Schema):
    start: dt.date
    reason: str = ""


class PlanningLockIn(Schema):
    locked: bool = True
    reason: str = ""


class PlanningReasonIn(Schema):
    reason: str = ""


class PlanningTermOut(Schema):
    term: str
    label: str
    before: int
    after: int
    delta: int


class PlanningPreviewOut(Schema):
    start: dt.date
    end: dt.date
    conflicts: list[str]
    terms: list[PlanningTermOut]
    total_before: int
    total_after: int


class PlanningChangeOut(Schema):
    course: str
    kind: str
    before: list | None
    after: list | None


class PlanningDiffQuery(Schema):
    against: Id | None = None  # default: the previous version


def _session_out(ps: PlannedSession) -> dict:
    """A planned session as the API shows it (``_session_row_out``: from values)."""
    return _session_row_out(
        {
            "pk": ps.pk,
            "key": ps.key,
            "code": ps.course.code,
            "start": ps.start,
            "end": ps.end,
            "instructors": [i.full_name for i in ps.instructors.all()],
            "locked": ps.locked,
            "existing": ps.existing_id,
            "reasons": ps.reasons or [],
        }
    )


def _session_row_out(row: dict) -> dict:
    """A row of ``selectors.session_rows`` as the API shows it."""
    return {
        "id": row["pk"],
        "key": row["key"],
        "course": row["code"],
        "start": row["start"],
        "end": row["end"],
        "instructors": row["instructors"],
        "locked": row["locked"],
        "existing": row["existing"] is not None,
        "reasons": row["reasons"],
    }


def _course_out(pc: PlanCourse) -> dict:
    """A plan's course as the API shows it (``_course_row_out``: from values)."""
    return _course_row_out(
        {
            "pk": pc.pk,
            "code": pc.course.code,
            **{k: getattr(pc, k) for k in selectors.COURSE_FIELDS},
            "instructors": [{"pk": i.pk} for i in pc.instructors.all()],
        }
    )


def _course_row_out(row: dict) -> dict:
    """A row of ``selectors.course_rows`` as the API shows it."""
    return {
        "id": row["pk"],
        "course": row["code"],
        "iterations": row["iterations"],
        "duration_days": row["duration_days"],
        "preferred_months": row["preferred_months"] or [],
        "min_gap_days": row["min_gap_days"],
        "instructors": [i["pk"] for i in row["instructors"]],
        "instructors_needed": row["instructors_needed"],
        "requested_periods": row["requested_periods"] or [],
        "proposed_because": row["proposed_because"],
    }


def _detail(plan: Plan, user) -> dict:
    """A plan's answer (``PlanDetailOut``), from values: about 150 sessions of
    ten instructors each."""
    sessions = selectors.session_rows(plan, user)
    keys = {row["key"] for row in sessions}
    return {
        "id": plan.pk,
        "year": plan.year,
        "version": plan.version,
        "state": plan.state,
        "weights": plan.weights,
        "terms": plan.terms,
        "explanation": plan.explanation,
        "sessions": [_session_row_out(row) for row in sessions],
        "courses": [_course_row_out(row) for row in selectors.course_rows(plan, user)],
        "trips": [
            {k: t[k] for k in ("instructor", "organisation", "arrival", "departure", "sessions")}
            for t in selectors.trips_of(plan, keys)
        ],
        "comparison": selectors.comparison(plan),
    }


@router.get("/planning/plans", response={200: list[PlanOut], **READ_ERRORS}, summary="Plans")
@paginate(Pagination)
def plan_list(request):
    return selectors.plans_for(actor(request))


@router.post("/planning/plans", response={201: PlanDetailOut, **ERRORS}, summary="Plan a year")
def plan_create(request, payload: PlanIn):
    user = require_signed_in(request)
    plan = services.create_plan(user, payload.year, reason=payload.reason)
    return Status(201, _detail(plan, user))


@router.get(
    "/planning/plans/{plan_id}",
    response={200: PlanDetailOut, **READ_ERRORS},
    summary="A plan: sessions, courses, trips, objective beside the baselines",
)
@serve_prebuilt
def plan_detail(request, plan_id: Id):
    user = actor(request)
    return prebuilt(_detail(selectors.plan_for(user, plan_id), user))


@router.put(
    "/planning/plans/{plan_id}/weights",
    response={200: PlanOut, **ERRORS},
    summary="Change the objective's weights",
)
def plan_weights(request, plan_id: Id, payload: PlanningWeightsIn):
    user = require_signed_in(request)
    plan = selectors.plan_for(user, plan_id)
    return services.set_weights(user, plan, payload.weights, reason=payload.reason)


@router.patch(
    "/planning/courses/{course_id}",
    response={200: PlanningCourseOut, **ERRORS},
    summary="Change how a planned course runs",
)
def course_update(request, course_id: Id, payload: PlanningCourseIn):
    user = require_signed_in(request)
    pc = get_visible(PlanCourse.objects.select_related("plan", "course"), user, pk=course_id)
    data = payload.dict(exclude_unset=True, exclude={"reason"})
    data = {k: v for k, v in data.items() if v is not None}
    return _course_out(services.update_course(user, pc, data, reason=payload.reason))


@router.post(
    "/planning/plans/{plan_id}/solve",
    response={202: PlanningRunOut, **ERRORS},
    summary="Solve the plan in the background (progress: the run)",
)
def plan_solve(request, plan_id: Id, payload: PlanningSolveIn):
    user = require_signed_in(request)
    plan = selectors.plan_for(user, plan_id)
    run = services.start_run(user, plan, time_limit=payload.time_limit, reason=payload.reason)
    run.refresh_from_db()
    return Status(202, _run_out(run))


def _run_out(run: PlanRun) -> dict:
    fields = [f for f in PlanningRunOut.model_fields if f != "plan"]
    return {**{f: getattr(run, f) for f in fields}, "plan": run.plan_id}


@router.get(
    "/planning/runs/{run_id}",
    response={200: PlanningRunOut, **READ_ERRORS},
    summary="A solver run's progress: solutions, best bound, gap",
)
def run_detail(request, run_id: Id):
    return _run_out(get_visible(PlanRun, actor(request), pk=run_id))


@router.post(
    "/planning/runs/{run_id}/stop",
    response={200: PlanningRunOut, **ERRORS},
    summary="Stop a solver run: it keeps the best plan found",
)
def run_stop(request, run_id: Id, payload: PlanningReasonIn):
    user = require_signed_in(request)
    run = get_visible(PlanRun, user, pk=run_id)
    return _run_out(services.stop_run(user, run, reason=payload.reason))


def _session(request, session_id):
    user = require_signed_in(request)
    return user, get_visible(
        PlannedSession.objects.select_related("plan", "course"), user, pk=session_id
    )


@router.post(
    "/planning/sessions/{session_id}/preview",
    response={200: PlanningPreviewOut, **ERRORS},
    summary="The effect of moving a session: conflicts, trips and penalties",
)
def session_preview(request, session_id: Id, payload: PlanningMoveIn):
    user, ps = _session(request, session_id)
    check_change(user, ps)
    services._editable(user, ps.plan)
    return services.preview_move(ps.plan, ps, payload.start)


@router.post(
    "/planning/sessions/{session_id}/move",
    response={200: PlanningSessionOut, **ERRORS},
    summary="Move a session (refused, with the reasons, onto a blocked period or a conflict)",
)
def session_move(request, session_id: Id, payload: PlanningMoveIn):
    user, ps = _session(request, session_id)
    ps = services.move_session(user, ps, payload.start, reason=payload.reason)
    ps.refresh_from_db()
    return _session_out(ps)


@router.post(
    "/planning/sessions/{session_id}/lock",
    response={200: PlanningSessionOut, **ERRORS},
    summary="Lock or unlock a session",
)
def session_lock(request, session_id: Id, payload: PlanningLockIn):
    user, ps = _session(request, session_id)
    return _session_out(services.set_locked(user, ps, payload.locked, reason=payload.reason))


@router.post(
    "/planning/plans/{plan_id}/publish",
    response={200: PlanOut, **ERRORS},
    summary="Publish: create the sessions, assignments and trips in training",
)
def plan_publish(request, plan_id: Id, payload: PlanningReasonIn):
    user = require_signed_in(request)
    return services.publish(user, selectors.plan_for(user, plan_id), reason=payload.reason)


@router.post(
    "/planning/plans/{plan_id}/versions",
    response={201: PlanOut, **ERRORS},
    summary="Re-plan a published year: a new version",
)
def plan_new_version(request, plan_id: Id, payload: PlanningReasonIn):
    user = require_signed_in(request)
    plan = services.new_version(user, selectors.plan_for(user, plan_id), reason=payload.reason)
    return Status(201, plan)


@router.get(
    "/planning/plans/{plan_id}/diff",
    response={200: list[PlanningChangeOut], **READ_ERRORS},
    summary="The differences from another version",
)
def plan_diff(request, plan_id: Id, params: Query[PlanningDiffQuery]):
    user = actor(request)
    plan = selectors.plan_for(user, plan_id)
    against = params.against or plan.previous_id
    if against is None:
        return []
    return services.diff(selectors.plan_for(user, against), plan)


@router.get(
    "/planning/my-sessions",
    response={200: list[PlanningSessionOut], **READ_ERRORS},
    summary="An instructor's own sessions in published plans",
)
def my_sessions(request):
    user = require_signed_in(request)
    rows = (
        PlannedSession.objects.visible_to(user)
        .filter(instructors__user=user)
        .select_related("course")
        .prefetch_related("instructors")
        .distinct()
    )
    return [_session_out(ps) for ps in rows]


# -- the Centre's rooms and the instructors' unavailable periods --------------------------------


class RoomOut(Schema):
    id: int
    name: str
    capacity: int = Field(description="How many sessions the room holds at once")


# The limits of a body's fields are on their types (Annotated), so that the
# optional copy a PATCH takes (ninja's PatchDict) keeps them.


class RoomIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    capacity: Annotated[int, Field(ge=1, le=MAX_SMALL)] = 1
    reason: Annotated[str, Field(max_length=500)] = ""


class UnavailabilityOut(Schema):
    id: int
    instructor: int
    instructor_name: str
    start: dt.date
    end: dt.date
    reason: str


class UnavailabilityIn(Schema):
    instructor: Id
    start: dt.date
    end: dt.date
    reason: Annotated[str, Field(max_length=200)] = ""
    audit_reason: Annotated[
        str, Field(max_length=500, description="Why the change is made (the audit trail)")
    ] = ""


def _unavailability_out(u: Unavailability) -> dict:
    return {
        "id": u.pk,
        "instructor": u.instructor_id,
        "instructor_name": u.instructor.full_name,
        "start": u.start,
        "end": u.end,
        "reason": u.reason,
    }


def _changes(payload: dict, audit_field: str) -> dict:
    """The fields a PATCH sent (a ``PatchDict``), but the audit reason; null is not given."""
    return {k: v for k, v in payload.items() if v is not None and k != audit_field}


@router.get("/planning/rooms", response={200: list[RoomOut], **READ_ERRORS}, summary="Rooms")
@paginate(Pagination)
def room_list(request):
    return selectors.rooms_for(actor(request))


@router.post("/planning/rooms", response={201: RoomOut, **ERRORS}, summary="Add a room")
def room_create(request, payload: RoomIn):
    user = require_signed_in(request)
    data = payload.dict(exclude={"reason"})
    return Status(201, services.create_room(user, data, reason=payload.reason))


@router.get("/planning/rooms/{room_id}", response={200: RoomOut, **READ_ERRORS}, summary="A room")
def room_detail(request, room_id: Id):
    return get_visible(Room, actor(request), pk=room_id)


@router.patch(
    "/planning/rooms/{room_id}", response={200: RoomOut, **ERRORS}, summary="Change a room"
)
def room_update(request, room_id: Id, payload: PatchDict[RoomIn]):
    user = require_signed_in(request)
    room = get_visible(Room, user, pk=room_id)
    reason = payload.get("reason") or ""
    return services.update_room(user, room, _changes(payload, "reason"), reason=reason)


@router.delete("/planning/rooms/{room_id}", response={204: None, **ERRORS}, summary="Delete a room")
def room_delete(request, room_id: Id):
    user = require_signed_in(request)
    services.delete_room(user, get_visible(Room, user, pk=room_id))
    return Status(204, None)


@router.get(
    "/planning/unavailability",
    response={200: list[UnavailabilityOut], **READ_ERRORS},
    summary="Instructors' unavailable periods (an instructor: their own)",
)
@paginate(Pagination)
def unavailability_list(request, filters: Query[UnavailabilityFilter]):
    rows = filters.filter(selectors.unavailability_for(actor(request)))
    return Converted(rows, _unavailability_out)


@router.post(
    "/planning/unavailability",
    response={201: UnavailabilityOut, **ERRORS},
    summary="Record a period when an instructor cannot teach",
)
def unavailability_create(request, payload: UnavailabilityIn):
    user = require_signed_in(request)
    period = services.create_unavailability(
        user, payload.dict(exclude={"audit_reason"}), reason=payload.audit_reason
    )
    return Status(201, _unavailability_out(period))


def _period(user, period_id) -> Unavailability:
    return get_visible(Unavailability.objects.select_related("instructor"), user, pk=period_id)


@router.get(
    "/planning/unavailability/{period_id}",
    response={200: UnavailabilityOut, **READ_ERRORS},
    summary="An unavailable period",
)
def unavailability_detail(request, period_id: Id):
    return _unavailability_out(_period(actor(request), period_id))


@router.patch(
    "/planning/unavailability/{period_id}",
    response={200: UnavailabilityOut, **ERRORS},
    summary="Change an unavailable period",
)
def unavailability_update(request, period_id: Id, payload: PatchDict[UnavailabilityIn]):
    user = require_signed_in(request)
    period = services.update_unavailability(
        user,
        _period(user, period_id),
        _changes(payload, "audit_reason"),
        reason=payload.get("audit_reason") or "",
    )
    return _unavailability_out(_period(user, period.pk))


@router.delete(
    "/planning/unavailability/{period_id}",
    response={204: None, **ERRORS},
    summary="Delete an unavailable period",
)
def unavailability_delete(request, period_id: Id):
    user = require_signed_in(request)
    services.delete_unavailability(user, _period(user, period_id))
    return Status(204, None)
