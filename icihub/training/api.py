"""REST API of the Regional Centre's training: courses, sessions with their
quotas, participants, nominations (and their accept/reject/withdraw/substitute
actions), attendance, evaluations, certificates, instructors, assignments and
trips.

Thin: parse, resolve ids to rows the caller may see (404 otherwise), call a
service or a selector, shape the answer. A coordinator sees and writes only
their country's participants and nominations; an instructor their own
sessions' records; a participant their own nominations, evaluations and
certificates. Errors share one body (``{detail, code, errors}``), never a 500."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import Marking, get_visible
from icihub.core.apikit import (
    ERRORS,
    MAX_SMALL,
    READ_ERRORS,
    Count,
    Id,
    MarkingEnum,
    Pagination,
    Percent,
    Year,
    actor,
    api_enum,
    apply_filters,
    require_signed_in,
)
from icihub.core.listing import search
from icihub.core.text import attach
from icihub.menu.models import Area
from icihub.partners.models import Country, Framework, Organisation

from . import selectors, services
from .models import (
    SCORE_FIELDS,
    Assignment,
    Attendance,
    Certificate,
    Course,
    Evaluation,
    Instructor,
    Nomination,
    Participant,
    SeatQuota,
    Session,
    Trip,
)

# The enumerations of this router, each under its own name in the document.
CourseLevel = api_enum(Course.Level, "CourseLevel")
CourseDelivery = api_enum(Course.Delivery, "CourseDelivery")
CourseClassification = api_enum(Course.Classification, "CourseClassification")
CourseStatus = api_enum(Course.Status, "CourseStatus")
SessionState = api_enum(Session.State, "SessionState")
ParticipantService = api_enum(Participant.Service, "ParticipantService")
ParticipantRankCode = api_enum(Participant.RankCode, "ParticipantRankCode")
NominationStatus = api_enum(Nomination.Status, "NominationStatus")
NominationOutcome = api_enum(Nomination.Outcome, "NominationOutcome")
AssignmentPart = api_enum(Assignment.Part, "AssignmentPart")

router = Router(tags=["training"])

# -- references ------------------------------------------------------------------------------


class CountryRef(Schema):
    iso3: str
    name: str


class OrganisationRef(Schema):
    slug: str
    name: str
    acronym: str


class CourseRef(Schema):
    id: int
    code: str
    title: str


class SessionRef(Schema):
    id: int
    reference: str
    start: dt.date
    end: dt.date


class ParticipantRef(Schema):
    id: int
    given_name: str
    family_name: str
    name_ar: str
    country: str

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3


class ReasonIn(Schema):
    reason: str = ""


def _country(code: str, field: str) -> Country:
    code = (code or "").strip().upper()
    lookup = {"iso2": code} if len(code) == 2 else {"iso3": code}
    country = Country.objects.filter(**lookup).first()
    if country is None:
        raise ValidationError({field: _("Unknown country “%(c)s”.") % {"c": code}})
    return country


def _fetch(qs, obj):
    return qs.get(pk=obj.pk)


# -- courses -------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    code: str
    title: str
    title_ar: str
    description: str
    areas: list[str] = Field(description="Area codes")
    level: str
    format: str
    delivery: str
    provider: OrganisationRef | None = None
    duration_days: int
    languages: str
    aim: str
    performance_objectives: list[str]
    security_classification: str
    training_audience: str
    eligible_frameworks: list[str] = Field(description="Framework codes")
    eligible_countries: list[str] = Field(description="ISO alpha-3 codes")
    prerequisites: str
    default_capacity: int
    min_attendance_percent: int = Field(description="Completion rule: attendance needed (%)")
    level1_evaluation_required: bool
    level2_test: bool
    fee_eur: Decimal
    marking: str
    status: str
    external_ref: str
    provenance: str

    @staticmethod
    def resolve_areas(obj):
        return [a.code for a in obj.areas.all()]

    @staticmethod
    def resolve_performance_objectives(obj):
        return obj.objective_list

    @staticmethod
    def resolve_eligible_frameworks(obj):
        return [f.code for f in obj.eligible_frameworks.all()]

    @staticmethod
    def resolve_eligible_countries(obj):
        return [c.iso3 for c in obj.eligible_countries.all()]


class CourseIn(Schema):
    code: str = Field(description="Course code, e.g. NIRC-CM-101")
    title: str
    title_ar: str = ""
    description: str = ""
    areas: list[str] = Field(default_factory=list, description="Area codes")
    level: CourseLevel | None = None
    delivery: CourseDelivery = Course.Delivery.RESIDENT
    provider: str = Field(description="Slug of the providing organisation")
    duration_days: int = Field(5, ge=1, le=365)
    languages: str = "en"
    aim: str = ""
    performance_objectives: str = Field("", description="One objective per line")
    security_classification: CourseClassification = Course.Classification.NU_REL_ICI
    training_audience: str = ""
    eligible_frameworks: list[str] = Field(default_factory=list, description="Framework codes")
    eligible_countries: list[str] = Field(default_factory=list, description="ISO codes")
    prerequisites: str = ""
    default_capacity: int = Field(30, ge=1, le=MAX_SMALL)
    min_attendance_percent: Percent = 80
    level1_evaluation_required: bool = True
    level2_test: bool = False
    fee_eur: Decimal = Decimal(0)
    marking: MarkingEnum = Marking.REL_ICI
    status: CourseStatus = Course.Status.ACTIVE
    external_ref: str = ""


class CoursePatch(Schema):
    title: str | None = None
    title_ar: str | None = None
    description: str | None = None
    areas: list[str] | None = None
    level: CourseLevel | None = None
    delivery: CourseDelivery | None = None
    provider: str | None = None
    duration_days: int | None = Field(None, ge=1, le=365)
    languages: str | None = None
    aim: str | None = None
    performance_objectives: str | None = None
    security_classification: CourseClassification | None = None
    training_audience: str | None = None
    eligible_frameworks: list[str] | None = None
    eligible_countries: list[str] | None = None
    prerequisites: str | None = None
    default_capacity: int | None = Field(None, ge=1, le=MAX_SMALL)
    min_attendance_percent: Percent | None = None
    level1_evaluation_required: bool | None = None
    level2_test: bool | None = None
    fee_eur: Decimal | None = None
    marking: MarkingEnum | None = None
    status: CourseStatus | None = None
    external_ref: str | None = None


class CourseFilters(Schema):
    q: str | None = Field(None, description="Words of the code, title or description")
    area: str | None = Field(None, description="Area code")
    delivery: CourseDelivery | None = None
    status: CourseStatus | None = None


def _course_data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None}
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    if data.get("level") is None and "level" in data:
        data["level"] = ""
    if "provider" in data:
        provider = Organisation.objects.filter(slug=data["provider"]).first()
        if provider is None:
            raise ValidationError(
                {"provider": _("Unknown organisation “%(s)s”.") % {"s": data["provider"]}}
            )
        data["provider"] = provider
    if "areas" in data:
        areas = list(Area.objects.filter(code__in=data["areas"]))
        unknown = set(data["areas"]) - {a.code for a in areas}
        if unknown:
            raise ValidationError(
                {"areas": _("Unknown areas: %(a)s.") % {"a": ", ".join(sorted(unknown))}}
            )
        data["areas"] = areas
    if "eligible_frameworks" in data:
        frameworks = list(Framework.objects.filter(code__in=data["eligible_frameworks"]))
        unknown = set(data["eligible_frameworks"]) - {f.code for f in frameworks}
        if unknown:
            raise ValidationError(
                {
                    "eligible_frameworks": _("Unknown frameworks: %(f)s.")
                    % {"f": ", ".join(sorted(unknown))}
                }
            )
        data["eligible_frameworks"] = frameworks
    if "eligible_countries" in data:
        data["eligible_countries"] = [
            _country(code, "eligible_countries") for code in data["eligible_countries"]
        ]
    return data


def _courses(user):
    return selectors.courses(user)


@router.get(
    "/training/courses",
    response={200: list[CourseOut], **READ_ERRORS},
    summary="The course catalogue",
)
@paginate(Pagination)
def course_list(request, filters: Query[CourseFilters]):
    user = actor(request)
    qs = apply_filters(
        _courses(user),
        filters,
        {"area": "areas__code", "delivery": "delivery", "status": "status"},
    )
    if filters.area:
        qs = qs.distinct()
    if filters.q:
        qs = search(qs, filters.q, ["search_text"])
    return qs


@router.get("/training/courses/{int:pk}", response={200: CourseOut, **READ_ERRORS})
def course_detail(request, pk: Id):
    user = actor(request)
    return get_visible(_courses(user), user, pk=pk)


@router.post("/training/courses", response={201: CourseOut, **ERRORS}, summary="Add a course")
def course_create(request, payload: CourseIn):
    user = require_signed_in(request)
    course = services.create_course(user, _course_data(payload, partial=False))
    return Status(201, _fetch(_courses(user), course))


@router.patch("/training/courses/{int:pk}", response={200: CourseOut, **ERRORS})
def course_update(request, pk: Id, payload: CoursePatch):
    user = require_signed_in(request)
    course = get_visible(Course, user, pk=pk)
    services.update_course(user, course, _course_data(payload, partial=True))
    return _fetch(_courses(user), course)


# -- sessions --------------------------------------------------------------------------------


class QuotaOut(Schema):
    country: str
    seats: int

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3


class SessionOut(Schema):
    id: int
    reference: str
    course: CourseRef
    start: dt.date
    end: dt.date
    venue: str
    capacity: int
    seats_taken: int
    free_seats: int
    director: str
    nomination_deadline: dt.date
    reallocation_date: dt.date
    quotas_released_at: dt.datetime | None = None
    state: str
    cancel_reason: str
    is_public: bool
    accepts_nominations: bool
    quotas: list[QuotaOut] = Field(description="The quotas the caller may see")

    @staticmethod
    def resolve_accepts_nominations(obj):
        return obj.accepts_nominations()

    @staticmethod
    def resolve_quotas(obj):
        return list(obj.quotas.all())


class SessionIn(Schema):
    course: Id = Field(description="Course id")
    start: dt.date
    end: dt.date | None = Field(None, description="Default: the course's duration")
    reference: str = ""
    venue: str = ""
    capacity: int | None = Field(None, ge=1, le=MAX_SMALL, description="Default: the course's")
    director: str = ""
    nomination_deadline: dt.date | None = Field(None, description="Default: 8 weeks before")
    reallocation_date: dt.date | None = Field(None, description="Default: 6 weeks before")
    is_public: bool = True
    joining_instructions: str = ""
    notes: str = ""
    quotas: dict[str, Count] = Field(default_factory=dict, description="ISO code -> seats")


class SessionPatch(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    venue: str | None = None
    capacity: int | None = Field(None, ge=1, le=MAX_SMALL)
    director: str | None = None
    nomination_deadline: dt.date | None = None
    reallocation_date: dt.date | None = None
    is_public: bool | None = None
    joining_instructions: str | None = None
    notes: str | None = None


class SessionFilters(Schema):
    course: Id | None = Field(None, description="Course id")
    state: SessionState | None = None
    year: Year | None = Field(None, description="Year of the start")
    open: bool | None = Field(None, description="Only sessions open for nominations now")


class StateIn(Schema):
    state: SessionState
    reason: str = ""


class QuotasIn(Schema):
    quotas: dict[str, Count] = Field(description="ISO code -> seats (0 removes the quota)")


class ReallocationOut(Schema):
    day: dt.date
    released: int
    promoted: list[dict]


def _sessions(user):
    return selectors.sessions(user).prefetch_related(
        Prefetch(
            "quotas",
            queryset=SeatQuota.objects.visible_to(user).select_related("country"),
        )
    )


def _quota_map(quotas: dict[str, int]) -> dict:
    return {_country(code, "quotas"): seats for code, seats in quotas.items()}


@router.get("/training/sessions", response={200: list[SessionOut], **READ_ERRORS})
@paginate(Pagination)
def session_list(request, filters: Query[SessionFilters]):
    user = actor(request)
    qs = apply_filters(
        _sessions(user), filters, {"course": "course_id", "state": "state", "year": "start__year"}
    )
    if filters.open:
        qs = qs.open_for_nominations()
    return qs.order_by("start", "pk")


@router.get("/training/sessions/{int:pk}", response={200: SessionOut, **READ_ERRORS})
def session_detail(request, pk: Id):
    user = actor(request)
    return get_visible(_sessions(user), user, pk=pk)


@router.post(
    "/training/sessions", response={201: SessionOut, **ERRORS}, summary="Schedule a session"
)
def session_create(request, payload: SessionIn):
    user = require_signed_in(request)
    course = get_visible(Course, user, pk=payload.course)
    data = payload.dict(exclude={"course", "quotas"})
    data = {k: v for k, v in data.items() if v not in (None, "") or k in ("notes", "director")}
    session = services.create_session(user, course, data, quotas=_quota_map(payload.quotas))
    return Status(201, _fetch(_sessions(user), session))


@router.patch("/training/sessions/{int:pk}", response={200: SessionOut, **ERRORS})
def session_update(request, pk: Id, payload: SessionPatch):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.update_session(user, session, data)
    return _fetch(_sessions(user), session)


@router.put(
    "/training/sessions/{int:pk}/quotas",
    response={200: SessionOut, **ERRORS},
    summary="Set seat quotas of the countries given",
)
def session_quotas(request, pk: Id, payload: QuotasIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    services.set_quotas(user, session, _quota_map(payload.quotas))
    return _fetch(_sessions(user), session)


@router.post("/training/sessions/{int:pk}/state", response={200: SessionOut, **ERRORS})
def session_state(request, pk: Id, payload: StateIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    services.change_state(user, session, payload.state.value, reason=payload.reason)
    return _fetch(_sessions(user), session)


@router.post(
    "/training/sessions/{int:pk}/reallocate",
    response={200: ReallocationOut, **ERRORS},
    summary="Release the quotas now and promote waiting nominees (staff)",
)
def session_reallocate(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    report = services.reallocate(actor=user, session=session)
    return {
        "day": report.day,
        "released": report.released,
        "promoted": [
            {"session": ref, "participant": name, "country": iso3}
            for ref, name, iso3 in report.promoted
        ],
    }


@router.post(
    "/training/sessions/{int:pk}/complete",
    response={200: dict[str, int], **ERRORS},
    summary="Complete a running session: outcomes by the course's rule",
)
def session_complete(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    return services.complete_session(user, session)


# -- participants ---------------------------------------------------------------------------


class ParticipantOut(Schema):
    id: int
    given_name: str
    family_name: str
    name_ar: str
    country: str
    service: str
    rank: str
    rank_code: str
    position: str
    organisation: str
    email: str
    date_of_birth: dt.date | None = None
    user: str | None = None

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3

    @staticmethod
    def resolve_user(obj):
        return obj.user.username if obj.user_id else None


class ParticipantIn(Schema):
    given_name: str
    family_name: str
    name_ar: str = ""
    country: str = Field(description="ISO code")
    service: ParticipantService
    rank: str = ""
    rank_code: ParticipantRankCode = Participant.RankCode.CIVILIAN
    position: str = ""
    organisation: str = ""
    email: str = ""
    date_of_birth: dt.date | None = None


class ParticipantPatch(Schema):
    given_name: str | None = None
    family_name: str | None = None
    name_ar: str | None = None
    country: str | None = None
    service: ParticipantService | None = None
    rank: str | None = None
    rank_code: ParticipantRankCode | None = None
    position: str | None = None
    organisation: str | None = None
    email: str | None = None
    date_of_birth: dt.date | None = None


class ParticipantFilters(Schema):
    q: str | None = Field(None, description="Words of the name (Latin or Arabic) or e-mail")
    country: str | None = Field(None, description="ISO alpha-3 code")
    service: ParticipantService | None = None
    rank_code: ParticipantRankCode | None = None


def _participant_data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None}
    for key, value in list(data.items()):
        if hasattr(value, "value"):
            data[key] = value.value
    if "country" in data:
        data["country"] = _country(data["country"], "country")
    return data


def _participants(user):
    return selectors.participants(user).select_related("user")


@router.get("/training/participants", response={200: list[ParticipantOut], **READ_ERRORS})
@paginate(Pagination)
def participant_list(request, filters: Query[ParticipantFilters]):
    user = require_signed_in(request)
    qs = apply_filters(
        _participants(user),
        filters,
        {"country": "country__iso3__iexact", "service": "service", "rank_code": "rank_code"},
    )
    if filters.q:
        qs = search(qs, filters.q, ["search_text"])
    return qs


@router.get("/training/participants/{int:pk}", response={200: ParticipantOut, **READ_ERRORS})
def participant_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(_participants(user), user, pk=pk)


@router.post(
    "/training/participants",
    response={201: ParticipantOut, **ERRORS},
    summary="Record a person (duplicates are refused: one person is one participant)",
)
def participant_create(request, payload: ParticipantIn):
    user = require_signed_in(request)
    participant = services.create_participant(user, _participant_data(payload, partial=False))
    return Status(201, _fetch(_participants(user), participant))


@router.patch("/training/participants/{int:pk}", response={200: ParticipantOut, **ERRORS})
def participant_update(request, pk: Id, payload: ParticipantPatch):
    user = require_signed_in(request)
    participant = get_visible(Participant, user, pk=pk)
    services.update_participant(user, participant, _participant_data(payload, partial=True))
    return _fetch(_participants(user), participant)


# -- nominations -----------------------------------------------------------------------------


class NominationOut(Schema):
    id: int
    session: SessionRef
    participant: ParticipantRef
    country: str
    priority: int
    status: str
    has_seat: bool
    via_reallocation: bool
    reason: str
    nominated_by: str | None = None
    nominated_at: dt.datetime
    promoted_at: dt.datetime | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str
    withdrawn_by: str | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawal_reason: str
    substitute_for: int | None = None
    outcome: str
    attendance_percent: int | None = None

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3

    @staticmethod
    def resolve_nominated_by(obj):
        return obj.nominated_by_name

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by_name

    @staticmethod
    def resolve_withdrawn_by(obj):
        return obj.withdrawn_by_name

    @staticmethod
    def resolve_substitute_for(obj):
        return obj.substitute_for_id


class NominationIn(Schema):
    session: Id
    participant: Id
    priority: int | None = Field(
        None,
        ge=Nomination.PRIORITY_MIN,
        le=Nomination.PRIORITY_MAX,
        description="1 is the country's first choice. Default: after the country's last",
    )
    reason: str = ""


class SubstituteIn(Schema):
    participant: Id = Field(description="The substitute (same country)")
    reason: str = ""


class NominationFilters(Schema):
    session: Id | None = None
    participant: Id | None = None
    country: str | None = Field(None, description="ISO alpha-3 code")
    status: NominationStatus | None = None
    outcome: NominationOutcome | None = None


def _nominations(user):
    # User names as annotations, not three user rows per nomination (lists may be long).
    return selectors.nominations(user).annotate(
        nominated_by_name=F("nominated_by__username"),
        decided_by_name=F("decided_by__username"),
        withdrawn_by_name=F("withdrawn_by__username"),
    )


@router.get("/training/nominations", response={200: list[NominationOut], **READ_ERRORS})
@paginate(Pagination)
def nomination_list(request, filters: Query[NominationFilters]):
    user = require_signed_in(request)
    qs = apply_filters(
        _nominations(user),
        filters,
        {
            "session": "session_id",
            "participant": "participant_id",
            "country": "country__iso3__iexact",
            "status": "status",
            "outcome": "outcome",
        },
    )
    return qs.order_by("session__start", "session_id", "country__name", "priority", "pk")


@router.get("/training/nominations/{int:pk}", response={200: NominationOut, **READ_ERRORS})
def nomination_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(_nominations(user), user, pk=pk)


@router.post(
    "/training/nominations",
    response={201: NominationOut, **ERRORS},
    summary="Nominate a person (a seat within the quota, else the waiting list)",
)
def nomination_create(request, payload: NominationIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=payload.session)
    participant = get_visible(Participant, user, pk=payload.participant)
    nomination = services.nominate(
        user, session, participant, priority=payload.priority, reason=payload.reason
    )
    return Status(201, _fetch(_nominations(user), nomination))


def _nomination_action(request, pk, call):
    user = require_signed_in(request)
    nomination = get_visible(Nomination, user, pk=pk)
    result = call(user, nomination)
    return _fetch(_nominations(user), result)


@router.post("/training/nominations/{int:pk}/accept", response={200: NominationOut, **ERRORS})
def nomination_accept(request, pk: Id, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    return _nomination_action(request, pk, lambda u, n: services.accept(u, n, reason=reason))


@router.post("/training/nominations/{int:pk}/reject", response={200: NominationOut, **ERRORS})
def nomination_reject(request, pk: Id, payload: ReasonIn):
    return _nomination_action(
        request, pk, lambda u, n: services.reject(u, n, reason=payload.reason)
    )


@router.post("/training/nominations/{int:pk}/withdraw", response={200: NominationOut, **ERRORS})
def nomination_withdraw(request, pk: Id, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    return _nomination_action(request, pk, lambda u, n: services.withdraw(u, n, reason=reason))


@router.post(
    "/training/nominations/{int:pk}/substitute",
    response={200: NominationOut, **ERRORS},
    summary="Replace the nominee; the substitute keeps the seat (answers the new nomination)",
)
def nomination_substitute(request, pk: Id, payload: SubstituteIn):
    user = require_signed_in(request)
    nomination = get_visible(Nomination, user, pk=pk)
    participant = get_visible(Participant, user, pk=payload.participant)
    new = services.substitute(user, nomination, participant, reason=payload.reason)
    return _fetch(_nominations(user), new)


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
    records: list[AttendanceRecord]


class AttendanceFilters(Schema):
    session: Id | None = None
    nomination: Id | None = None


def _attendance(user):
    return Attendance.objects.visible_to(user).select_related("nomination__participant")


@router.get("/training/attendance", response={200: list[AttendanceOut], **READ_ERRORS})
@paginate(Pagination)
def attendance_list(request, filters: Query[AttendanceFilters]):
    user = require_signed_in(request)
    qs = apply_filters(
        _attendance(user),
        filters,
        {"session": "nomination__session_id", "nomination": "nomination_id"},
    )
    return qs.order_by("nomination_id", "day")


@router.post(
    "/training/sessions/{int:pk}/attendance",
    response={200: dict[str, int], **ERRORS},
    summary="Record attendance (staff; instructors for their own sessions)",
)
def attendance_record(request, pk: Id, payload: AttendanceIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    marks = {r.nomination: set(r.present_days) for r in payload.records}
    written = services.record_attendance(user, session, marks)
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


# -- certificates -------------------------------------------------------------------------------


class CertificateOut(Schema):
    id: int
    code: str
    nomination: int
    participant: ParticipantRef
    session: SessionRef
    course: CourseRef
    issued_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revocation_reason: str
    valid: bool
    verify_url: str

    @staticmethod
    def resolve_nomination(obj):
        return obj.nomination_id

    @staticmethod
    def resolve_participant(obj):
        return obj.nomination.participant

    @staticmethod
    def resolve_session(obj):
        return obj.nomination.session

    @staticmethod
    def resolve_course(obj):
        return obj.nomination.session.course

    @staticmethod
    def resolve_valid(obj):
        return obj.is_valid

    @staticmethod
    def resolve_verify_url(obj):
        return obj.verify_url()


class CertificateIn(Schema):
    nomination: Id


class CertificateFilters(Schema):
    session: Id | None = None
    country: str | None = Field(None, description="ISO alpha-3 code")
    valid: bool | None = None


class VerifyOut(Schema):
    code: str
    state: str = Field(description="valid, revoked or unknown")


@router.get("/training/certificates", response={200: list[CertificateOut], **READ_ERRORS})
@paginate(Pagination)
def certificate_list(request, filters: Query[CertificateFilters]):
    user = require_signed_in(request)
    qs = apply_filters(
        selectors.certificates(user),
        filters,
        {"session": "nomination__session_id", "country": "nomination__country__iso3__iexact"},
    )
    if filters.valid is not None:
        qs = qs.filter(revoked_at__isnull=filters.valid)
    return qs


@router.get("/training/certificates/{int:pk}", response={200: CertificateOut, **READ_ERRORS})
def certificate_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(selectors.certificates(user), user, pk=pk)


@router.get(
    "/training/certificates/{int:pk}/pdf",
    response={200: None, **READ_ERRORS},
    summary="The certificate as PDF",
)
def certificate_pdf(request, pk: Id):
    from .certificates import render_pdf

    user = require_signed_in(request)
    certificate = get_visible(selectors.certificates(user), user, pk=pk)
    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    attach(response, f"certificate-{certificate.code}.pdf")
    return response


@router.post("/training/certificates", response={201: CertificateOut, **ERRORS})
def certificate_issue(request, payload: CertificateIn):
    user = require_signed_in(request)
    nomination = get_visible(Nomination, user, pk=payload.nomination)
    certificate = services.issue_certificate(user, nomination)
    return Status(201, _fetch(selectors.certificates(user), certificate))


@router.post(
    "/training/sessions/{int:pk}/certificates",
    response={200: list[CertificateOut], **ERRORS},
    summary="Issue every certificate due for a completed session",
)
def session_certificates(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    issued, _skipped = services.issue_certificates(user, session)
    return list(selectors.certificates(user).filter(pk__in=[c.pk for c in issued]))


@router.post("/training/certificates/{int:pk}/revoke", response={200: CertificateOut, **ERRORS})
def certificate_revoke(request, pk: Id, payload: ReasonIn):
    user = require_signed_in(request)
    certificate = get_visible(Certificate, user, pk=pk)
    services.revoke_certificate(user, certificate, reason=payload.reason)
    return _fetch(selectors.certificates(user), certificate)


@router.get(
    "/training/verify/{code}",
    response={200: VerifyOut, **READ_ERRORS},
    auth=None,
    summary="Public check of a certificate code: valid, revoked or unknown, nothing more",
)
def verify(request, code: str):
    normal = services.normalise_code(code)
    return {"code": normal, "state": selectors.certificate_state(normal) or "unknown"}


# -- instructors, assignments, trips ----------------------------------------------------------


class InstructorOut(Schema):
    id: int
    full_name: str
    name_ar: str
    title: str
    organisation: OrganisationRef
    country: str
    email: str
    expertise: str
    is_active: bool

    @staticmethod
    def resolve_country(obj):
        return obj.country.iso3


class InstructorIn(Schema):
    full_name: str
    name_ar: str = ""
    title: str = ""
    organisation: str = Field(description="Slug of the home organisation")
    country: str = Field(description="ISO code")
    email: str = ""
    expertise: str = ""
    is_active: bool = True


class InstructorPatch(Schema):
    full_name: str | None = None
    name_ar: str | None = None
    title: str | None = None
    organisation: str | None = None
    country: str | None = None
    email: str | None = None
    expertise: str | None = None
    is_active: bool | None = None


def _instructor_data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None}
    if "organisation" in data:
        organisation = Organisation.objects.filter(slug=data["organisation"]).first()
        if organisation is None:
            raise ValidationError({"organisation": _("Unknown organisation.")})
        data["organisation"] = organisation
    if "country" in data:
        data["country"] = _country(data["country"], "country")
    return data


@router.get("/training/instructors", response={200: list[InstructorOut], **READ_ERRORS})
@paginate(Pagination)
def instructor_list(request, organisation: str | None = None):
    user = require_signed_in(request)
    qs = selectors.instructors(user)
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    return qs


@router.get("/training/instructors/{int:pk}", response={200: InstructorOut, **READ_ERRORS})
def instructor_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(selectors.instructors(user), user, pk=pk)


@router.post("/training/instructors", response={201: InstructorOut, **ERRORS})
def instructor_create(request, payload: InstructorIn):
    user = require_signed_in(request)
    instructor = services.create_instructor(user, _instructor_data(payload, partial=False))
    return Status(201, _fetch(selectors.instructors(user), instructor))


@router.patch("/training/instructors/{int:pk}", response={200: InstructorOut, **ERRORS})
def instructor_update(request, pk: Id, payload: InstructorPatch):
    user = require_signed_in(request)
    instructor = get_visible(Instructor, user, pk=pk)
    services.update_instructor(user, instructor, _instructor_data(payload, partial=True))
    return _fetch(selectors.instructors(user), instructor)


class AssignmentOut(Schema):
    id: int
    session: SessionRef
    instructor: int
    instructor_name: str
    role: str

    @staticmethod
    def resolve_instructor(obj):
        return obj.instructor_id

    @staticmethod
    def resolve_instructor_name(obj):
        return obj.instructor.full_name


class AssignmentIn(Schema):
    session: Id
    instructor: Id
    role: AssignmentPart = Assignment.Part.INSTRUCTOR


@router.get("/training/assignments", response={200: list[AssignmentOut], **READ_ERRORS})
@paginate(Pagination)
def assignment_list(request, session: Id | None = None, instructor: Id | None = None):
    user = require_signed_in(request)
    qs = selectors.assignments(user)
    if session:
        qs = qs.filter(session_id=session)
    if instructor:
        qs = qs.filter(instructor_id=instructor)
    return qs.order_by("session__start", "pk")


@router.post("/training/assignments", response={201: AssignmentOut, **ERRORS})
def assignment_create(request, payload: AssignmentIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=payload.session)
    instructor = get_visible(Instructor, user, pk=payload.instructor)
    assignment = services.assign(user, session, instructor, payload.role.value)
    return Status(201, _fetch(selectors.assignments(user), assignment))


@router.delete("/training/assignments/{int:pk}", response={204: None, **ERRORS})
def assignment_delete(request, pk: Id):
    user = require_signed_in(request)
    services.unassign(user, get_visible(Assignment, user, pk=pk))
    return Status(204, None)


class TripOut(Schema):
    id: int
    instructor: int
    instructor_name: str
    organisation: str
    origin: str
    arrival: dt.date
    departure: dt.date
    sessions: list[SessionRef]
    notes: str

    @staticmethod
    def resolve_instructor(obj):
        return obj.instructor_id

    @staticmethod
    def resolve_instructor_name(obj):
        return obj.instructor.full_name

    @staticmethod
    def resolve_organisation(obj):
        return obj.instructor.organisation.slug

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())


class TripIn(Schema):
    instructor: Id
    origin: str
    arrival: dt.date
    departure: dt.date
    sessions: list[Id] = Field(description="Ids of the sessions the trip covers")
    notes: str = ""


@router.get("/training/trips", response={200: list[TripOut], **READ_ERRORS})
@paginate(Pagination)
def trip_list(request, instructor: Id | None = None, year: Year | None = None):
    user = require_signed_in(request)
    qs = selectors.trips(user)
    if instructor:
        qs = qs.filter(instructor_id=instructor)
    if year:
        qs = qs.filter(arrival__year=year)
    return qs.order_by("arrival", "pk")


@router.get("/training/trips/{int:pk}", response={200: TripOut, **READ_ERRORS})
def trip_detail(request, pk: Id):
    user = require_signed_in(request)
    return get_visible(selectors.trips(user), user, pk=pk)


@router.post("/training/trips", response={201: TripOut, **ERRORS})
def trip_create(request, payload: TripIn):
    user = require_signed_in(request)
    instructor = get_visible(Instructor, user, pk=payload.instructor)
    sessions = [get_visible(Session, user, pk=pk) for pk in payload.sessions]
    trip = services.create_trip(
        user,
        instructor,
        origin=payload.origin,
        arrival=payload.arrival,
        departure=payload.departure,
        sessions=sessions,
        notes=payload.notes,
    )
    return Status(201, _fetch(selectors.trips(user), trip))


@router.delete("/training/trips/{int:pk}", response={204: None, **ERRORS})
def trip_delete(request, pk: Id):
    user = require_signed_in(request)
    services.delete_trip(user, get_visible(Trip, user, pk=pk))
    return Status(204, None)
