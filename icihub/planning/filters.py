"""The filter of instructors' unavailable periods, declared once for the API
list endpoint (``Query[...]``): see ``core.listing.ModelFilters``."""

from __future__ import annotations

from typing import Annotated

from ninja import FilterLookup

from icihub.core.apikit import Id
from icihub.core.listing import ModelFilters


class UnavailabilityFilter(ModelFilters):
    instructor: Annotated[Id | None, FilterLookup("instructor_id")] = None
