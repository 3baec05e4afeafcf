"""The filters of the partner registry's lists, each declared once for its API
list endpoint (``Query[...]``) and its list page (``ListPage(filterset=...)``):
see ``core.listing.ModelFilters``. Filters through another model (a country's
partnerships, a person's appointments) read only the rows the user may see."""

from __future__ import annotations

from django.db.models import Q
from pydantic import Field

from icihub.core.apikit import api_enum
from icihub.core.listing import ModelFilters, search_q

from . import selectors
from .models import Country, Organisation, Partnership, Person

# Enumerations of the API that these filters use (``api.py`` imports them).
PartnershipStatus = api_enum(Partnership.Status, "PartnershipStatus")
OrganisationKind = api_enum(Organisation.Kind, "OrganisationKind")


def _country_code(value) -> Q:
    """Rows of the country whose ISO alpha-3 or alpha-2 code is ``value``."""
    return Q(country__in=selectors.country_lookup(value))


class FrameworkFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the names (English or Arabic) or codes")

    def filter_q(self, value):
        return search_q(value, ["search_text"])


class CountryFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the English or Arabic name, or ISO codes")
    framework: str | None = Field(None, description="Framework code, e.g. ici")
    status: PartnershipStatus | None = Field(
        None, description="Partnership status (with framework: in that framework)"
    )
    grouping: str | None = Field(None, description="Grouping code, e.g. gcc")

    def custom_expression(self) -> Q:
        # One visible partnership meets framework and status together:
        # selectors.filter_countries says which countries.
        q = search_q(self.q, ["search_text"])
        if self.framework or self.status or self.grouping:
            held = selectors.filter_countries(
                Country.objects.all(),
                self.for_user,
                framework=self.framework,
                status=self.status.value if self.status else None,
                grouping=self.grouping,
            )
            q &= Q(pk__in=held.values("pk"))
        return q


class PartnershipFilters(ModelFilters):
    country: str | None = Field(None, description="ISO alpha-3 or alpha-2 code, e.g. KWT")
    framework: str | None = Field(None, description="Framework code, e.g. ici")
    status: PartnershipStatus | None = None

    def filter_country(self, value):
        return _country_code(value)

    def filter_framework(self, value):
        return Q(framework__code__iexact=(value or "").strip())


class OrganisationFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the name (English or Arabic), acronym, city")
    kind: OrganisationKind | None = None
    country: str | None = Field(None, description="ISO alpha-3 or alpha-2 code")
    grouping: str | None = Field(None, description="Grouping code, e.g. gcc")

    def filter_q(self, value):
        return search_q(value, ["search_text"])

    def filter_country(self, value):
        return _country_code(value)

    def filter_grouping(self, value):
        return Q(grouping__code__iexact=(value or "").strip())


class PersonFilters(ModelFilters):
    q: str | None = Field(None, description="Words in the name (English or Arabic)")
    country: str | None = Field(None, description="ISO alpha-3 or alpha-2 code")
    organisation: str | None = Field(None, description="Slug of an organisation they served in")

    def filter_q(self, value):
        return search_q(value, ["search_text"])

    def filter_country(self, value):
        return _country_code(value)

    def filter_organisation(self, value):
        # through the appointments the user may see (selectors.filter_people)
        held = selectors.filter_people(Person.objects.all(), self.for_user, organisation=value)
        return Q(pk__in=held.values("pk"))
