"""The figures API: figures with definitions and breakdowns, the records behind
a number (paginated, matching it), the reports as JSON, clear 4xx errors."""

from __future__ import annotations

import datetime as dt

import pytest

from icihub.core.models import AuditEntry
from icihub.testing import ApiClient, assert_constant_queries

from .builders import grow

pytestmark = pytest.mark.django_db


def _params(year, **extra):
    return {"from": year.period.start.isoformat(), "to": year.period.end.isoformat(), **extra}


def test_figures_with_definitions_and_breakdowns(year, nato_staff):
    data = ApiClient(nato_staff).get("reports/figures", _params(year, breakdowns="true")).json()
    assert data["public"] is False
    assert data["period"]["start"] == year.period.start.isoformat()
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["trained"]["value"] == 6
    assert figures["trained"]["definition"].startswith("Officers trained: unique people")
    assert figures["trained"]["records"].startswith("/reports/records/trained/?")
    assert {r["key"]: r["value"] for r in figures["trained"]["breakdowns"]["country"]} == {
        "KWT": 4,
        "QAT": 1,
        "SAU": 1,
    }
    assert figures["answer_days"]["value"] == 20
    assert figures["evaluation_score"]["unit"] == "score"
    assert "courses and activities were carried out" in data["summary"]


def test_one_figure(year, nato_staff):
    api = ApiClient(nato_staff)
    data = api.get("reports/figures/travellers", _params(year)).json()
    assert data["value"] == 2
    assert {r["key"] for r in data["breakdowns"]["organisation"]} == {"nato-school", "jallc"}
    assert api.get("reports/figures/nope", _params(year)).status_code == 404


def test_records_match_the_number(year, nato_staff):
    api = ApiClient(nato_staff)
    data = api.get(
        "reports/figures/trained/records", _params(year, by="country", value="KWT")
    ).json()
    assert data["count"] == 4
    assert {item["type"] for item in data["items"]} == {"training.participant"}
    assert all(item["fields"]["country"] == "Kuwait" for item in data["items"])
    trips = api.get("reports/figures/trips/records", _params(year)).json()
    assert trips["count"] == 2
    days = sorted(item["fields"]["days"] for item in trips["items"])
    assert days == [5, 11]
    waiting = api.get("reports/figures/requests_waiting/records", _params(year)).json()
    assert sorted(item["fields"]["age"] for item in waiting["items"]) == [10, 30, 130]
    parts = api.get("reports/figures/activities/records", _params(year, part="deliveries")).json()
    assert parts["count"] == 1 and parts["items"][0]["type"] == "programmes.delivery"
    assert (
        api.get("reports/figures/trained/records", _params(year, by="x", value="y")).status_code
        == 404
    )
    bad = api.get("reports/figures/trained/records", _params(year, by="course", value="x"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "value"


def test_bad_input_gets_a_clear_4xx(year, nato_staff):
    api = ApiClient(nato_staff)
    response = api.get("reports/figures", {"year": "20x7"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"
    response = api.get("reports/figures", {"from": "2017-01-01"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "to"
    response = api.get("reports/figures", {"year": 2017, "country": "XXX", "area": "nope"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"country", "area"}
    # the range of a year is declared: 422 naming it
    response = api.get("reports/annual/99999")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "year"
    assert ApiClient(None).get("reports/annual/2017").status_code == 401


def test_annual_and_country_reports_as_json_are_exports(year, nato_staff, kwt_coordinator):
    the_year = year.sessions["s1"].start.year
    before = AuditEntry.objects.filter(action="export").count()
    data = ApiClient(nato_staff).get(f"reports/annual/{the_year}").json()
    assert data["schema"] == "icihub.report/1" and data["kind"] == "annual"
    assert data["figures"]["trained"]["value"] == 6
    data = ApiClient(kwt_coordinator).get("reports/country/kwt", _params(year)).json()
    assert data["country"] == "KWT" and data["figures"]["trained"]["value"] == 4
    assert AuditEntry.objects.filter(action="export").count() == before + 2


def test_published_figures(year, nato_staff):
    data = ApiClient(nato_staff).get("reports/published").json()
    keys = {row["key"] for row in data}
    assert {"first-year-activities", "first-year-officers", "first-year-instructors"} <= keys
    first = next(row for row in data if row["key"] == "first-year-officers")
    assert first["published"] == 478 and first["source"] == "seed-003"
    assert "478 officers from ICI and GCC countries were trained" in first["quote"]
    assert first["icihub"] == 0 and first["difference"] == -478  # no 2017 records here


def test_a_figures_records_are_counted_exactly_beyond_the_lists_cap(year, nato_staff, settings):
    """Lists cap their counts (ICIHUB_LIST_COUNT_CAP); a figure's records never:
    their count is the figure's number."""
    settings.ICIHUB_LIST_COUNT_CAP = 1
    api = ApiClient(nato_staff)
    data = api.get(
        "reports/figures/trained/records", _params(year, by="country", value="KWT")
    ).json()
    assert data["count"] == 4 and data["count_capped"] is False
    capped = api.get("training/participants").json()
    assert capped["count"] == 1 and capped["count_capped"] is True


def test_records_endpoint_runs_constant_queries(year, nato_staff):
    api = ApiClient(nato_staff)
    course = year.courses["c1"]
    start = year.sessions["s1"].start
    counter = iter(range(1, 100))

    def fetch(key):
        response = api.get(f"reports/figures/{key}/records", _params(year, limit=200))
        assert response.status_code == 200 and response.json()["count"], (key, response.content)

    for key in ("trained", "attendances", "travellers", "trips", "events", "seats_quota"):
        assert_constant_queries(
            lambda key=key: fetch(key),
            lambda: grow(course, start + dt.timedelta(days=next(counter))),
        )
