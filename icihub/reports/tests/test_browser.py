"""In Chromium: from a dashboard number to the records it counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from icihub.testing import login

from .builders import build_year


@pytest.mark.browser
def test_click_from_a_dashboard_number_to_its_records(
    browser_page, live_server, centre_staff, nato_staff, kwt_coordinator, qat_coordinator
):
    year = build_year(centre_staff, nato_staff, kwt_coordinator, qat_coordinator)
    query = f"from={year.period.start.isoformat()}&to={year.period.end.isoformat()}"
    page = login(browser_page, live_server, kwt_coordinator, next_path=f"/reports/?{query}")
    card = page.locator("#figure-trained")
    number = card.locator("a.figure-link")
    assert number.inner_text() == "4"
    assert "unique people who completed" in card.inner_text()
    with page.expect_navigation():
        number.click()
    assert "/reports/records/trained/" in page.url
    assert page.locator("#records-number").inner_text() == "4"
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 4
    names = page.locator("table.records").inner_text()
    assert "K1 Testperson-KWT" in names and "QAT" not in names
    # The filters refresh the figures in place (htmx) and the numbers follow.
    page.go_back()
    page.select_option("#f-area", "cyber-defence")
    expect(page.locator("#figure-trained a.figure-link")).to_have_text("2")
    assert "area=cyber-defence" in page.url
