"""Attendance and evaluation endpoints."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Converted,
    Id,
    Pagination,
    require_signed_in,
)

from .. import selectors, services
from ..filters import AttendanceFilters
from ..models import (
    SCORE_FIELDS,
    Attendance,
    Course,
    Evaluation,
    Nomination,
    Session,
)
from ._common import router

# -- attendance ------------------------------------------------------------------------------


class AttendanceOut(Schema):
    id: int
    nomination: int
    participant: str
    day: dt.date
    present: bool

    @staticmethod
    def resolve_nomination(obj):
        return obj.nomination_id

    @staticmethod
    def resolve_participant(obj):
        return obj.nomination.participant.full_name


class AttendanceRecord(Schema):
    nomination: Id
    present_days: list[dt.date] = Field(description="Days present; the others count as absent")


class AttendanceIn(Schema):
    records: list[AttendanceRecord] = Field(
        default_factory=list,
        description="Per nominee, the days present (replaces their row of the grid)",
    )
    all_present_days: list[dt.date] = Field(
        default_factory=list,
        description=(
            "Every accepted nominee not in records is present on these days "
            "(their other days keep what was recorded)"
        ),
    )


def _attendance(user):
    return Attendance.objects.visible_to(user).select_related("nomination__participant")


@router.get("/training/attendance", response={200: list[AttendanceOut], **READ_ERRORS})
@paginate(Pagination)
def attendance_list(request, filters: Query[AttendanceFilters]):
    user = require_signed_in(request)
    # The page's ids first: SQLite's plan joined every nomination of a
    # coordinator's country to its participant, then sorted.
    return Converted(
        filters.filter(_attendance(user)).order_by("nomination_id", "day"), ids_first=True
    )


@router.post(
    "/training/sessions/{int:pk}/attendance",
    response={200: dict[str, int], **ERRORS},
    summary="Record attendance, the whole grid at once (staff; instructors for their own sessions)",
)
def attendance_record(request, pk: Id, payload: AttendanceIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    marks = {r.nomination: set(r.present_days) for r in payload.records}
    written = services.record_attendance(
        user, session, marks, all_present_days=set(payload.all_present_days)
    )
    return {"written": written}


# -- evaluations -------------------------------------------------------------------------------


class EvaluationOut(Schema):
    id: int
    nomination: int
    session: int
    relevance: int
    content: int
    instructors: int
    organisation: int
    facilities: int
    overall: int
    comments: str
    source: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_nomination(obj):
        return obj.nomination_id

    @staticmethod
    def resolve_session(obj):
        return obj.nomination.session_id


class EvaluationIn(Schema):
    nomination: Id
    relevance: int = Field(ge=1, le=5)
    content: int = Field(ge=1, le=5)
    instructors: int = Field(ge=1, le=5)
    organisation: int = Field(ge=1, le=5)
    facilities: int = Field(ge=1, le=5)
    overall: int = Field(ge=1, le=5)
    comments: str = ""


class EvaluationSummaryOut(Schema):
    responses: int
    participants: int
    mean: float | None = None
    scores: dict[str, float | None]


@router.get("/training/evaluations", response={200: list[EvaluationOut], **READ_ERRORS})
@paginate(Pagination)
def evaluation_list(request, session: Id | None = None):
    user = require_signed_in(request)
    qs = Evaluation.objects.visible_to(user).select_related("nomination")
    if session:
        qs = qs.filter(nomination__session_id=session)
    return qs.order_by("-submitted_at", "-pk")


@router.post(
    "/training/evaluations",
    response={201: EvaluationOut, **ERRORS},
    summary="Level-1 questionnaire: by the participant, or entered by staff from paper",
)
def evaluation_create(request, payload: EvaluationIn):
    user = require_signed_in(request)
    nomination = get_visible(Nomination, user, pk=payload.nomination)
    scores = {name: getattr(payload, name) for name in SCORE_FIELDS}
    evaluation = services.submit_evaluation(user, nomination, scores, comments=payload.comments)
    return Status(201, evaluation)


@router.get(
    "/training/sessions/{int:pk}/evaluation-summary",
    response={200: EvaluationSummaryOut, **ERRORS},
    summary="Mean scores of a session (staff and the session's instructors)",
)
def evaluation_summary(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    if not selectors.can_see_evaluations(user, session):
        raise PermissionDenied(_("Staff and the session's instructors only."))
    return selectors.evaluation_summary(session)


class CourseEvaluationSummaryOut(Schema):
    responses: int
    sessions: int
    mean: float | None = None
    scores: dict[str, float | None]


@router.get(
    "/training/courses/{int:pk}/evaluation-summary",
    response={200: CourseEvaluationSummaryOut, **ERRORS},
    summary="Mean scores of a course over all its sessions (staff)",
)
def course_evaluation_summary(request, pk: Id):
    user = require_signed_in(request)
    course = get_visible(Course, user, pk=pk)
    if not selectors.can_see_course_evaluations(user):
        raise PermissionDenied(_("Staff only."))
    return selectors.course_evaluation_summary(course)
