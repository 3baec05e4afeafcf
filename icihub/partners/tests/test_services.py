"""The registry's writes: access first, the registry's rules as field errors,
conflicts as Conflict, everything audited, nothing written on failure."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from icihub.core.audit import Action
from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry, Citation
from icihub.partners import services
from icihub.partners.models import (
    Appointment,
    Country,
    Framework,
    Organisation,
    Partnership,
)

pytestmark = pytest.mark.django_db


def entries_for(obj, action=None, pk=None):
    qs = AuditEntry.objects.filter(
        content_type__model=obj._meta.model_name, object_id=str(pk or obj.pk)
    ).order_by("id")
    if action:
        qs = qs.filter(action=action)
    return list(qs)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


@pytest.fixture
def ici():
    return Framework.objects.get(code="ici")


@pytest.fixture
def md():
    return Framework.objects.get(code="md")


# -- partnerships ----------------------------------------------------------------------


def test_staff_create_a_partnership_with_month_precise_dates(nato_staff, md):
    libya = Country.objects.get(iso3="LBY")
    p = services.create_partnership(
        nato_staff,
        {"country": libya, "framework": md, "status": "prospective", "accession": "2024-03"},
    )
    p.refresh_from_db()
    assert p.accession.iso() == "2024-03"
    assert p.accession.display() == "March 2024"
    [entry] = entries_for(p, Action.CREATE)
    assert entry.actor == nato_staff
    assert entry.changes["accession"] == {"before": None, "after": "2024-03"}


def test_left_before_joined_is_a_field_error_and_writes_nothing(nato_staff, md):
    libya = Country.objects.get(iso3="LBY")
    before = Partnership.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_partnership(
            nato_staff,
            {
                "country": libya,
                "framework": md,
                "status": "former",
                "accession": "2005-02",
                "exit": "2004-12",
            },
        )
    assert "exit" in field_errors(exc)
    assert "cannot be before" in field_errors(exc)["exit"][0]
    assert Partnership.objects.count() == before


def test_a_date_of_leaving_needs_the_status_former(nato_staff, ici):
    kwt = Partnership.objects.get(country__iso3="KWT", framework=ici)
    with pytest.raises(ValidationError) as exc:
        services.update_partnership(nato_staff, kwt, {"exit": "2030"})
    assert "status" in field_errors(exc)
    kwt.refresh_from_db()
    assert kwt.exit is None


def test_a_bad_partial_date_is_a_field_error(nato_staff, ici):
    kwt = Partnership.objects.get(country__iso3="KWT", framework=ici)
    with pytest.raises(ValidationError) as exc:
        services.update_partnership(nato_staff, kwt, {"accession": "2004-13"})
    assert list(field_errors(exc)) == ["accession"]
    kwt.refresh_from_db()
    assert kwt.accession.iso() == "2004-12"


def test_a_second_open_partnership_in_a_framework_is_a_conflict(nato_staff, ici):
    kuwait = Country.objects.get(iso3="KWT")
    with pytest.raises(Conflict) as exc:
        services.create_partnership(
            nato_staff, {"country": kuwait, "framework": ici, "status": "member"}
        )
    assert exc.value.errors[0]["field"] == "framework"
    assert "Kuwait already has an open partnership" in str(exc.value)
    assert Partnership.objects.filter(country=kuwait, framework=ici).count() == 1


def test_a_country_may_rejoin_after_leaving(nato_staff, md):
    jordan = Partnership.objects.get(country__iso3="JOR", framework=md)
    services.update_partnership(nato_staff, jordan, {"status": "former", "exit": "2020"})
    again = services.create_partnership(
        nato_staff,
        {"country": jordan.country, "framework": md, "status": "member", "accession": "2021"},
    )
    assert again.pk != jordan.pk


def test_a_change_of_status_is_recorded_as_a_transition(nato_staff, ici):
    oman = Partnership.objects.get(country__iso3="OMN", framework=ici)
    services.update_partnership(
        nato_staff, oman, {"status": "prospective"}, reason="declared interest"
    )
    [transition] = entries_for(oman, Action.TRANSITION)
    assert transition.changes == {"status": {"before": "participant", "after": "prospective"}}
    assert transition.reason == "declared interest"
    [update] = entries_for(oman, Action.UPDATE)
    assert update.changes["status"] == {"before": "participant", "after": "prospective"}


@pytest.mark.parametrize("who", ["kwt_coordinator", "centre_staff", "participant_user"])
def test_only_administrators_and_nato_staff_write(request, who, ici):
    user = request.getfixturevalue(who)
    kwt = Partnership.objects.get(country__iso3="KWT", framework=ici)
    with pytest.raises(PermissionDenied):
        services.update_partnership(user, kwt, {"notes": "changed"})
    with pytest.raises(PermissionDenied):
        services.create_framework(user, {"code": "x", "acronym": "X", "name": "X"})
    kwt.refresh_from_db()
    assert kwt.notes == ""


def test_access_is_checked_before_the_input(kwt_coordinator, ici):
    """A writer who may not write hears 403, not what is wrong with the input."""
    kwt = Partnership.objects.get(country__iso3="KWT", framework=ici)
    with pytest.raises(PermissionDenied):
        services.update_partnership(kwt_coordinator, kwt, {"accession": "not a date"})


def test_an_invisible_row_is_not_found_for_a_writer_without_sight(kwt_coordinator, ici):
    Partnership.objects.filter(country__iso3="OMN", framework=ici).update(is_public=False)
    oman = Partnership.objects.get(country__iso3="OMN", framework=ici)
    with pytest.raises(Http404):
        services.update_partnership(kwt_coordinator, oman, {"notes": "x"})


def test_administrator_deletes_a_partnership_with_its_citations(administrator, ici):
    qatar = Partnership.objects.get(country__iso3="QAT", framework=ici)
    pk = qatar.pk
    citations = list(qatar.citations.values_list("pk", flat=True))
    assert len(citations) == 3
    services.delete_partnership(administrator, qatar)
    assert not Partnership.objects.filter(pk=pk).exists()
    assert not Citation.objects.filter(pk__in=citations).exists()
    [deleted] = entries_for(qatar, Action.DELETE, pk=pk)
    assert deleted.actor == administrator
    assert (
        AuditEntry.objects.filter(
            action=Action.DELETE, content_type__model="citation", object_id__in=map(str, citations)
        ).count()
        == 3
    )


def test_a_framework_with_partnerships_cannot_be_deleted(administrator, ici):
    with pytest.raises(Conflict):
        services.delete_framework(administrator, ici)
    assert Framework.objects.filter(pk=ici.pk).exists()


# -- frameworks and countries -----------------------------------------------------------------


def test_framework_code_is_unique(nato_staff):
    with pytest.raises(Conflict) as exc:
        services.create_framework(nato_staff, {"code": "ICI", "acronym": "ICI", "name": "Again"})
    assert exc.value.errors[0]["field"] == "code"


def test_a_country_already_in_the_registry_is_a_conflict(administrator):
    with pytest.raises(Conflict):
        services.create_country(administrator, {"iso3": "kwt"})


def test_a_new_country_takes_its_names_from_the_standard(administrator):
    Country.objects.filter(iso3="ATA").delete()
    country = services.create_country(administrator, {"iso3": "ata", "name_ar": "أنتاركتيكا"})
    assert (country.iso3, country.iso2, country.name) == ("ATA", "AQ", "Antarctica")
    assert "انتاركتيكا" in country.search_text


def test_iso_codes_must_agree_with_the_standard(administrator):
    kwt = Country.objects.get(iso3="KWT")
    with pytest.raises(ValidationError) as exc:
        services.update_country(administrator, kwt, {"iso2": "KX"})
    assert "iso2" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.update_country(administrator, kwt, {"iso3": "K1"})
    assert "iso3" in field_errors(exc)


def test_unknown_fields_are_refused(nato_staff):
    kwt = Country.objects.get(iso3="KWT")
    with pytest.raises(ValidationError) as exc:
        services.update_country(nato_staff, kwt, {"search_text": "x", "created_at": None})
    assert set(field_errors(exc)) == {"search_text", "created_at"}


# -- organisations, people, appointments ---------------------------------------------------------


def test_organisation_slug_is_made_from_the_acronym(nato_staff):
    org = services.create_organisation(
        nato_staff, {"name": "Qatar Armed Forces", "acronym": "QAF", "kind": "armed_forces"}
    )
    assert org.slug == "qaf"
    again = services.create_organisation(
        nato_staff, {"name": "Qatar Air Force", "acronym": "QAF", "kind": "armed_forces"}
    )
    assert again.slug == "qaf-2"


def test_an_organisation_cannot_close_before_it_is_established(nato_staff):
    centre = Organisation.objects.get(slug="nato-ici-rc")
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(nato_staff, centre, {"closed": "2016"})
    assert "closed" in field_errors(exc)


def test_only_a_mission_is_accredited(nato_staff):
    nsb = Organisation.objects.get(slug="kwt-nsb")
    hq = Organisation.objects.get(slug="nato-hq")
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(nato_staff, nsb, {"accredited_to": hq})
    assert "accredited_to" in field_errors(exc)


def test_an_organisation_cannot_be_part_of_itself(nato_staff):
    hq = Organisation.objects.get(slug="nato-hq")
    pasp = Organisation.objects.get(slug="nato-pasp")
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(nato_staff, hq, {"parent": pasp})
    assert "parent" in field_errors(exc)


def test_an_organisation_with_appointments_cannot_be_deleted(nato_staff):
    with pytest.raises(Conflict):
        services.delete_organisation(nato_staff, Organisation.objects.get(slug="kwt-mfa"))


def test_slug_taken_is_a_conflict(nato_staff):
    with pytest.raises(Conflict) as exc:
        services.create_person(nato_staff, {"name": "Someone", "slug": "jens-stoltenberg"})
    assert exc.value.errors == [
        {"field": "slug", "message": "Person with this Slug already exists."}
    ]


def test_appointments_over_time(nato_staff):
    person = services.create_person(nato_staff, {"name": "Mark Rutte", "name_ar": "مارك روته"})
    assert person.slug == "mark-rutte"
    hq = Organisation.objects.get(slug="nato-hq")
    appointment = services.create_appointment(
        nato_staff,
        {
            "person": person,
            "organisation": hq,
            "title": "Secretary General",
            "is_head": True,
            "start": "2024-10-01",
        },
    )
    assert appointment.start.precision == "day"
    with pytest.raises(ValidationError) as exc:
        services.update_appointment(nato_staff, appointment, {"end": "2024-09"})
    assert "end" in field_errors(exc)


def test_deleting_a_person_deletes_and_audits_their_appointments(administrator):
    person = services.create_person(administrator, {"name": "Temporary Envoy"})
    appointment = services.create_appointment(
        administrator,
        {
            "person": person,
            "organisation": Organisation.objects.get(slug="kwt-mfa"),
            "title": "Envoy",
        },
    )
    person_pk, appointment_pk = person.pk, appointment.pk
    services.delete_person(administrator, person)
    assert not Appointment.objects.filter(pk=appointment_pk).exists()
    assert entries_for(appointment, Action.DELETE, pk=appointment_pk)
    assert entries_for(person, Action.DELETE, pk=person_pk)


# -- citations --------------------------------------------------------------------------------------


def test_add_and_remove_a_citation(nato_staff):
    centre = Organisation.objects.get(slug="nato-ici-rc")
    citation = services.add_citation(
        nato_staff,
        centre,
        {
            "attribute": "established",
            "value": "January 2017",
            "source": "seed-002",
            "quote": "opened its first office in the region",
        },
    )
    assert (citation.kind, citation.value) == ("date", "2017-01")
    assert citation.subject == centre
    [added] = [e for e in entries_for(centre, Action.UPDATE) if "citation" in e.changes]
    assert added.changes["citation"]["after"].startswith("established = January 2017")
    assert entries_for(citation, Action.CREATE)

    services.remove_citation(nato_staff, citation)
    assert not Citation.objects.filter(pk=citation.pk).exists()
    removed = [e for e in entries_for(centre, Action.UPDATE) if "citation" in e.changes][-1]
    assert removed.changes["citation"]["after"] is None


def test_a_citation_needs_a_known_source_and_a_valid_date(nato_staff):
    centre = Organisation.objects.get(slug="nato-ici-rc")
    with pytest.raises(ValidationError) as exc:
        services.add_citation(
            nato_staff, centre, {"attribute": "established", "value": "soon", "source": "nope"}
        )
    assert set(field_errors(exc)) == {"value", "source"}


def test_the_same_claim_twice_is_a_conflict(nato_staff):
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    with pytest.raises(Conflict):
        services.add_citation(
            nato_staff, kwt, {"attribute": "accession", "value": "2004-12", "source": "seed-000"}
        )


def test_coordinators_cannot_add_citations(kwt_coordinator):
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    with pytest.raises(PermissionDenied):
        services.add_citation(
            kwt_coordinator,
            kwt,
            {"attribute": "accession", "value": "2004-11", "source": "seed-003"},
        )
    assert kwt.citations.count() == 6
