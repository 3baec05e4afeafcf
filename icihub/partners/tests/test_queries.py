"""Every list page and list endpoint of the registry runs the same number of
SQL queries whatever the number of rows (and related rows) it shows."""

import itertools

import pytest

from icihub.partners.models import Person
from icihub.testing import ApiClient, client_for
from icihub.testing import assert_constant_queries as _assert_constant_queries

from .helpers import new_appointment, new_country, new_framework, new_organisation, new_person

pytestmark = pytest.mark.django_db

counter = itertools.count(1)


def assert_constant_queries(fetch, grow):
    """Seed the list with one batch first, so that the first count already covers
    rows with every kind of related row (a prefetch of an empty set runs no query)."""
    grow()
    return _assert_constant_queries(fetch, grow)


def grow_countries():
    for _ in range(3):
        new_country()


def grow_frameworks():
    for _ in range(3):
        new_framework(next(counter))


def grow_organisations():
    for _ in range(3):
        new_organisation(next(counter))


def grow_people():
    for _ in range(3):
        new_person(next(counter))


def page(client, url):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200
        return response

    return fetch


def endpoint(api, path, params=None):
    def fetch():
        response = api.get(path, params)
        assert response.status_code == 200, response.content
        assert response.json()["items"]
        return response

    return fetch


@pytest.fixture(params=["anonymous", "nato_staff", "kwt_coordinator"])
def viewer(request):
    return None if request.param == "anonymous" else request.getfixturevalue(request.param)


# -- pages --------------------------------------------------------------------------------

PAGES = [
    ("/partners/frameworks/", grow_frameworks),
    ("/partners/countries/", grow_countries),
    ("/partners/countries/?framework=ici&status=member&grouping=gcc", grow_countries),
    ("/partners/countries/?q=aaa", grow_countries),
    ("/partners/partnerships/", grow_countries),
    ("/partners/partnerships/?framework=ici", grow_countries),
    ("/partners/organisations/", grow_organisations),
    ("/partners/organisations/?country=KWT", grow_organisations),
    ("/partners/people/", grow_people),
    ("/partners/people/?organisation=nato-hq", grow_people),
]


@pytest.mark.parametrize(("url", "grow"), PAGES)
def test_list_pages_run_constant_queries(viewer, url, grow):
    assert_constant_queries(page(client_for(viewer), url), grow)


@pytest.mark.parametrize(("url", "grow"), PAGES[:2] + PAGES[4:5] + PAGES[6:7] + PAGES[8:9])
def test_htmx_results_run_constant_queries(nato_staff, url, grow):
    client = client_for(nato_staff)

    def fetch():
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "results"})
        assert response.status_code == 200
        assert b"<html" not in response.content

    assert_constant_queries(fetch, grow)


def test_record_pages_run_constant_queries(nato_staff):
    """The pages that list related rows: a grouping's members, a framework's
    partners, an organisation's people."""
    client = client_for(nato_staff)
    assert_constant_queries(page(client, "/partners/groupings/gcc/"), grow_countries)
    assert_constant_queries(page(client, "/partners/frameworks/ici/"), grow_countries)
    assert_constant_queries(page(client, "/partners/organisations/nato-hq/"), grow_people)
    assert_constant_queries(page(client, "/partners/countries/KWT/"), grow_organisations)


# -- endpoints ----------------------------------------------------------------------------

ENDPOINTS = [
    ("frameworks", None, grow_frameworks),
    ("countries", None, grow_countries),
    ("countries", {"framework": "ici", "status": "member", "grouping": "gcc"}, grow_countries),
    ("partnerships", None, grow_countries),
    ("partnerships", {"framework": "ici", "status": "member"}, grow_countries),
    ("organisations", None, grow_organisations),
    ("organisations", {"country": "KWT", "kind": "ministry"}, grow_organisations),
    ("people", None, grow_people),
    ("people", {"organisation": "nato-hq"}, grow_people),
]


@pytest.mark.parametrize(("path", "params", "grow"), ENDPOINTS)
def test_list_endpoints_run_constant_queries(viewer, path, params, grow):
    params = {"limit": 1000, **(params or {})}
    assert_constant_queries(endpoint(ApiClient(viewer), path, params), grow)


def test_appointments_endpoint_runs_constant_queries(viewer):
    person = Person.objects.get(slug="jens-stoltenberg")
    api = ApiClient(viewer)
    assert_constant_queries(
        endpoint(api, "people/jens-stoltenberg/appointments"),
        lambda: [new_appointment(person, next(counter)) for _ in range(3)],
    )
