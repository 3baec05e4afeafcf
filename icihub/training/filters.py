"""The filters of training's lists, each declared once for its API list
endpoint (``Query[...]``) and its list page (``ListPage(filterset=...)``):
see ``core.listing.ModelFilters``. A ``...PageFilters`` subclass adds what only
the page offers."""

from __future__ import annotations

from typing import Annotated, Literal

from django.db.models import Q
from ninja import FilterLookup
from pydantic import Field

from icihub.core.apikit import Id, Year, api_enum
from icihub.core.listing import ModelFilters, search_q

from .models import Assignment, Course, Nomination, Participant, Session

# The enumerations of training's API (filters and bodies), each under its own
# name in the OpenAPI document (``api/_common.py`` re-exports them).
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

COUNTRY_HELP = "ISO alpha-3 code"


class CourseFilters(ModelFilters):
    q: str | None = Field(None, description="Words of the code, title or description")
    area: Annotated[str | None, FilterLookup("areas__code")] = Field(None, description="Area code")
    delivery: CourseDelivery | None = None
    status: CourseStatus | None = None

    distinct_fields = frozenset({"area"})

    def filter_q(self, value):
        return search_q(value, ["search_text"])


class CoursePageFilters(CourseFilters):
    level: CourseLevel | None = None


class SessionFilters(ModelFilters):
    course: Annotated[Id | None, FilterLookup("course_id")] = Field(None, description="Course id")
    state: SessionState | None = None
    year: Annotated[Year | None, FilterLookup("start__year")] = Field(
        None, description="Year of the start"
    )
    open: bool | None = Field(None, description="Only sessions open for nominations now")

    def filter_open(self, value):
        # the rule of SessionQuerySet.open_for_nominations; open=false filters nothing
        if not value:
            return Q()
        return Q(pk__in=Session.objects.open_for_nominations().values("pk"))


class SessionPageFilters(SessionFilters):
    area: Annotated[str | None, FilterLookup("course__areas__code")] = None

    distinct_fields = frozenset({"area"})


class ParticipantFilters(ModelFilters):
    q: str | None = Field(None, description="Words of the name (Latin or Arabic) or e-mail")
    country: Annotated[str | None, FilterLookup("country__iso3__iexact")] = Field(
        None, description=COUNTRY_HELP
    )
    service: ParticipantService | None = None
    rank_code: ParticipantRankCode | None = None

    def filter_q(self, value):
        return search_q(value, ["search_text"])


class NominationFilters(ModelFilters):
    session: Annotated[Id | None, FilterLookup("session_id")] = None
    participant: Annotated[Id | None, FilterLookup("participant_id")] = None
    country: Annotated[str | None, FilterLookup("country__iso3__iexact")] = Field(
        None, description=COUNTRY_HELP
    )
    status: NominationStatus | None = None
    outcome: NominationOutcome | None = None


class NominationPageFilters(NominationFilters):
    certificate: Literal["issued", "missing"] | None = None

    def filter_certificate(self, value):
        if not value:
            return Q()
        return Q(certificate__isnull=value == "missing")


class AttendanceFilters(ModelFilters):
    session: Annotated[Id | None, FilterLookup("nomination__session_id")] = None
    nomination: Annotated[Id | None, FilterLookup("nomination_id")] = None


class CertificateFilters(ModelFilters):
    session: Annotated[Id | None, FilterLookup("nomination__session_id")] = None
    country: Annotated[str | None, FilterLookup("nomination__country__iso3__iexact")] = Field(
        None, description=COUNTRY_HELP
    )
    valid: Annotated[bool | None, FilterLookup("revoked_at__isnull")] = None


class CertificatePageFilters(CertificateFilters):
    state: Literal["valid", "revoked"] | None = None
    year: Annotated[Year | None, FilterLookup("nomination__session__start__year")] = None

    def filter_state(self, value):
        return Q(revoked_at__isnull=value == "valid")


class InstructorFilters(ModelFilters):
    organisation: Annotated[str | None, FilterLookup("organisation__slug")] = None
