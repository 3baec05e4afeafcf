import io

import pytest
from django.core import serializers
from django.core.management import call_command

from icihub.core.models import AuditEntry, Citation, Source
from icihub.partners.models import Country, Organisation, Partnership

pytestmark = pytest.mark.django_db


def _dump():
    from django.apps import apps

    rows = []
    for app in ("core", "partners", "menu"):
        for model in apps.get_app_config(app).get_models():
            if model is AuditEntry:
                continue
            rows.append(serializers.serialize("json", model._base_manager.order_by("pk")))
    return rows


def test_load_reference_twice_leaves_the_database_unchanged():
    before = _dump()
    audit_before = AuditEntry.objects.count()
    call_command("load_reference", stdout=io.StringIO())
    assert _dump() == before
    assert AuditEntry.objects.count() == audit_before


def test_the_five_seed_articles_are_stored_as_sources():
    seeds = Source.objects.filter(key__startswith="seed-").order_by("key")
    assert [s.key for s in seeds] == [f"seed-00{i}" for i in range(5)]
    assert all(len(s.text) > 1500 for s in seeds)
    assert "Kuwait joined the ICI in December 2004" in seeds[0].text


def test_countries_have_iso_codes_and_arabic_names():
    kwt = Country.objects.get(iso3="KWT")
    assert (kwt.iso2, kwt.name, kwt.name_ar) == ("KW", "Kuwait", "الكويت")
    assert Country.objects.count() >= 249


def test_kuwait_accession_is_month_precise_with_conflicting_sources():
    p = Partnership.objects.prefetch_related("citations__source").get(
        country__iso3="KWT", framework__code="ici"
    )
    assert p.accession.iso() == "2004-12"
    assert p.accession.display() == "December 2004"
    fact = p.facts()["accession"]
    assert fact.conflict
    values = {v.value: [c.source.key for c in v.citations] for v in fact.values}
    assert values["2004-12"] == ["seed-000", "seed-001"]
    assert values["2005-01/2005-03"] == ["nato-ici-page"]
    nato = next(c for c in fact.citations if c.source.key == "nato-ici-page")
    assert nato.quote == "in the first three months of 2005"


def test_centre_inauguration_keeps_both_dates():
    centre = Organisation.objects.prefetch_related("citations__source").get(slug="nato-ici-rc")
    fact = centre.facts()["established"]
    assert fact.conflict
    assert {v.value for v in fact.values} >= {"2017-01-24", "2017-01-23"}


def test_a_more_precise_date_inside_a_vaguer_one_is_not_a_conflict():
    uae = Partnership.objects.prefetch_related("citations__source").get(
        country__iso3="ARE", framework__code="ici"
    )
    fact = uae.facts()["accession"]
    assert {v.value for v in fact.values} == {"2005-06", "2005-06-22"}
    assert not fact.conflict


def test_saudi_arabia_and_oman_take_part_without_membership():
    statuses = dict(
        Partnership.objects.filter(framework__code="ici").values_list("country__iso3", "status")
    )
    assert statuses == {
        "KWT": "member",
        "BHR": "member",
        "QAT": "member",
        "ARE": "member",
        "SAU": "participant",
        "OMN": "participant",
    }
    assert Citation.objects.filter(attribute="status").count() == 6
