"""Participant endpoints."""

import datetime as dt

from ninja import Field, PatchDict, Query, Schema, Status
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
from ..filters import ParticipantFilters
from ..models import (
    Participant,
)
from ._common import ParticipantRankCode, ParticipantService, _country, _fetch, router

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
    provenance: str = Field(description="Where the row comes from: demo, source or entered")

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
    rank_code: ParticipantRankCode | None = Field(
        None,
        description="NATO rank code; left out, the rank table's code for the rank "
        "(an unknown rank is an error), or CIV without a rank",
    )
    position: str = ""
    organisation: str = ""
    email: str = ""
    date_of_birth: dt.date | None = None


def _participant_data(payload: Schema | dict, *, partial: bool) -> dict:
    data = payload if partial else payload.dict()  # a PatchDict: the fields sent
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


# The lists and records as values() rows (apikit.ValuesOut): the paths of the resolvers.
PARTICIPANT_ROWS = ValuesOut(
    ParticipantOut,
    Participant,
    paths={"country": "country__iso3", "user": "user__username"},
)


@router.get("/training/participants", response={200: list[ParticipantOut], **READ_ERRORS})
@serve_prebuilt
@paginate(Pagination)
def participant_list(request, filters: Query[ParticipantFilters]):
    user = require_signed_in(request)
    return PARTICIPANT_ROWS.page(filters.filter(_participants(user)))


@router.get("/training/participants/{int:pk}", response={200: ParticipantOut, **READ_ERRORS})
@serve_prebuilt
def participant_detail(request, pk: Id):
    user = require_signed_in(request)
    return PARTICIPANT_ROWS.record(_participant_record, user, pk, models=(Participant,))


def _participant_record(scope, pk):
    return visible(_participants(scope), scope).filter(pk=pk)


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
def participant_update(request, pk: Id, payload: PatchDict[ParticipantIn]):
    user = require_signed_in(request)
    participant = get_visible(Participant, user, pk=pk)
    services.update_participant(user, participant, _participant_data(payload, partial=True))
    return _fetch(_participants(user), participant)
