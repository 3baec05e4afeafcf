"""Nomination endpoints and their decisions."""

import datetime as dt
from typing import Literal

from django.db.models import F
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible, visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Id,
    Pagination,
    ValuesOut,
    require_signed_in,
    serve_prebuilt,
)

from .. import selectors, services
from ..filters import NominationFilters
from ..models import (
    Nomination,
    Participant,
    Session,
)
from ._common import (
    ParticipantRef,
    ReasonIn,
    SessionRef,
    _fetch,
    router,
)

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


class DecideIn(Schema):
    nominations: list[Id] = Field(
        min_length=1, description="The nominations of this session to decide (all or nothing)"
    )
    decision: Literal["accept", "reject"]
    reason: str = Field("", description="Required to reject; recorded with every decision")


class SubstituteIn(Schema):
    participant: Id = Field(description="The substitute (same country)")
    reason: str = ""


def _with_user_names(qs):
    # User names as annotations, not three user rows per nomination (lists may be long).
    return qs.annotate(
        nominated_by_name=F("nominated_by__username"),
        decided_by_name=F("decided_by__username"),
        withdrawn_by_name=F("withdrawn_by__username"),
    )


def _nominations(user):
    return _with_user_names(selectors.nominations(user))


# The lists and records as values() rows (apikit.ValuesOut): the paths of the resolvers.
NOMINATION_ROWS = ValuesOut(
    NominationOut,
    Nomination,
    paths={
        "participant.country": "participant__country__iso3",
        "country": "country__iso3",
        "nominated_by": "nominated_by_name",
        "decided_by": "decided_by_name",
        "withdrawn_by": "withdrawn_by_name",
        "substitute_for": "substitute_for",
    },
)


@router.get("/training/nominations", response={200: list[NominationOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def nomination_list(request, filters: Query[NominationFilters]):
    user = require_signed_in(request)
    qs = filters.filter(selectors.nominations(user))
    # The count without the users' joins, which only the page's names need
    # (SQLite kept the three LEFT JOINs in the COUNT); the page's ids first
    # (SQLite's plan of the whole row's eight tables sorted a country's rows).
    return NOMINATION_ROWS.page(
        _with_user_names(qs).order_by(
            "session__start", "session_id", "country__name", "priority", "pk"
        ),
        count_qs=qs,
        ids_first=True,
    )


@router.get("/training/nominations/{int:pk}", response={200: NominationOut, **READ_ERRORS})
@serve_prebuilt
def nomination_detail(request, pk: Id):
    user = require_signed_in(request)
    return NOMINATION_ROWS.record(_nomination_record, user, pk, models=(Nomination,))


def _nomination_record(scope, pk):
    return visible(_nominations(scope), scope).filter(pk=pk)


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


@router.post(
    "/training/sessions/{int:pk}/nominations/decide",
    response={200: list[NominationOut], **ERRORS},
    summary="Accept or reject many nominations of a session at once (staff; all or nothing)",
)
def nomination_decide_many(request, pk: Id, payload: DecideIn):
    user = require_signed_in(request)
    session = get_visible(Session, user, pk=pk)
    decided = services.decide_many(
        user, session, payload.nominations, payload.decision, reason=payload.reason
    )
    ids = [n.pk for n in decided]
    return list(_nominations(user).filter(pk__in=ids).order_by("country__name", "priority", "pk"))
