"""The filters of the programmes' lists, each declared once for its API list
endpoint (``Query[...]``) and its list page (``ListPage(filterset=...)``):
see ``core.listing.ModelFilters``."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup
from pydantic import Field

from icihub.core.apikit import api_enum
from icihub.core.listing import ModelFilters

from .models import PartnerRequest, Programme

# Enumerations of the API that these filters use (``api.py`` imports them).
ProgrammeKind = api_enum(Programme.Kind, "ProgrammeKind")
ProgrammeState = api_enum(Programme.State, "ProgrammeState")
RequestKind = api_enum(PartnerRequest.Kind, "PartnerRequestKind")
RequestState = api_enum(PartnerRequest.State, "PartnerRequestState")


class ProgrammeFilters(ModelFilters):
    country: Annotated[str | None, FilterLookup("country__iso3__iexact")] = Field(
        None, description="ISO alpha-3"
    )
    kind: ProgrammeKind | None = None
    state: ProgrammeState | None = None


class RequestFilters(ModelFilters):
    country: Annotated[str | None, FilterLookup("country__iso3__iexact")] = Field(
        None, description="ISO alpha-3"
    )
    kind: RequestKind | None = None
    state: RequestState | None = None
