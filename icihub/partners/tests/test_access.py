"""Access scoping: a row marked not public is invisible (404, absent from lists
and API lists) to visitors, coordinators and other non-staff, and visible to
staff; a hidden row never shows through a visible one."""

import pytest

from icihub.core.models import Source
from icihub.partners.models import (
    Appointment,
    Country,
    Framework,
    Grouping,
    Organisation,
    Partnership,
    Person,
)
from icihub.testing import ApiClient, client_for

from .helpers import new_country

pytestmark = pytest.mark.django_db

HIDDEN_FROM = ["anonymous", "kwt_coordinator", "qat_coordinator", "participant_user"]
SEEN_BY = ["administrator", "nato_staff", "centre_staff"]


def user_for(request, who):
    return None if who == "anonymous" else request.getfixturevalue(who)


def hide(model, **lookup):
    model.objects.filter(**lookup).update(is_public=False)
    return model.objects.get(**lookup)


# Each case: a private row; what marks it in a list page; its page; its list
# page (with a search that would find it); its API detail; its API list (with a
# filter that would find it) and how an item of it is identified.
def _country():
    country = new_country(name_prefix="Secretland")
    hide(Country, pk=country.pk)
    return (
        country.name,
        f"/partners/countries/{country.iso3}/",
        ("/partners/countries/", {"q": "secretland"}),
        f"countries/{country.iso3}",
        ("countries", {"q": "secretland"}, "iso3", country.iso3),
    )


def _framework():
    framework = Framework.objects.create(code="secret", acronym="SEC", name="Secret Framework")
    hide(Framework, pk=framework.pk)
    return (
        "Secret Framework",
        "/partners/frameworks/secret/",
        ("/partners/frameworks/", {"q": "secret"}),
        "frameworks/secret",
        ("frameworks", {"q": "secret"}, "code", "secret"),
    )


def _partnership():
    p = hide(Partnership, country__iso3="OMN", framework__code="ici")
    return (
        f"/partners/partnerships/{p.pk}/",
        f"/partners/partnerships/{p.pk}/",
        ("/partners/partnerships/", {"framework": "ici"}),
        f"partnerships/{p.pk}",
        ("partnerships", {"framework": "ici"}, "id", p.pk),
    )


def _organisation():
    hide(Organisation, slug="kwt-nsb")
    return (
        "National Security Bureau",
        "/partners/organisations/kwt-nsb/",
        ("/partners/organisations/", {"country": "KWT"}),
        "organisations/kwt-nsb",
        ("organisations", {"country": "KWT"}, "slug", "kwt-nsb"),
    )


def _person():
    hide(Person, slug="fawaz-al-sabah")
    return (
        "Fawaz Al Sabah",
        "/partners/people/fawaz-al-sabah/",
        ("/partners/people/", {"country": "KWT"}),
        "people/fawaz-al-sabah",
        ("people", {"country": "KWT"}, "slug", "fawaz-al-sabah"),
    )


CASES = {
    "country": _country,
    "framework": _framework,
    "partnership": _partnership,
    "organisation": _organisation,
    "person": _person,
}


def _list_text(user, url, params):
    response = client_for(user).get(
        url, params, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    return response.content.decode()


def _api_keys(user, path, params, key):
    response = ApiClient(user).get(path, {**params, "limit": 1000})
    assert response.status_code == 200
    return {item[key] for item in response.json()["items"]}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_a_private_row_is_invisible_to_non_staff(request, case, who):
    marker, page, (list_url, list_params), api_path, api_list = CASES[case]()
    path, params, key, value = api_list
    user = user_for(request, who)
    assert client_for(user).get(page).status_code == 404
    assert marker not in _list_text(user, list_url, list_params)
    response = ApiClient(user).get(api_path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert value not in _api_keys(user, path, params, key)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("who", SEEN_BY)
def test_staff_see_private_rows(request, case, who):
    marker, page, (list_url, list_params), api_path, api_list = CASES[case]()
    path, params, key, value = api_list
    user = user_for(request, who)
    response = client_for(user).get(page)
    assert response.status_code == 200
    assert "not public" in response.content.decode()
    assert marker in _list_text(user, list_url, list_params)
    assert ApiClient(user).get(api_path).status_code == 200
    assert value in _api_keys(user, path, params, key)


def test_writers_get_404_not_403_for_rows_they_cannot_see(kwt_coordinator):
    hide(Organisation, slug="kwt-nsb")
    api = ApiClient(kwt_coordinator)
    assert api.patch("organisations/kwt-nsb", {"city": "x"}).status_code == 404
    assert (
        client_for(kwt_coordinator).post("/partners/organisations/kwt-nsb/edit/").status_code == 404
    )


def test_a_private_grouping_is_404_and_does_not_filter_countries(kwt_coordinator):
    hide(Grouping, code="gcc")
    assert client_for(None).get("/partners/groupings/gcc/").status_code == 404
    items = ApiClient(kwt_coordinator).get("countries", {"grouping": "gcc"}).json()
    assert items["count"] == 0
    body = ApiClient().get("countries/KWT").json()
    assert body["groupings"] == []
    assert (
        "Gulf Cooperation Council"
        not in client_for(None).get("/partners/countries/KWT/").content.decode()
    )


def test_a_private_partnership_does_not_show_on_its_visible_country(qat_coordinator):
    hide(Partnership, country__iso3="KWT", framework__code="ici")
    for user in (None, qat_coordinator):
        body = ApiClient(user).get("countries/KWT").json()
        assert body["partnerships"] == []
        html = client_for(user).get("/partners/countries/KWT/").content.decode()
        assert "December 2004" not in html
        members = ApiClient(user).get("countries", {"framework": "ici", "status": "member"})
        assert "KWT" not in {c["iso3"] for c in members.json()["items"]}
        page = _list_text(user, "/partners/countries/", {"framework": "ici", "status": "member"})
        assert "Kuwait" not in page
        assert "Kuwait joins" not in client_for(user).get("/").content.decode()


def test_a_private_appointment_does_not_show_on_its_person(kwt_coordinator, nato_staff):
    hide(Appointment, person__slug="jassim-al-budiawi")
    for user in (None, kwt_coordinator):
        body = ApiClient(user).get("people/jassim-al-budiawi").json()
        assert body["appointments"] == []
        assert ApiClient(user).get("people/jassim-al-budiawi/appointments").json()["count"] == 0
        html = client_for(user).get("/partners/people/jassim-al-budiawi/").content.decode()
        assert "Head of Mission" not in html
        # nor does it make him findable by the mission
        found = ApiClient(user).get("people", {"organisation": "kwt-mission-nato"}).json()
        assert found["count"] == 0
    assert ApiClient(nato_staff).get("people/jassim-al-budiawi").json()["appointments"]


def test_a_private_organisation_does_not_show_as_a_parent_or_a_post(kwt_coordinator):
    hide(Organisation, slug="nato-hq")
    for user in (None, kwt_coordinator):
        pasp = ApiClient(user).get("organisations/nato-pasp").json()
        assert pasp["parent"] is None
        mission = ApiClient(user).get("organisations/kwt-mission-nato").json()
        assert mission["accredited_to"] is None
        sg = ApiClient(user).get("people/jens-stoltenberg").json()["appointments"][0]
        assert sg["organisation"] is None
        html = client_for(user).get("/partners/people/jens-stoltenberg/").content.decode()
        assert "NATO Headquarters" not in html
        html = client_for(user).get("/partners/organisations/nato-pasp/").content.decode()
        assert "NATO Headquarters" not in html


def test_citations_of_a_source_marked_nato_only_are_hidden_from_partners(
    kwt_coordinator, nato_staff
):
    Source.objects.filter(key="nato-ici-page").update(marking="nato")

    def accession_sources(user):
        body = ApiClient(user).get("countries/KWT").json()
        [ici] = [p for p in body["partnerships"] if p["framework"]["code"] == "ici"]
        return {c["source"]["key"] for c in ici["citations"]}

    assert "nato-ici-page" not in accession_sources(None)
    assert "nato-ici-page" not in accession_sources(kwt_coordinator)
    assert "nato-ici-page" in accession_sources(nato_staff)
    html = client_for(kwt_coordinator).get("/partners/countries/KWT/").content.decode()
    assert "in the first three months of 2005" not in html
