"""Through the access model: a coordinator's report never contains another
country's rows, in any format; a coordinator produces only their own country's
report (404 for the others), in the pages, the downloads, the API and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from icihub.reports import exports
from icihub.reports import report as reports
from icihub.reports.scope import Filters, Scope
from icihub.testing import ApiClient, client_for, run_cli

from .test_exports import pdf_text

pytestmark = pytest.mark.django_db

FOREIGN = ("Qatar", "QAT", "Saudi Arabia", "SAU", "Q1 Testperson", "Q3 Testperson", "S1 Testperson")


def _no_foreign_rows(data: dict) -> None:
    for table in data["tables"]:
        for row in table["rows"]:
            assert row["key"] not in ("QAT", "SAU"), (table["key"], row)
            assert row["label"] not in ("Qatar", "Saudi Arabia"), (table["key"], row)


def _reports_of(user, year):
    kuwait = year.people["k1"].country
    annual = reports.build_annual(Scope.for_user(user, year.period))
    country = reports.build_country(
        Scope.for_user(user, year.period, Filters(country=kuwait)), kuwait
    )
    return annual, country


def test_a_coordinators_reports_never_contain_another_countrys_rows(year, kwt_coordinator):
    for report in _reports_of(kwt_coordinator, year):
        data = json.loads(exports.render_json(report))
        _no_foreign_rows(data)
        assert data["figures"]["trained"]["value"] == 4
        by_country = {t["key"]: t for t in data["tables"]}.get("seats_by_country")
        assert {r["key"] for r in by_country["rows"]} == {"KWT"}
        text = exports.render_csv(report).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))[2:]
        for row in rows:
            assert row[2] not in ("QAT", "SAU"), row
            assert row[3] not in ("Qatar", "Saudi Arabia"), row
        book = load_workbook(io.BytesIO(exports.render_xlsx(report)))
        cells = {
            str(c.value)
            for sheet in book.worksheets
            for line in sheet.iter_rows()
            for c in line
            if c.value is not None
        }
        for word in FOREIGN:
            assert not any(word in cell for cell in cells), word
        text = pdf_text(exports.render_pdf(report))
        for word in FOREIGN:
            assert word not in text, word


def test_staff_reports_contain_every_country(year, nato_staff):
    annual, _country = _reports_of(nato_staff, year)
    data = json.loads(exports.render_json(annual))
    by_country = next(t for t in data["tables"] if t["key"] == "trained_by_country")
    assert {r["key"] for r in by_country["rows"]} == {"KWT", "QAT", "SAU"}


def test_a_coordinator_gets_404_on_another_countrys_report(year, qat_coordinator, kwt_coordinator):
    params = {"from": year.period.start.isoformat(), "to": year.period.end.isoformat()}
    qatar = client_for(qat_coordinator)
    assert qatar.get("/reports/country/KWT/", params).status_code == 404
    for fmt in exports.FORMATS:
        assert qatar.get(f"/reports/country/KWT/report.{fmt}", params).status_code == 404
    assert qatar.get("/reports/country/QAT/", params).status_code == 200
    # The country index sends a coordinator to their own country.
    response = qatar.get("/reports/country/")
    assert response.status_code == 302 and response["Location"].endswith("/reports/country/QAT/")
    api = ApiClient(qat_coordinator)
    assert api.get("reports/country/KWT", params).status_code == 404
    assert api.get("reports/country/QAT", params).status_code == 200
    kuwait = client_for(kwt_coordinator)
    response = kuwait.get("/reports/country/KWT/report.json", params)
    assert response.status_code == 200
    _no_foreign_rows(json.loads(response.content))
    # Nor from the command line.
    refused = run_cli(
        "report", "country", "--country", "KWT", "--year", "2017", "--as", qat_coordinator.username
    )
    assert refused.code == 1 and "may not produce the report of Kuwait" in refused.err


def test_other_roles_get_404_on_country_reports(year, instructor_user, participant_user):
    for user in (instructor_user, participant_user):
        client = client_for(user)
        assert client.get("/reports/country/KWT/").status_code == 404
        assert client.get("/reports/country/").status_code == 404
        assert ApiClient(user).get("reports/country/KWT").status_code == 404


def test_records_pages_show_only_visible_rows(year, kwt_coordinator):
    params = {"from": year.period.start.isoformat(), "to": year.period.end.isoformat()}
    client = client_for(kwt_coordinator)
    html = client.get("/reports/records/trained/", params).content.decode()
    assert "K1 Testperson-KWT" in html
    assert "Testperson-QAT" not in html and "Testperson-SAU" not in html
    response = client.get(
        "/reports/records/attendances/", {**params, "by": "country", "value": "QAT"}
    )
    assert response.status_code == 200
    assert "Testperson-QAT" not in response.content.decode()
    api = ApiClient(kwt_coordinator)
    data = api.get("reports/figures/seats_filled/records", {**params, "limit": 100}).json()
    assert data["count"] == 6
    assert {item["fields"]["country"] for item in data["items"]} == {"KWT"}
    # The instructors' trips are not the coordinator's to see: nothing listed.
    assert api.get("reports/figures/trips/records", params).json()["count"] == 0
