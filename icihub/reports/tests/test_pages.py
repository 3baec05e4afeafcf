"""The pages: dashboard (with htmx filters), the records behind a number, the
annual and country reports and their downloads, the home page panel."""

from __future__ import annotations

import re

import pytest

from icihub.reports import figures as F
from icihub.reports.scope import Scope
from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def _params(year, **extra):
    return {"from": year.period.start.isoformat(), "to": year.period.end.isoformat(), **extra}


def test_dashboard_numbers_with_definitions_link_to_their_records(year, nato_staff):
    response = client_for(nato_staff).get("/reports/", _params(year))
    assert response.status_code == 200
    html = response.content.decode()
    card = re.search(r'id="figure-trained">(.*?)</div>\s*</div>', html, re.S).group(1)
    link = re.search(r'<a class="figure-link [^"]*" href="([^"]+)"[^>]*>6</a>', card)
    assert link, card
    assert str(F.FIGURES["trained"].definition)[:60] in html.replace("&#x27;", "'")
    records = client_for(nato_staff).get(link.group(1).replace("&amp;", "&"))
    assert records.status_code == 200
    page = records.content.decode()
    assert 'data-count="6"' in page
    assert "K1 Testperson-KWT" in page
    # Tables, charts, and every cell of a breakdown links to its rows.
    assert 'id="table-trained_by_country"' in html
    assert "<svg" in html
    assert "by=country&amp;value=KWT" in html


def test_the_dashboard_for_every_signed_in_role(year, every_role):
    for name, user in every_role.items():
        response = client_for(user).get("/reports/", _params(year))
        assert response.status_code == 200, name
    assert client_for(None).get("/reports/").status_code == 302


def test_htmx_filters_return_the_figures_fragment(year, nato_staff):
    client = client_for(nato_staff)
    response = client.get(
        "/reports/",
        _params(year, country="QAT"),
        headers={"HX-Request": "true", "HX-Target": "figures"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="figure-trained"' in html
    trained = re.search(r'id="figure-trained">.*?>(\d+)<', html, re.S).group(1)
    assert trained == "1"


def test_bad_filters_are_explained_not_500(year, nato_staff):
    client = client_for(nato_staff)
    for params, field in (
        ({"year": "20x7"}, "year"),
        ({"from": "2017-05-01"}, "to"),
        ({"from": "2017-02-30", "to": "2017-03-01"}, "from"),  # no such day
        ({"from": "2017-05-01", "to": "2017-01-01"}, "to"),
        ({"year": "2017", "country": "XXX"}, "country"),
        ({"year": "2017", "area": "nope"}, "area"),
        ({"year": "2017", "framework": "nope"}, "framework"),
    ):
        response = client.get("/reports/", params)
        assert response.status_code == 400, params
        assert f"<strong>{field}</strong>" in response.content.decode(), params
        fragment = client.get(
            "/reports/", params, headers={"HX-Request": "true", "HX-Target": "figures"}
        )
        assert fragment.status_code == 200 and "filter-errors" in fragment.content.decode()


def test_records_page_errors(year, nato_staff):
    client = client_for(nato_staff)
    assert client.get("/reports/records/nope/", _params(year)).status_code == 404
    assert (
        client.get("/reports/records/trained/", _params(year, by="colour", value="x")).status_code
        == 404
    )
    assert (
        client.get("/reports/records/trained/", _params(year, by="course", value="x")).status_code
        == 400
    )
    assert client.get("/reports/records/trained/", {"year": "x"}).status_code == 400
    assert client_for(None).get("/reports/records/trained/").status_code == 302


def test_the_sum_of_figures_lists_each_part(year, nato_staff):
    client = client_for(nato_staff)
    html = client.get("/reports/records/activities/", _params(year)).content.decode()
    assert "Course sessions completed (2)" in html
    assert "Other activities delivered (1)" in html
    html = client.get(
        "/reports/records/activities/", _params(year, part="deliveries")
    ).content.decode()
    assert "Advisory visit on cyber defence" in html


def test_annual_report_page_and_downloads(year, nato_staff):
    client = client_for(nato_staff)
    the_year = year.sessions["s1"].start.year
    response = client.get("/reports/annual/", {"year": the_year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "courses and activities were carried out at the Centre" in html
    assert f"/reports/annual/{the_year}/report.pdf" in html
    assert 'id="lock"' not in html  # a year still to come cannot be locked
    for fmt, kind in (
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats"),
        ("csv", "text/csv"),
        ("json", "application/json"),
    ):
        download = client.get(f"/reports/annual/{the_year}/report.{fmt}")
        assert download.status_code == 200, fmt
        assert download["Content-Type"].startswith(kind)
        assert download["X-Icihub-Marking"] == "rel_partner"  # the waiting requests
    assert client.get(f"/reports/annual/{the_year}/report.doc").status_code == 404
    assert client.get("/reports/annual/", {"year": "x"}).status_code == 400


def test_country_report_page(year, nato_staff):
    client = client_for(nato_staff)
    response = client.get("/reports/country/KWT/", _params(year))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 officers from Kuwait were trained" in html
    assert client.get("/reports/country/XXX/").status_code == 404
    assert client.get("/reports/country/").status_code == 200
    assert client.get("/reports/country/KWT/", {"from": "x"}).status_code == 400


def test_home_page_shows_the_figures_panel(year, nato_staff, kwt_coordinator):
    html = client_for(nato_staff).get("/").content.decode()
    assert 'id="home-figures"' in html
    assert "/reports/records/" in html
    visitor = client_for(None).get("/").content.decode()
    assert 'id="home-figures"' in visitor
    assert "/reports/records/" not in visitor  # visitors see public figures, no records
    assert "/reports/public/" in visitor


def test_the_pages_count_what_the_selectors_count(year, kwt_coordinator):
    """The page is a view of the figures: same numbers for the same user."""
    html = client_for(kwt_coordinator).get("/reports/", _params(year)).content.decode()
    scope = Scope.for_user(kwt_coordinator, year.period)
    for key in ("trained", "attendances", "sessions", "requests_waiting"):
        shown = re.search(rf'id="figure-{key}">.*?>([\d,]+)<', html, re.S).group(1)
        assert int(shown.replace(",", "")) == F.value(key, scope), key
