"""The filters of the kernel's lists (sources, users, the audit trail), each
declared once for its API list endpoint (``Query[...]``) and its list page
(``ListPage(filterset=...)``): see ``core.listing.ModelFilters``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup
from pydantic import Field

from .access import Role
from .apikit import MarkingEnum, api_enum
from .listing import ModelFilters, search_q
from .models import Source

# Enumerations of the API that these filters use (``api.py`` imports them).
SourceKind = api_enum(Source.Kind, "SourceKind")
UserRole = api_enum(Role, "UserRole")


class SourceFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the key, title, publisher or text")
    kind: SourceKind | None = None
    publisher: Annotated[str | None, FilterLookup("publisher__icontains")] = Field(
        None, description="Part of the publisher's name"
    )
    marking: MarkingEnum | None = None

    def filter_q(self, value):
        return search_q(value, ["key", "title", "publisher", "text"])


class UserFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the user name, name or e-mail")
    role: UserRole | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-3 code, e.g. KWT")
    active: Annotated[bool | None, FilterLookup("is_active")] = None

    def filter_q(self, value):
        return search_q(value, ["username", "first_name", "last_name", "email"])

    def filter_country(self, value):
        return Q(country__iso3__iexact=(value or "").strip())


class AuditFilters(ModelFilters):
    user: str | None = Field(None, description="User name (as recorded)")
    action: str | None = None
    via: str | None = None
    object_type: str | None = Field(
        None, description="Model, as app_label.model (partners.country) or model (country)"
    )
    object_id: str | None = None
    date_from: Annotated[dt.date | None, FilterLookup("timestamp__date__gte")] = Field(
        None, description="On or after this day"
    )
    date_to: Annotated[dt.date | None, FilterLookup("timestamp__date__lte")] = Field(
        None, description="On or before this day"
    )

    def filter_user(self, value):
        return Q(actor_label__iexact=value) | Q(actor__username__iexact=value)

    def filter_object_type(self, value):
        label = (value or "").strip().lower()
        if "." in label:
            app_label, model = label.split(".", 1)
            return Q(content_type__app_label=app_label, content_type__model=model)
        return Q(content_type__model=label)
