"""Instructor, assignment and trip endpoints."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    Id,
    Pagination,
    ValuesOut,
    Year,
    require_signed_in,
    serve_prebuilt,
)
from icihub.partners.models import Organisation

from .. import selectors, services
from ..filters import InstructorFilters
from ..models import (
    Assignment,
    Instructor,
    Session,
    Trip,
)
from ._common import AssignmentPart, OrganisationRef, SessionRef, _country, _fetch, router

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
    provenance: str = Field(description="Where the row comes from: demo, source or entered")

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


def _instructor_data(payload: Schema | dict, *, partial: bool) -> dict:
    data = payload if partial else payload.dict()  # a PatchDict: the fields sent
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


# The register and the record as values() rows (apikit.ValuesOut), not model
# instances validated by the schema.
INSTRUCTOR_ROWS = ValuesOut(InstructorOut, Instructor, paths={"country": "country__iso3"})


@router.get("/training/instructors", response={200: list[InstructorOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def instructor_list(request, filters: Query[InstructorFilters]):
    user = require_signed_in(request)
    return INSTRUCTOR_ROWS.page(filters.filter(selectors.instructors(user)))


@router.get("/training/instructors/{int:pk}", response={200: InstructorOut, **READ_ERRORS})
@serve_prebuilt
def instructor_detail(request, pk: Id):
    user = require_signed_in(request)
    return INSTRUCTOR_ROWS.record(_instructor_record, user, pk, models=(Instructor,))


def _instructor_record(scope, pk):
    return selectors.instructors(scope).filter(pk=pk)


@router.post("/training/instructors", response={201: InstructorOut, **ERRORS})
def instructor_create(request, payload: InstructorIn):
    user = require_signed_in(request)
    instructor = services.create_instructor(user, _instructor_data(payload, partial=False))
    return Status(201, _fetch(selectors.instructors(user), instructor))


@router.patch("/training/instructors/{int:pk}", response={200: InstructorOut, **ERRORS})
def instructor_update(request, pk: Id, payload: PatchDict[InstructorIn]):
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
