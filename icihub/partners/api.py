"""REST API of the partner registry: frameworks, countries, partnerships,
organisations and people (with their appointments), and the sources cited for
their facts.

Thin: parse, resolve codes to the rows the caller may see, call a service or a
selector, shape the answer. Reads are open to everyone for public rows; writes
need a bearer token and the role the models' policies name (administrators and
NATO partnership staff). Partial dates go in as text ("2004-12") and come out as
``{value, precision, display, earliest, latest}``."""

import enum

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Query, Router, Schema, Status
from ninja.pagination import paginate

from icihub.core.access import get_visible
from icihub.core.apikit import (
    ERRORS,
    READ_ERRORS,
    CitationKind,
    Id,
    Pagination,
    PartialDateOut,
    RecordCitationOut,
    RecordFactOut,
    actor,
    citation_out,
    citations_out,
    facts_out,
    partial_date_out,
    require_signed_in,
)

from . import selectors, services
from .filters import (
    CountryFilters,
    FrameworkFilters,
    OrganisationFilters,
    OrganisationKind,
    PartnershipFilters,
    PartnershipStatus,
    PersonFilters,
)
from .models import Appointment, Country, Framework, Grouping, Organisation, Partnership, Person

# The enumerations of this router, each under its own name in the document;
# those the filters use are declared beside them (``filters.py``).

router = Router(tags=["partners"])

DATE_HELP = "A partial date: 2004, 2004-12, 2004-12-11, or a range such as 2005-01/2005-03"


# -- shared output ------------------------------------------------------------------------


class SourcedOut(Schema):
    citations: list[RecordCitationOut] = Field(description="Sources of this record's facts")
    facts: list[RecordFactOut]

    @staticmethod
    def resolve_citations(obj) -> list[dict]:
        return citations_out(obj)

    @staticmethod
    def resolve_facts(obj) -> list[dict]:
        return facts_out(obj)


class CountryRef(Schema):
    iso3: str
    iso2: str
    name: str
    name_ar: str


class FrameworkRef(Schema):
    code: str
    acronym: str
    name: str


class OrganisationRef(Schema):
    slug: str
    name: str
    acronym: str


class GroupingRef(Schema):
    code: str
    acronym: str
    name: str


def _date(value):
    return partial_date_out(value)


# -- frameworks --------------------------------------------------------------------------


class FrameworkPartnerOut(Schema):
    id: int
    country: CountryRef
    status: str
    accession: PartialDateOut | None = None
    exit: PartialDateOut | None = None

    @staticmethod
    def resolve_accession(obj):
        return _date(obj.accession)

    @staticmethod
    def resolve_exit(obj):
        return _date(obj.exit)


class FrameworkOut(SourcedOut):
    code: str
    acronym: str
    name: str
    name_ar: str
    launched: PartialDateOut | None = None
    launch_place: str
    description: str
    is_public: bool
    partnerships: list[FrameworkPartnerOut]

    @staticmethod
    def resolve_launched(obj):
        return _date(obj.launched)


class FrameworkIn(Schema):
    code: str = Field(description="Short code, e.g. ici")
    acronym: str
    name: str
    name_ar: str = ""
    launched: str | None = Field(None, description=DATE_HELP)
    launch_place: str = ""
    description: str = ""
    is_public: bool = True


def _data(payload: Schema, *, partial: bool, nullable=()) -> dict:
    """The payload as service data: on PATCH only what was given; null clears a
    nullable field (dates, links) and means "not given" for the others."""
    data = payload if partial else payload.dict()  # a PatchDict: the fields sent
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k in nullable}
    for key, value in list(data.items()):
        if value == "" and key in nullable:
            data[key] = None
        elif isinstance(value, enum.Enum):
            data[key] = value.value
    return data


def _fetch(qs, obj):
    return qs.get(pk=obj.pk)


@router.get("/frameworks", response={200: list[FrameworkOut], **READ_ERRORS}, summary="Frameworks")
@paginate(Pagination)
def framework_list(request, filters: Query[FrameworkFilters]):
    return filters.filter(selectors.frameworks(actor(request)))


@router.get(
    "/frameworks/{code}", response={200: FrameworkOut, **READ_ERRORS}, summary="A framework"
)
def framework_detail(request, code: str):
    user = actor(request)
    return get_visible(selectors.frameworks(user), user, code=code.lower())


@router.post("/frameworks", response={201: FrameworkOut, **ERRORS}, summary="Add a framework")
def framework_create(request, payload: FrameworkIn):
    user = require_signed_in(request)
    framework = services.create_framework(user, _data(payload, partial=False))
    return Status(201, _fetch(selectors.frameworks(user), framework))


def _framework_write(request, code, payload, partial):
    user = require_signed_in(request)
    framework = get_visible(Framework, user, code=code.lower())
    data = _data(payload, partial=partial, nullable={"launched"})
    framework = services.update_framework(user, framework, data)
    return _fetch(selectors.frameworks(user), framework)


@router.put(
    "/frameworks/{code}", response={200: FrameworkOut, **ERRORS}, summary="Replace a framework"
)
def framework_replace(request, code: str, payload: FrameworkIn):
    return _framework_write(request, code, payload, partial=False)


@router.patch(
    "/frameworks/{code}", response={200: FrameworkOut, **ERRORS}, summary="Change a framework"
)
def framework_update(request, code: str, payload: PatchDict[FrameworkIn]):
    return _framework_write(request, code, payload, partial=True)


@router.delete("/frameworks/{code}", response={204: None, **ERRORS}, summary="Delete a framework")
def framework_delete(request, code: str):
    user = require_signed_in(request)
    services.delete_framework(user, get_visible(Framework, user, code=code.lower()))
    return Status(204, None)


# -- countries ------------------------------------------------------------------------------


class CountryPartnershipOut(SourcedOut):
    id: int
    framework: FrameworkRef
    status: str
    status_label: str
    accession: PartialDateOut | None = None
    exit: PartialDateOut | None = None
    notes: str
    is_public: bool

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_accession(obj):
        return _date(obj.accession)

    @staticmethod
    def resolve_exit(obj):
        return _date(obj.exit)


class CountryOut(Schema):
    iso3: str
    iso2: str
    numeric: str
    name: str
    name_ar: str
    official_name: str
    is_public: bool
    groupings: list[GroupingRef]
    partnerships: list[CountryPartnershipOut] = Field(
        description="The country's standing in each framework, with sources"
    )


class CountryIn(Schema):
    iso3: str = Field(description="ISO 3166-1 alpha-3")
    iso2: str | None = Field(None, description="ISO 3166-1 alpha-2 (from the standard if known)")
    numeric: str | None = None
    name: str | None = Field(None, description="From the standard if the code is known")
    name_ar: str = ""
    official_name: str | None = None
    is_public: bool = True


def _country_data(payload, *, partial):
    data = _data(payload, partial=partial)
    if not partial:
        # Left out, the standard's value is used (create) or kept (replace).
        data = {k: v for k, v in data.items() if v is not None}
    return data


def _visible_country(user, code: str) -> Country:
    return get_visible(Country.objects.filter(selectors.country_q(code)), user)


@router.get("/countries", response={200: list[CountryOut], **READ_ERRORS}, summary="Countries")
@paginate(Pagination)
def country_list(request, filters: Query[CountryFilters]):
    user = actor(request)
    return filters.filter(selectors.countries(user, detail=True), user=user)


@router.get(
    "/countries/{code}",
    response={200: CountryOut, **READ_ERRORS},
    summary="A country by ISO alpha-3 or alpha-2 code (any case), with its partnerships",
)
def country_detail(request, code: str):
    user = actor(request)
    qs = selectors.countries(user, detail=True).filter(selectors.country_q(code))
    return get_visible(qs, user)


@router.post("/countries", response={201: CountryOut, **ERRORS}, summary="Add a country")
def country_create(request, payload: CountryIn):
    user = require_signed_in(request)
    country = services.create_country(user, _country_data(payload, partial=False))
    return Status(201, _fetch(selectors.countries(user, detail=True), country))


def _country_write(request, code, payload, partial):
    user = require_signed_in(request)
    country = _visible_country(user, code)
    country = services.update_country(user, country, _country_data(payload, partial=partial))
    return _fetch(selectors.countries(user, detail=True), country)


@router.put("/countries/{code}", response={200: CountryOut, **ERRORS}, summary="Replace a country")
def country_replace(request, code: str, payload: CountryIn):
    return _country_write(request, code, payload, partial=False)


@router.patch("/countries/{code}", response={200: CountryOut, **ERRORS}, summary="Change a country")
def country_update(request, code: str, payload: PatchDict[CountryIn]):
    return _country_write(request, code, payload, partial=True)


@router.delete("/countries/{code}", response={204: None, **ERRORS}, summary="Delete a country")
def country_delete(request, code: str):
    user = require_signed_in(request)
    services.delete_country(user, _visible_country(user, code))
    return Status(204, None)


# -- partnerships ----------------------------------------------------------------------------


class PartnershipOut(SourcedOut):
    id: int
    country: CountryRef
    framework: FrameworkRef
    status: str
    status_label: str
    accession: PartialDateOut | None = None
    exit: PartialDateOut | None = None
    notes: str
    is_public: bool

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_accession(obj):
        return _date(obj.accession)

    @staticmethod
    def resolve_exit(obj):
        return _date(obj.exit)


class PartnershipIn(Schema):
    country: str = Field(description="ISO alpha-3 or alpha-2 code")
    framework: str = Field(description="Framework code")
    status: PartnershipStatus
    accession: str | None = Field(None, description=DATE_HELP)
    exit: str | None = Field(None, description=DATE_HELP)
    notes: str = ""
    is_public: bool = True


def _ref(user, model, field: str, lookup, value, message):
    """The visible row of ``model`` named by ``value``; a field error otherwise."""
    if value is None or value == "":
        return None
    row = model.objects.visible_to(user).filter(lookup).first()
    if row is None:
        raise ValidationError({field: message % {"value": value}})
    return row


def _country_ref(user, value, field="country"):
    return _ref(
        user,
        Country,
        field,
        selectors.country_q(str(value)),
        value,
        _("Unknown country “%(value)s”."),
    )


def _framework_ref(user, value):
    return _ref(
        user,
        Framework,
        "framework",
        Q(code=str(value).strip().lower()),
        value,
        _("Unknown framework “%(value)s”."),
    )


def _partnership_data(user, payload, *, partial):
    data = _data(payload, partial=partial, nullable={"accession", "exit"})
    if "country" in data:
        data["country"] = _country_ref(user, data["country"])
    if "framework" in data:
        data["framework"] = _framework_ref(user, data["framework"])
    return data


@router.get(
    "/partnerships",
    response={200: list[PartnershipOut], **READ_ERRORS},
    summary="Partnerships of countries in frameworks",
)
@paginate(Pagination)
def partnership_list(request, filters: Query[PartnershipFilters]):
    qs = selectors.partnerships(actor(request)).order_by(
        "framework__launched", "framework__name", "accession", "country__name"
    )
    return filters.filter(qs)


@router.get(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **READ_ERRORS},
    summary="A partnership",
)
def partnership_detail(request, partnership_id: Id):
    user = actor(request)
    return get_visible(selectors.partnerships(user), user, pk=partnership_id)


@router.post("/partnerships", response={201: PartnershipOut, **ERRORS}, summary="Add a partnership")
def partnership_create(request, payload: PartnershipIn):
    user = require_signed_in(request)
    partnership = services.create_partnership(user, _partnership_data(user, payload, partial=False))
    return Status(201, _fetch(selectors.partnerships(user), partnership))


def _partnership_write(request, partnership_id, payload, partial):
    user = require_signed_in(request)
    partnership = get_visible(Partnership, user, pk=partnership_id)
    data = _partnership_data(user, payload, partial=partial)
    partnership = services.update_partnership(user, partnership, data)
    return _fetch(selectors.partnerships(user), partnership)


@router.put(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **ERRORS},
    summary="Replace a partnership",
)
def partnership_replace(request, partnership_id: Id, payload: PartnershipIn):
    return _partnership_write(request, partnership_id, payload, partial=False)


@router.patch(
    "/partnerships/{partnership_id}",
    response={200: PartnershipOut, **ERRORS},
    summary="Change a partnership (e.g. its status, or the date it ended)",
)
def partnership_update(request, partnership_id: Id, payload: PatchDict[PartnershipIn]):
    return _partnership_write(request, partnership_id, payload, partial=True)


@router.delete(
    "/partnerships/{partnership_id}",
    response={204: None, **ERRORS},
    summary="Delete a partnership",
)
def partnership_delete(request, partnership_id: Id):
    user = require_signed_in(request)
    services.delete_partnership(user, get_visible(Partnership, user, pk=partnership_id))
    return Status(204, None)


# -- organisations ----------------------------------------------------------------------------


class OrganisationOut(SourcedOut):
    slug: str
    name: str
    name_ar: str
    acronym: str
    kind: str
    kind_label: str
    country: CountryRef | None = None
    grouping: GroupingRef | None = None
    parent: OrganisationRef | None = Field(None, description="The body it is part of")
    accredited_to: OrganisationRef | None = Field(
        None, description="For a diplomatic mission: where it is accredited"
    )
    city: str
    established: PartialDateOut | None = None
    closed: PartialDateOut | None = None
    description: str
    is_public: bool

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_established(obj):
        return _date(obj.established)

    @staticmethod
    def resolve_closed(obj):
        return _date(obj.closed)


class OrganisationIn(Schema):
    slug: str | None = Field(None, description="Made from the acronym or name when left out")
    name: str
    name_ar: str = ""
    acronym: str = ""
    kind: OrganisationKind
    country: str | None = Field(None, description="ISO code")
    grouping: str | None = Field(None, description="Grouping code")
    parent: str | None = Field(None, description="Slug of the body it is part of")
    accredited_to: str | None = Field(None, description="Slug (missions only)")
    city: str = ""
    established: str | None = Field(None, description=DATE_HELP)
    closed: str | None = Field(None, description=DATE_HELP)
    description: str = ""
    is_public: bool = True


ORGANISATION_LINKS = {"country", "grouping", "parent", "accredited_to"}


def _organisation_ref(user, value, field):
    return _ref(
        user,
        Organisation,
        field,
        Q(slug=str(value).strip()),
        value,
        _("Unknown organisation “%(value)s”."),
    )


def _organisation_data(user, payload, *, partial):
    data = _data(payload, partial=partial, nullable={"established", "closed", *ORGANISATION_LINKS})
    if not partial and not data.get("slug"):
        data.pop("slug", None)
    if "country" in data:
        data["country"] = _country_ref(user, data["country"])
    if "grouping" in data and data["grouping"] is not None:
        data["grouping"] = _ref(
            user,
            Grouping,
            "grouping",
            Q(code=str(data["grouping"]).strip().lower()),
            data["grouping"],
            _("Unknown grouping “%(value)s”."),
        )
    for field in ("parent", "accredited_to"):
        if field in data:
            data[field] = _organisation_ref(user, data[field], field)
    return data


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **READ_ERRORS},
    summary="Organisations",
)
@paginate(Pagination)
def organisation_list(request, filters: Query[OrganisationFilters]):
    return filters.filter(selectors.organisations(actor(request)))


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **READ_ERRORS},
    summary="An organisation",
)
def organisation_detail(request, slug: str):
    user = actor(request)
    return get_visible(selectors.organisations(user), user, slug=slug)


@router.post(
    "/organisations", response={201: OrganisationOut, **ERRORS}, summary="Add an organisation"
)
def organisation_create(request, payload: OrganisationIn):
    user = require_signed_in(request)
    data = _organisation_data(user, payload, partial=False)
    organisation = services.create_organisation(user, data)
    return Status(201, _fetch(selectors.organisations(user), organisation))


def _organisation_write(request, slug, payload, partial):
    user = require_signed_in(request)
    organisation = get_visible(Organisation, user, slug=slug)
    data = _organisation_data(user, payload, partial=partial)
    if not partial:
        data.setdefault("slug", organisation.slug)
    organisation = services.update_organisation(user, organisation, data)
    return _fetch(selectors.organisations(user), organisation)


@router.put(
    "/organisations/{slug}",
    response={200: OrganisationOut, **ERRORS},
    summary="Replace an organisation",
)
def organisation_replace(request, slug: str, payload: OrganisationIn):
    return _organisation_write(request, slug, payload, partial=False)


@router.patch(
    "/organisations/{slug}",
    response={200: OrganisationOut, **ERRORS},
    summary="Change an organisation",
)
def organisation_update(request, slug: str, payload: PatchDict[OrganisationIn]):
    return _organisation_write(request, slug, payload, partial=True)


@router.delete(
    "/organisations/{slug}", response={204: None, **ERRORS}, summary="Delete an organisation"
)
def organisation_delete(request, slug: str):
    user = require_signed_in(request)
    services.delete_organisation(user, get_visible(Organisation, user, slug=slug))
    return Status(204, None)


# -- people and their appointments --------------------------------------------------------------


class AppointmentOut(SourcedOut):
    id: int
    person: str = Field(description="Slug of the person")
    organisation: OrganisationRef | None = None
    title: str
    is_head: bool
    start: PartialDateOut | None = None
    end: PartialDateOut | None = None
    is_public: bool

    @staticmethod
    def resolve_person(obj):
        return obj.person.slug

    @staticmethod
    def resolve_start(obj):
        return _date(obj.start)

    @staticmethod
    def resolve_end(obj):
        return _date(obj.end)


class PersonOut(SourcedOut):
    slug: str
    name: str
    name_ar: str
    honorific: str
    country: CountryRef | None = None
    biography: str
    is_public: bool
    appointments: list[AppointmentOut] = Field(description="Positions held, over time")


class PersonIn(Schema):
    slug: str | None = Field(None, description="Made from the name when left out")
    name: str
    name_ar: str = ""
    honorific: str = ""
    country: str | None = Field(None, description="ISO code")
    biography: str = ""
    is_public: bool = True


class AppointmentIn(Schema):
    organisation: str = Field(description="Slug of the organisation")
    title: str
    is_head: bool = False
    start: str | None = Field(None, description=DATE_HELP)
    end: str | None = Field(None, description=DATE_HELP)
    is_public: bool = True


def _person_data(user, payload, *, partial):
    data = _data(payload, partial=partial, nullable={"country"})
    if not partial and not data.get("slug"):
        data.pop("slug", None)
    if "country" in data:
        data["country"] = _country_ref(user, data["country"])
    return data


def _appointment_data(user, payload, *, partial):
    data = _data(payload, partial=partial, nullable={"start", "end"})
    if "organisation" in data:
        data["organisation"] = _organisation_ref(user, data["organisation"], "organisation")
    return data


@router.get("/people", response={200: list[PersonOut], **READ_ERRORS}, summary="People")
@paginate(Pagination)
def person_list(request, filters: Query[PersonFilters]):
    user = actor(request)
    return filters.filter(selectors.people(user), user=user)


@router.get(
    "/people/{slug}",
    response={200: PersonOut, **READ_ERRORS},
    summary="A person with their appointments",
)
def person_detail(request, slug: str):
    user = actor(request)
    return get_visible(selectors.people(user), user, slug=slug)


@router.post("/people", response={201: PersonOut, **ERRORS}, summary="Add a person")
def person_create(request, payload: PersonIn):
    user = require_signed_in(request)
    person = services.create_person(user, _person_data(user, payload, partial=False))
    return Status(201, _fetch(selectors.people(user), person))


def _person_write(request, slug, payload, partial):
    user = require_signed_in(request)
    person = get_visible(Person, user, slug=slug)
    data = _person_data(user, payload, partial=partial)
    if not partial:
        data.setdefault("slug", person.slug)
    person = services.update_person(user, person, data)
    return _fetch(selectors.people(user), person)


@router.put("/people/{slug}", response={200: PersonOut, **ERRORS}, summary="Replace a person")
def person_replace(request, slug: str, payload: PersonIn):
    return _person_write(request, slug, payload, partial=False)


@router.patch("/people/{slug}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def person_update(request, slug: str, payload: PatchDict[PersonIn]):
    return _person_write(request, slug, payload, partial=True)


@router.delete(
    "/people/{slug}",
    response={204: None, **ERRORS},
    summary="Delete a person (and their appointments)",
)
def person_delete(request, slug: str):
    user = require_signed_in(request)
    services.delete_person(user, get_visible(Person, user, slug=slug))
    return Status(204, None)


def _appointments_of(user, slug: str):
    person = get_visible(Person, user, slug=slug)
    return person, selectors.appointments(user).filter(person=person)


@router.get(
    "/people/{slug}/appointments",
    response={200: list[AppointmentOut], **READ_ERRORS},
    summary="A person's appointments",
)
@paginate(Pagination)
def appointment_list(request, slug: str):
    _person, qs = _appointments_of(actor(request), slug)
    return qs.order_by(F("start").asc(nulls_last=True), "id")


@router.get(
    "/people/{slug}/appointments/{appointment_id}",
    response={200: AppointmentOut, **READ_ERRORS},
    summary="An appointment",
)
def appointment_detail(request, slug: str, appointment_id: Id):
    user = actor(request)
    _person, qs = _appointments_of(user, slug)
    return get_visible(qs, user, pk=appointment_id)


@router.post(
    "/people/{slug}/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Add an appointment",
)
def appointment_create(request, slug: str, payload: AppointmentIn):
    user = require_signed_in(request)
    person = get_visible(Person, user, slug=slug)
    data = {**_appointment_data(user, payload, partial=False), "person": person}
    appointment = services.create_appointment(user, data)
    return Status(201, _fetch(selectors.appointments(user), appointment))


def _appointment_write(request, slug, appointment_id, payload, partial):
    user = require_signed_in(request)
    person = get_visible(Person, user, slug=slug)
    appointment = get_visible(Appointment.objects.filter(person=person), user, pk=appointment_id)
    data = _appointment_data(user, payload, partial=partial)
    appointment = services.update_appointment(user, appointment, data)
    return _fetch(selectors.appointments(user), appointment)


@router.put(
    "/people/{slug}/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="Replace an appointment",
)
def appointment_replace(request, slug: str, appointment_id: Id, payload: AppointmentIn):
    return _appointment_write(request, slug, appointment_id, payload, partial=False)


@router.patch(
    "/people/{slug}/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="Change an appointment",
)
def appointment_update(request, slug: str, appointment_id: Id, payload: PatchDict[AppointmentIn]):
    return _appointment_write(request, slug, appointment_id, payload, partial=True)


@router.delete(
    "/people/{slug}/appointments/{appointment_id}",
    response={204: None, **ERRORS},
    summary="Delete an appointment",
)
def appointment_delete(request, slug: str, appointment_id: Id):
    user = require_signed_in(request)
    person = get_visible(Person, user, slug=slug)
    appointment = get_visible(Appointment.objects.filter(person=person), user, pk=appointment_id)
    services.delete_appointment(user, appointment)
    return Status(204, None)


# -- citations: the sources of a record's facts ----------------------------------------------------


class CitationIn(Schema):
    attribute: str = Field(description="The fact, e.g. accession, established, term")
    value: str = Field(description="The value the source states; a date as " + DATE_HELP)
    source: str = Field(description="Key of the source, e.g. seed-000")
    quote: str = Field("", description="The passage the value rests on")
    locator: str = ""
    note: str = ""
    kind: CitationKind | None = Field(
        None, description="date, number or text (a date for the record's date fields)"
    )


# (URL pattern, model, lookup from the path) of records that carry sources.
CITED = [
    ("/frameworks/{key}", Framework, lambda key: {"code": key.lower()}),
    ("/partnerships/{key}", Partnership, lambda key: {"pk": key}),
    ("/organisations/{key}", Organisation, lambda key: {"slug": key}),
    ("/people/{key}", Person, lambda key: {"slug": key}),
]


def _cited_routes(prefix: str, model, lookup) -> None:
    label = model._meta.verbose_name

    @router.post(
        f"{prefix}/citations",
        response={201: RecordCitationOut, **ERRORS},
        summary=f"Add a source to a {label}'s facts",
        operation_id=f"partners_{model._meta.model_name}_citation_add",
    )
    def add(request, key: str, payload: CitationIn):
        user = require_signed_in(request)
        subject = get_visible(model, user, **lookup(key))
        data = _data(payload, partial=False)
        if data.get("kind") is None:
            data.pop("kind", None)
        citation = services.add_citation(user, subject, data)
        return Status(201, citation_out(citation))

    @router.delete(
        f"{prefix}/citations/{{citation_id}}",
        response={204: None, **ERRORS},
        summary=f"Remove a source from a {label}'s facts",
        operation_id=f"partners_{model._meta.model_name}_citation_remove",
    )
    def remove(request, key: str, citation_id: Id):
        user = require_signed_in(request)
        subject = get_visible(model, user, **lookup(key))
        citation = get_visible(subject.citations.all(), user, pk=citation_id)
        services.remove_citation(user, citation)
        return Status(204, None)


for _prefix, _model, _lookup in CITED:
    _cited_routes(_prefix, _model, _lookup)
