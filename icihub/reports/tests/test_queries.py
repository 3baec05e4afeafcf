"""No N+1: the dashboard, the home page panel, the public page, the reports and
every drill-down list run the same number of queries however many rows they
count (more sessions, people, countries, organisations, events)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from icihub.reports import figures as F
from icihub.testing import assert_constant_queries, client_for

from .builders import grow

pytestmark = pytest.mark.django_db


def _params(year, **extra):
    return {"from": year.period.start.isoformat(), "to": year.period.end.isoformat(), **extra}


def _ok(client, path, params=None):
    """GET ``path``, which must answer 200 (a 404 would run few queries, constantly)."""
    response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.status_code)
    return response


@pytest.fixture
def grower(year):
    course = year.courses["c2"]
    start = year.sessions["s1"].start
    days = itertools.count(20)
    countries = itertools.cycle([("KWT", "BHR"), ("QAT", "ARE", "OMN"), ("SAU",)])
    orgs = itertools.cycle(["marcom", "nmiotc", "nato-school", "ccdcoe"])

    def more():
        grow(
            course, start + dt.timedelta(days=next(days)), countries=next(countries), org=next(orgs)
        )

    return more


def test_dashboard_runs_constant_queries(year, nato_staff, kwt_coordinator, grower):
    for user in (nato_staff, kwt_coordinator):
        client = client_for(user)
        assert_constant_queries(lambda c=client: _ok(c, "/reports/", _params(year)), grower)


def test_drill_down_lists_run_constant_queries(year, nato_staff, grower):
    client = client_for(nato_staff)
    for key, figure in F.FIGURES.items():
        if figure.parts:
            continue
        assert_constant_queries(
            lambda key=key: _ok(client, f"/reports/records/{key}/", _params(year)), grower
        )
    assert_constant_queries(
        lambda: _ok(client, "/reports/records/activities/", _params(year)), grower
    )
    assert_constant_queries(
        lambda: _ok(client, "/reports/records/trained/", _params(year, by="country", value="KWT")),
        grower,
    )


def test_reports_home_and_public_page_run_constant_queries(year, nato_staff, grower):
    client = client_for(nato_staff)
    assert_constant_queries(lambda: _ok(client, "/reports/country/KWT/", _params(year)), grower)
    assert_constant_queries(lambda: _ok(client, "/"), grower)
    anonymous = client_for(None)
    the_year = year.sessions["s1"].start.year
    assert_constant_queries(lambda: _ok(anonymous, "/reports/public/", {"year": the_year}), grower)
