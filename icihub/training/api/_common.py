"""What the training endpoints share: the router, the enumerations, references to related records."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema

from icihub.partners.models import Country

# The enumerations of this router, each under its own name in the document,
# are declared beside the filters, which use them too.
from ..filters import (  # noqa: F401 (re-exported to the router's modules)
    AssignmentPart,
    CourseClassification,
    CourseDelivery,
    CourseLevel,
    CourseStatus,
    NominationOutcome,
    NominationStatus,
    ParticipantRankCode,
    ParticipantService,
    SessionState,
)

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
