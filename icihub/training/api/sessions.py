"""Session endpoints: records, quotas, the lifecycle, reallocation, completion."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible, visible
from icihub.core.apikit import (
    ERRORS,
    MAX_SMALL,
    READ_ERRORS,
    Children,
    Count,
    Id,
    Pagination,
    ValuesOut,
    actor,
    require_signed_in,
    serve_prebuilt,
)

from .. import lifecycle, permissions, selectors, services
from ..filters import SessionFilters
from ..models import (
    Course,
    SeatQuota,
    Session,
)
from ._common import CourseRef, SessionState, _country, _fetch, router

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
    provenance: str = Field(description="Where the row comes from: demo, source or entered")
    quotas: list[QuotaOut] = Field(description="The quotas the caller may see")

    @staticmethod
    def resolve_accepts_nominations(obj):
        return obj.accepts_nominations()

    @staticmethod
    def resolve_quotas(obj):
        return list(obj.quotas.all())


class SessionFields(Schema):
    """What a session's PATCH may change (``PatchDict``: only the fields sent)."""

    start: dt.date
    end: dt.date | None = Field(None, description="Default: the course's duration")
    venue: str = ""
    capacity: int | None = Field(None, ge=1, le=MAX_SMALL, description="Default: the course's")
    director: str = ""
    nomination_deadline: dt.date | None = Field(None, description="Default: 8 weeks before")
    reallocation_date: dt.date | None = Field(None, description="Default: 6 weeks before")
    is_public: bool = True
    joining_instructions: str = ""
    notes: str = ""


class SessionIn(SessionFields):
    course: Id = Field(description="Course id")
    reference: str = ""
    quotas: dict[str, Count] = Field(default_factory=dict, description="ISO code -> seats")


class StateIn(Schema):
    state: SessionState
    reason: str = ""
    override_dates: bool = Field(
        False,
        description="Run the session before its start date (Centre staff; give a reason)",
    )


class CompleteIn(Schema):
    reason: str = ""
    override_dates: bool = Field(
        False,
        description="Complete the session before its end date (Centre staff; give a reason)",
    )


class BlockerOut(Schema):
    code: str
    message: str
    field: str
    overridable: bool
    advisory: bool
    url: str


class LifecycleOut(Schema):
    state: SessionState
    next_states: list[SessionState]
    blockers: dict[str, list[BlockerOut]] = Field(
        description="Per next step (a state, or “certificates”): what blocks it"
    )


class QuotasIn(Schema):
    quotas: dict[str, Count] = Field(description="ISO code -> seats (0 removes the quota)")


class ReallocationOut(Schema):
    day: dt.date
    released: int
    promoted: list[dict]


def _quotas(user):
    """The quotas ``user`` may see (of the sessions' prefetch and of ``SESSION_ROWS``)."""
    return SeatQuota.objects.visible_to(user).select_related("country")


def _sessions(user):
    return selectors.sessions(user).prefetch_related(Prefetch("quotas", queryset=_quotas(user)))


# The lists and records as values() rows (apikit.ValuesOut): the quotas by a second
# query of the quotas the caller may see, as the prefetch of ``_sessions`` does.
SESSION_ROWS = ValuesOut(
    SessionOut,
    Session,
    computed={
        "free_seats": lambda session: session.free_seats,
        "accepts_nominations": SessionOut.resolve_accepts_nominations,
    },
    children={
        "quotas": Children(
            ValuesOut(QuotaOut, SeatQuota, paths={"country": "country__iso3"}),
            "session",
            _quotas,
            scoped=(SeatQuota,),
        )
    },
)


def _quota_map(quotas: dict[str, int]) -> dict:
    return {_country(code, "quotas"): seats for code, seats in quotas.items()}


@router.get("/training/sessions", response={200: list[SessionOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def session_list(request, filters: Query[SessionFilters]):
    user = actor(request)
    return SESSION_ROWS.page(filters.filter(_sessions(user)).order_by("start", "pk"), user=user)


@router.get("/training/sessions/{int:pk}", response={200: SessionOut, **READ_ERRORS})
@serve_prebuilt
def session_detail(request, pk: Id):
    user = actor(request)
    return SESSION_ROWS.record(_session_record, user, pk, models=(Session, SeatQuota), user=user)


def _session_record(scope, pk):
    return visible(_sessions(scope), scope).filter(pk=pk)


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
def session_update(request, pk: Id, payload: PatchDict[SessionFields]):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    data = {k: v for k, v in payload.items() if v is not None}
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
    services.change_state(
        user,
        session,
        payload.state.value,
        reason=payload.reason,
        override_dates=payload.override_dates,
    )
    return _fetch(_sessions(user), session)


@router.get(
    "/training/sessions/{int:pk}/lifecycle",
    response={200: LifecycleOut, **ERRORS},
    summary="The session's next steps and what blocks each (the page's list)",
)
def session_lifecycle(request, pk: Id):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    if not permissions.can_decide(user):
        raise PermissionDenied(_("Staff only."))
    steps = lifecycle.next_steps(session, services.TRANSITIONS)
    return {
        "state": session.state,
        "next_states": [s for s in steps if s != lifecycle.CERTIFICATES],
        "blockers": {step: lifecycle.blockers(session, step) for step in steps},
    }


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
def session_complete(request, pk: Id, payload: CompleteIn | None = None):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    payload = payload or CompleteIn()
    return services.complete_session(
        user, session, reason=payload.reason, override_dates=payload.override_dates
    )
