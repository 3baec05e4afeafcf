"""The public statistics page: aggregated figures from records marked public
only, with small counts suppressed so that no individual can be singled out."""

from __future__ import annotations

import pytest
from django.test import override_settings

from icihub.reports import figures as F
from icihub.reports import report as reports
from icihub.reports import selectors
from icihub.reports.scope import Scope
from icihub.testing import ApiClient, client_for

pytestmark = pytest.mark.django_db


def _public(year):
    return Scope.public(year.period)


def test_only_public_records_are_counted(year, centre_staff):
    scope = _public(year)
    # Both sessions are on the public calendar; only e1 of the events is public.
    assert F.value("sessions", scope) == 2
    assert F.value("events", scope) == 1
    assert F.value("deliveries", scope) == 0  # programmes are never public
    assert F.value("activities", scope) == 2
    assert F.value("requests_made", scope) == 0
    assert F.value("trained", scope) == 6  # aggregated from the public sessions
    # A course no longer marked public takes its sessions out of the public figures.
    from icihub.training import services as training

    training.update_course(centre_staff, year.courses["c2"], {"marking": "rel_ici"})
    scope = _public(year)
    assert F.value("sessions", scope) == 1
    assert F.value("trained", scope) == 4  # k1 k2 k4 s1 of S1


def test_small_counts_are_suppressed(year):
    scope = _public(year)
    table = reports.build_table(reports.TABLE_SPECS["trained_by_country"], scope)
    cells = {row.param: row.cells[0] for row in table.rows}
    # Kuwait 4, Qatar 1, Saudi Arabia 1: all under 5, hidden; the total (6) is shown.
    # Every hidden count bears the same mark, small or hidden to protect a small one.
    assert all(cell.suppressed for cell in cells.values())
    assert {c.text for c in cells.values()} == {reports.HIDDEN_MARK}
    assert not table.total.cells[0].suppressed and table.total.cells[0].text == "6"
    assert all(cell.url is None for cell in cells.values())  # no records on the public page


@override_settings(ICIHUB_SMALL_COUNT_THRESHOLD=2)
def test_a_hidden_count_cannot_be_worked_out_from_the_total(year):
    scope = _public(year)
    groups = reports.build_table(reports.TABLE_SPECS["trained_by_group"], scope)
    cells = {row.param: row.cells[0] for row in groups.rows}
    # GCC non-members: 1 (hidden); ICI members 5 would give it away (6 - 5): hidden too.
    assert cells["gcc"].suppressed and cells["ici"].suppressed
    assert groups.total.cells[0].text == "6"
    countries = reports.build_table(reports.TABLE_SPECS["trained_by_country"], scope)
    shown = {row.param: (row.cells[0].suppressed, row.cells[0].text) for row in countries.rows}
    # Qatar 1 and Saudi Arabia 1 are hidden; with Kuwait's 4 shown, 6 - 4 = 2 would
    # make both 1 (a hidden count is not 0, which is shown): Kuwait is hidden too.
    assert shown == {"KWT": (True, "x"), "QAT": (True, "x"), "SAU": (True, "x")}


def test_the_course_by_country_table_hides_small_cells(year):
    cross = selectors.public_cross(_public(year))
    rows = {label: (values, total) for label, values, total in cross.rows}
    assert len(rows) == 2
    for values, _total in rows.values():
        for value in values:
            assert value in ("–", reports.HIDDEN_MARK), value


def test_suppress_matrix_hides_enough_to_protect_every_small_count():
    cells = {("a", "x"): 10, ("a", "y"): 2, ("a", "z"): 9, ("b", "x"): 7, ("b", "y"): 8}
    hidden = reports.suppress_matrix(
        cells, {"a": 21, "b": 15}, {"x": 17, "y": 10, "z": 9}, threshold=5
    )
    # (a, y) = 2 is small. Row a must hide another: not (a, z), alone in its column
    # (its total would give it away), but (a, x); then column x hides (b, x) and
    # column y (b, y). Every row and column holds 0 or at least 2 hidden counts.
    assert hidden == {("a", "y"), ("a", "x"), ("b", "x"), ("b", "y")}


def test_the_public_page(year, client):
    the_year = year.sessions["s1"].start.year
    response = client.get("/reports/public/", {"year": the_year})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="suppression-rule"' in html
    assert "fewer than 5 officers of one country in one course" in html
    assert 'class="suppressed' in html
    assert "/reports/records/" not in html
    assert "Testperson" not in html
    assert "Requests" not in html and "programme" not in html.lower().split("nothing from")[0]
    assert client.get("/reports/public/", {"year": "x"}).status_code == 400


def test_anonymous_api_gets_the_public_figures(year):
    # The public figures are by calendar year (other periods and filters are
    # refused: test_disclosure.py).
    params = {"year": year.sessions["s1"].start.year}
    data = ApiClient(None).get("reports/figures", {**params, "breakdowns": "true"}).json()
    assert data["public"] is True
    keys = {f["key"] for f in data["figures"]}
    assert "requests_made" not in keys and "evaluations" not in keys
    trained = next(f for f in data["figures"] if f["key"] == "trained")
    assert trained["value"] == 6 and trained["records"] is None
    assert {r["key"]: (r["value"], r["suppressed"]) for r in trained["breakdowns"]["country"]} == {
        "KWT": (None, True),
        "QAT": (None, True),
        "SAU": (None, True),
    }
    assert ApiClient(None).get("reports/figures/requests_made", params).status_code == 404
    assert ApiClient(None).get("reports/figures/trained/records", params).status_code == 401


def test_signed_in_users_see_the_public_page_the_same(year, kwt_coordinator):
    the_year = year.sessions["s1"].start.year
    signed = client_for(kwt_coordinator).get("/reports/public/", {"year": the_year})
    assert 'class="suppressed' in signed.content.decode()
