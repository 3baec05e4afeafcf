"""The registry's REST API: Kuwait's sourced accession, filters, pagination,
writes for those allowed, one error body for bad input, never a 500."""

import pytest

from icihub.core.models import AuditEntry
from icihub.partners.models import Appointment, Organisation, Partnership, Person
from icihub.testing import ApiClient

pytestmark = pytest.mark.django_db


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# -- Kuwait ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["KWT", "kwt", "KW", "kw"])
def test_kuwait_is_an_ici_member_since_december_2004_with_sources_and_the_nato_statement(code):
    response = ApiClient().get(f"countries/{code}")
    assert response.status_code == 200
    body = response.json()
    assert (body["iso3"], body["iso2"], body["name"], body["name_ar"]) == (
        "KWT",
        "KW",
        "Kuwait",
        "الكويت",
    )
    [ici] = [p for p in body["partnerships"] if p["framework"]["code"] == "ici"]
    assert ici["status"] == "member"
    assert ici["accession"] == {
        "value": "2004-12",
        "precision": "month",
        "display": "December 2004",
        "earliest": "2004-12-01",
        "latest": "2004-12-31",
    }
    assert ici["exit"] is None

    seeds = {c["source"]["key"]: c for c in ici["citations"] if c["value"] == "2004-12"}
    assert set(seeds) == {"seed-000", "seed-001"}
    assert seeds["seed-000"]["quote"].startswith("Kuwait joined the ICI in December 2004")
    assert seeds["seed-000"]["source"]["title"]
    assert seeds["seed-000"]["source"]["publisher"]
    assert seeds["seed-001"]["source"]["published"]["value"] == "2014"

    [accession] = [f for f in ici["facts"] if f["attribute"] == "accession"]
    assert accession["conflict"] is True
    stated = {v["value"]: v for v in accession["values"]}
    nato = stated["2005-01/2005-03"]
    assert nato["sources"] == ["nato-ici-page"]
    assert nato["display"] == "January–March 2005"
    assert nato["citations"][0]["quote"] == "in the first three months of 2005"
    assert nato["citations"][0]["source"]["publisher"] == "NATO"
    assert set(stated["2004-12"]["sources"]) == {"seed-000", "seed-001"}
    assert {"2004-11", "2004-06"} <= set(stated)  # the Kuwaiti outlets
    assert body["groupings"] == [
        {"code": "gcc", "acronym": "GCC", "name": "Gulf Cooperation Council"}
    ]


def test_an_unknown_country_code_is_404():
    response = ApiClient().get("countries/XYZ")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": []}


# -- lists and filters ------------------------------------------------------------------------


def test_countries_filtered_by_framework_status_and_grouping():
    api = ApiClient()
    members = api.get("countries", {"framework": "ici", "status": "member"}).json()
    assert {c["iso3"] for c in members["items"]} == {"KWT", "BHR", "QAT", "ARE"}
    assert members["count"] == 4
    gcc = api.get("countries", {"grouping": "gcc"}).json()
    assert {c["iso3"] for c in gcc["items"]} == {"KWT", "BHR", "QAT", "ARE", "SAU", "OMN"}
    taking_part = api.get("countries", {"framework": "ici", "status": "participant"}).json()
    assert {c["iso3"] for c in taking_part["items"]} == {"SAU", "OMN"}
    md_member = api.get("countries", {"framework": "md", "status": "member"}).json()
    assert "KWT" not in {c["iso3"] for c in md_member["items"]}
    assert md_member["count"] == 7


@pytest.mark.parametrize("q", ["kuwait", "KWT", "الكويت", "الإمارات", "الامارات"])
def test_countries_search_names_codes_and_arabic(q):
    items = ApiClient().get("countries", {"q": q}).json()["items"]
    expected = "ARE" if "مارات" in q else "KWT"
    assert expected in {c["iso3"] for c in items}


def test_pagination_defaults_to_50_and_caps_at_1000():
    api = ApiClient()
    page = api.get("countries").json()
    assert len(page["items"]) == 50
    assert page["count"] >= 249
    second = api.get("countries", {"limit": 10, "offset": 10}).json()
    assert len(second["items"]) == 10
    assert second["items"][0]["iso3"] == page["items"][10]["iso3"]
    assert api.get("countries", {"limit": 5000}).status_code == 422


def test_partnerships_filtered_by_country_framework_and_status():
    api = ApiClient()
    body = api.get("partnerships", {"country": "KWT", "framework": "ici"}).json()
    assert body["count"] == 1
    assert body["items"][0]["country"]["iso3"] == "KWT"
    assert body["items"][0]["status_label"] == "Member"
    members = api.get("partnerships", {"framework": "ICI", "status": "member"}).json()
    assert members["count"] == 4
    assert api.get("partnerships", {"status": "emperor"}).status_code == 422


def test_organisations_filtered_by_kind_and_country():
    api = ApiClient()
    body = api.get("organisations", {"kind": "mission", "country": "kwt"}).json()
    assert [o["slug"] for o in body["items"]] == ["kwt-mission-nato"]
    mission = body["items"][0]
    assert mission["accredited_to"]["slug"] == "nato-hq"
    assert mission["country"]["iso3"] == "KWT"
    coes = api.get("organisations", {"kind": "coe"}).json()
    assert coes["count"] >= 6


def test_the_centre_keeps_both_inauguration_dates():
    body = ApiClient().get("organisations/nato-ici-rc").json()
    assert body["established"]["display"] == "24 January 2017"
    [fact] = [f for f in body["facts"] if f["attribute"] == "established"]
    assert fact["conflict"] is True
    assert {"2017-01-24", "2017-01-23"} <= {v["value"] for v in fact["values"]}


def test_people_filtered_by_country_and_organisation():
    api = ApiClient()
    at_hq = api.get("people", {"organisation": "nato-hq"}).json()
    assert {p["slug"] for p in at_hq["items"]} == {"anders-fogh-rasmussen", "jens-stoltenberg"}
    kuwaitis = api.get("people", {"country": "KWT"}).json()
    assert "jassim-al-budiawi" in {p["slug"] for p in kuwaitis["items"]}
    assert "jens-stoltenberg" not in {p["slug"] for p in kuwaitis["items"]}


def test_a_person_with_appointments_over_time():
    body = ApiClient().get("people/jens-stoltenberg").json()
    [sg] = body["appointments"]
    assert sg["title"] == "Secretary General"
    assert sg["organisation"]["slug"] == "nato-hq"
    assert (sg["start"]["display"], sg["end"]["display"]) == ("2014", "2024")
    appointments = ApiClient().get("people/jens-stoltenberg/appointments").json()
    assert appointments["count"] == 1


def test_frameworks_list_and_detail():
    api = ApiClient()
    body = api.get("frameworks").json()
    assert {"ici", "md", "pfp", "patg"} <= {f["code"] for f in body["items"]}
    ici = api.get("frameworks/ICI").json()
    assert ici["launched"]["value"] == "2004-06-28"
    assert ici["launch_place"] == "NATO Summit, Istanbul"
    assert {p["country"]["iso3"] for p in ici["partnerships"]} >= {"KWT", "SAU"}


# -- writes ----------------------------------------------------------------------------------------


def test_anonymous_writes_are_401():
    api = ApiClient()
    assert api.post("frameworks", {"code": "x", "acronym": "X", "name": "X"}).status_code == 401
    assert api.patch("countries/KWT", {"name_ar": "x"}).status_code == 401
    assert api.delete("partnerships/1").status_code == 401
    assert api.post("people", {"name": "X"}).json()["code"] == "unauthenticated"


def test_coordinator_writes_are_403(kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    response = api.patch(f"partnerships/{kwt.pk}", {"notes": "ours"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert api.post("people", {"name": "X"}).status_code == 403
    assert api.delete("organisations/kwt-nsb").status_code == 403
    kwt.refresh_from_db()
    assert kwt.notes == ""


def test_staff_create_change_and_delete_a_partnership_through_the_api(nato_staff):
    api = ApiClient(nato_staff)
    response = api.post(
        "partnerships",
        {"country": "lby", "framework": "md", "status": "prospective", "accession": "2024"},
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["country"]["iso3"] == "LBY"
    assert created["accession"]["precision"] == "year"
    pk = created["id"]

    response = api.patch(f"partnerships/{pk}", {"status": "former", "exit": "2025-03"})
    assert response.status_code == 200, response.json()
    assert response.json()["exit"]["display"] == "March 2025"

    entries = AuditEntry.objects.filter(content_type__model="partnership", object_id=str(pk))
    assert {e.via for e in entries} == {"api"}
    assert {e.actor for e in entries} == {nato_staff}
    assert {"create", "update", "transition"} <= {e.action for e in entries}

    assert api.delete(f"partnerships/{pk}").status_code == 204
    assert api.get(f"partnerships/{pk}").status_code == 404


def test_put_replaces_and_patch_clears_a_date(nato_staff):
    api = ApiClient(nato_staff)
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    response = api.put(
        f"partnerships/{kwt.pk}",
        {"country": "KWT", "framework": "ici", "status": "member", "accession": "2004-12-11"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["accession"]["precision"] == "day"
    assert response.json()["notes"] == ""
    response = api.patch(f"partnerships/{kwt.pk}", {"accession": None})
    assert response.json()["accession"] is None


def test_exit_before_accession_is_400_with_the_field(nato_staff):
    api = ApiClient(nato_staff)
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    response = api.patch(f"partnerships/{kwt.pk}", {"status": "former", "exit": "2004-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "rejected"
    assert fields(response) == {"exit"}
    kwt.refresh_from_db()
    assert kwt.exit is None and kwt.status == "member"


def test_a_bad_partial_date_is_400_with_the_field(nato_staff):
    response = ApiClient(nato_staff).post(
        "partnerships",
        {"country": "LBY", "framework": "md", "status": "member", "accession": "2024-13"},
    )
    assert response.status_code == 400
    assert fields(response) == {"accession"}
    assert not Partnership.objects.filter(country__iso3="LBY").exists()


def test_an_unknown_country_code_in_input_is_400(nato_staff):
    response = ApiClient(nato_staff).post(
        "partnerships", {"country": "XYZ", "framework": "ici", "status": "member"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "country", "message": "Unknown country “XYZ”."}]


def test_a_second_open_partnership_is_409(nato_staff):
    response = ApiClient(nato_staff).post(
        "partnerships", {"country": "KWT", "framework": "ici", "status": "member"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert fields(response) == {"framework"}


def test_a_taken_slug_is_409(nato_staff):
    response = ApiClient(nato_staff).post(
        "organisations", {"name": "Again", "slug": "nato-hq", "kind": "nato_body"}
    )
    assert response.status_code == 409
    assert fields(response) == {"slug"}


def test_schema_errors_are_422_with_field_names(nato_staff):
    api = ApiClient(nato_staff)
    response = api.post("partnerships", {"country": "KWT", "status": "sovereign"})
    assert response.status_code == 422
    assert {"framework", "status"} <= fields(response)
    assert api.post("organisations", {"name": "X", "kind": "bakery"}).status_code == 422


def test_malformed_json_is_400_not_500(nato_staff):
    api = ApiClient(nato_staff)
    response = api.client.post(
        "/api/v1/people", data="{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "errors"}


def test_organisation_people_and_appointments_through_the_api(administrator):
    api = ApiClient(administrator)
    response = api.post(
        "organisations",
        {
            "name": "Mission of the State of Qatar to NATO",
            "kind": "mission",
            "country": "QAT",
            "accredited_to": "nato-hq",
            "city": "Brussels",
        },
    )
    assert response.status_code == 201, response.json()
    mission = response.json()
    assert mission["accredited_to"]["slug"] == "nato-hq"

    bad = api.patch(f"organisations/{mission['slug']}", {"kind": "ministry"})
    assert bad.status_code == 400
    assert fields(bad) == {"accredited_to"}

    person = api.post("people", {"name": "Ali Al Thani", "country": "QAT"}).json()
    assert person["slug"] == "ali-al-thani"
    response = api.post(
        f"people/{person['slug']}/appointments",
        {
            "organisation": mission["slug"],
            "title": "Head of Mission",
            "is_head": True,
            "start": "2019",
        },
    )
    assert response.status_code == 201, response.json()
    appointment = response.json()
    assert appointment["person"] == "ali-al-thani"
    url = f"people/{person['slug']}/appointments/{appointment['id']}"
    bad = api.patch(url, {"end": "2018"})
    assert bad.status_code == 400 and fields(bad) == {"end"}
    assert api.patch(url, {"end": "2023"}).json()["end"]["value"] == "2023"
    assert api.get(url).json()["end"]["display"] == "2023"
    assert api.get(f"people/jens-stoltenberg/appointments/{appointment['id']}").status_code == 404

    assert api.delete(f"organisations/{mission['slug']}").status_code == 409
    assert api.delete(url).status_code == 204
    assert not Appointment.objects.filter(pk=appointment["id"]).exists()
    assert api.delete(f"organisations/{mission['slug']}").status_code == 204


def test_frameworks_and_countries_are_writable_by_staff(administrator):
    api = ApiClient(administrator)
    response = api.post(
        "frameworks",
        {"code": "GCC-DIALOGUE", "acronym": "GD", "name": "Dialogue", "launched": "2010-05"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "gcc-dialogue"
    assert api.patch("frameworks/gcc-dialogue", {"launched": "bad"}).status_code == 400
    assert api.delete("frameworks/gcc-dialogue").status_code == 204

    response = api.patch("countries/kw", {"name_ar": "دولة الكويت"})
    assert response.status_code == 200
    assert response.json()["name_ar"] == "دولة الكويت"
    assert api.patch("countries/KWT", {"iso2": "QQ"}).status_code == 400


def test_citations_added_and_removed_through_the_api(nato_staff, kwt_coordinator):
    api = ApiClient(nato_staff)
    response = api.post(
        "organisations/nato-ici-rc/citations",
        {
            "attribute": "established",
            "value": "2017-01",
            "source": "seed-002",
            "quote": "opened its first office in the region",
        },
    )
    assert response.status_code == 201, response.json()
    citation = response.json()
    assert citation["display"] == "January 2017"
    assert citation["source"]["key"] == "seed-002"
    again = api.post(
        "organisations/nato-ici-rc/citations",
        {"attribute": "established", "value": "2017-01", "source": "seed-002"},
    )
    assert again.status_code == 409
    bad = api.post(
        "organisations/nato-ici-rc/citations",
        {"attribute": "established", "value": "soon", "source": "nope"},
    )
    assert bad.status_code == 400 and fields(bad) == {"value", "source"}
    url = f"organisations/nato-ici-rc/citations/{citation['id']}"
    assert ApiClient(kwt_coordinator).delete(url).status_code == 403
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 404


def test_the_openapi_document_describes_the_partner_resources():
    schema = ApiClient().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/countries/{code}" in paths
    responses = paths["/api/v1/partnerships"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(responses)
    listed = paths["/api/v1/countries"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {
        "framework",
        "status",
        "grouping",
        "q",
        "limit",
        "offset",
    }
    for path in ("/api/v1/people/{slug}/appointments", "/api/v1/organisations/{slug}"):
        assert path in paths


def test_nothing_is_written_when_a_person_is_refused(nato_staff):
    before = Person.objects.count()
    response = ApiClient(nato_staff).post("people", {"name": "", "country": "KWT"})
    assert response.status_code == 400
    assert fields(response) == {"name"}
    assert Person.objects.count() == before
    assert Organisation.objects.filter(slug="").count() == 0
