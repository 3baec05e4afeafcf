"""In Chromium: from a dashboard number to the records it counts."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from icihub.testing import login

from .builders import build_year, grow, make_course

BOXES = """svg => {
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    return {svg: box(svg), bars: [...svg.querySelectorAll("a, g")].map(g => ({
        label: g.querySelector("text") ? box(g.querySelector("text")) : null,
        texts: [...g.querySelectorAll("text")].map(box),
        rect: g.querySelector("rect") ? box(g.querySelector("rect")) : null,
    }))};
}"""


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
    # the definition is behind a disclosure, one click away
    assert "unique people who completed" not in card.inner_text()
    card.locator("details.definition summary").click()
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


@pytest.mark.browser
def test_charts_keep_their_labels_inside_and_off_the_bars_in_both_directions(
    browser_page, live_server, centre_staff, nato_staff
):
    from django.conf import settings

    from icihub.partners.models import Country

    Country.objects.filter(iso3="KWT").update(name_ar="الكويت")
    course = make_course(centre_staff, "NIRC-T-001", "crisis-management", title="Trends")
    for start in ("2015-03-01", "2016-03-01", "2016-06-01"):
        grow(course, dt.date.fromisoformat(start))
    page = login(browser_page, live_server, nato_staff, next_path="/reports/?year=2016")
    for language in ("en", "ar"):
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/reports/?year=2016")
        page.screenshot(path=f"/tmp/charts-dashboard-{language}.png", full_page=True)
        charts = page.locator("#table-trained_by_country svg.chart-bars")
        data = charts.evaluate(BOXES)
        outer = data["svg"]
        assert outer["bottom"] - outer["top"] < 140  # three bars, not a block
        for bar in data["bars"]:
            for text in bar["texts"]:  # every text inside the chart
                assert outer["left"] - 0.5 <= text["left"] and text["right"] <= outer["right"] + 0.5
            label, rect, value = bar["label"], bar["rect"], bar["texts"][-1]
            if language == "en":
                assert label["right"] <= rect["left"]  # the label before its bar
                assert value["left"] >= rect["right"]  # the value after it
            else:  # mirrored on an Arabic page
                assert label["left"] >= rect["right"]
                assert value["right"] <= rect["left"]
        if language == "ar":
            assert "الكويت" in charts.inner_html()
        caption = page.locator("#table-trained_by_country figcaption")
        assert caption.bounding_box()["width"] > 40  # a title, not a quote mark
        # the months' columns: two bars, a small chart
        months = page.locator("#table-sessions_by_month svg.chart-columns").bounding_box()
        assert months["width"] < 200
