"""Rows for the registry's tests, written directly (the services are tested on
their own): each new record comes with the related rows its lists show."""

import itertools
import string

from django.contrib.contenttypes.models import ContentType

from icihub.core.audit import suspended
from icihub.core.models import Citation, Source
from icihub.partners.models import (
    Appointment,
    Country,
    Framework,
    Grouping,
    Organisation,
    Partnership,
    Person,
)


def _free(field: str, length: int) -> str:
    """An unused code from the ISO ranges left for user assignment (X..)."""
    for letters in itertools.product(string.ascii_uppercase, repeat=length - 1):
        code = "X" + "".join(letters)
        if not Country.objects.filter(**{field: code}).exists():
            return code
    raise RuntimeError("no free code")


def cite(obj, attribute, value, source_key="seed-000", quote="a passage"):
    return Citation.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        attribute=attribute,
        kind=Citation.Kind.DATE,
        value=value,
        source=Source.objects.get(key=source_key),
        quote=quote,
    )


def new_country(name_prefix="Aaa", framework="ici", status="member", accession="2006-05"):
    """A country listed first by name, an ICI member with two conflicting citations,
    in the GCC grouping."""
    with suspended():
        iso3 = _free("iso3", 3)
        country = Country.objects.create(
            iso3=iso3, iso2=_free("iso2", 2), name=f"{name_prefix} {iso3}"
        )
        partnership = Partnership.objects.create(
            country=country,
            framework=Framework.objects.get(code=framework),
            status=status,
            accession=accession,
        )
        cite(partnership, "accession", accession, "seed-000")
        cite(partnership, "accession", "2007", "seed-001")
        Grouping.objects.get(code="gcc").members.add(country)
        return country


def new_framework(n: int):
    with suspended():
        framework = Framework.objects.create(
            code=f"fw-{n}", acronym=f"FW{n}", name=f"Framework {n}", launched="1990"
        )
        cite(framework, "launched", "1990", "seed-000")
        country = Country.objects.exclude(partnerships__framework=framework).first()
        Partnership.objects.create(country=country, framework=framework, status="member")
        return framework


def new_organisation(n: int, **extra):
    with suspended():
        org = Organisation.objects.create(
            slug=f"aaa-org-{n}",
            name=f"Aaa organisation {n}",
            kind=extra.pop("kind", "ministry"),
            country=Country.objects.get(iso3="KWT"),
            parent=Organisation.objects.get(slug="nato-hq"),
            established="2001-02",
            **extra,
        )
        cite(org, "established", "2001-02", "seed-000")
        cite(org, "established", "2003", "seed-001")
        return org


def new_person(n: int, organisation_slug="nato-hq"):
    with suspended():
        person = Person.objects.create(
            slug=f"aaa-person-{n}",
            name=f"Aaa Person {n}",
            name_ar="شخص",
            country=Country.objects.get(iso3="KWT"),
        )
        appointment = Appointment.objects.create(
            person=person,
            organisation=Organisation.objects.get(slug=organisation_slug),
            title="Adviser",
            start="2010",
            end="2012",
        )
        cite(person, "born", "1960", "seed-000")
        cite(appointment, "term", "2010/2012", "seed-000")
        return person


def new_appointment(person, n: int):
    with suspended():
        org = new_organisation(1000 + n)
        appointment = Appointment.objects.create(
            person=person, organisation=org, title=f"Post {n}", start="2015"
        )
        cite(appointment, "term", "2015", "seed-001")
        return appointment
