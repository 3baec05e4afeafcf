"""The timeline in Chromium: filter by Kuwait (htmx) and see the inauguration
with its sources and the date conflict."""

import pytest
from playwright.sync_api import expect

from icihub.testing import live_url, login

pytestmark = pytest.mark.browser


def test_timeline_filtered_by_kuwait_shows_the_inauguration_with_its_sources(
    browser_page, live_server
):
    page = browser_page
    page.goto(live_url(live_server, "/dialogue/timeline/"))
    assert page.locator("h1").inner_text() == "Timeline of the initiative"
    assert page.locator("#results").get_by_text("Bahrain joins the ICI").count() == 1

    with page.expect_response(lambda r: "/dialogue/timeline/?" in r.url and "country=KWT" in r.url):
        page.select_option("#f-country", "KWT")
    results = page.locator("#results")
    # The unfiltered timeline shows Kuwait too, and the response arrives before
    # htmx swaps it in: wait (retrying) for Bahrain to leave, then read.
    expect(results.get_by_text("Bahrain joins the ICI")).to_have_count(0)
    results.get_by_text("Kuwait joins the ICI").wait_for()
    assert "country=KWT" in page.url  # hx-push-url keeps the filter in the address

    item = results.locator("li.tl-item", has_text="Inauguration of the NATO-ICI Regional Centre")
    assert item.count() == 1
    text = item.inner_text()
    assert "24 January 2017" in text
    assert "Sources disagree" in text and "23 January 2017" in text
    sources = item.locator(".sources a")
    hrefs = {sources.nth(i).get_attribute("href") for i in range(sources.count())}
    assert {"/sources/seed-000/", "/sources/seed-002/", "/sources/nato-centre-2017/"} <= hrefs

    item.get_by_role("link", name="Inauguration of the NATO-ICI Regional Centre").click()
    page.wait_for_url("**/dialogue/events/*/")
    assert page.locator("h1").inner_text() == "Inauguration of the NATO-ICI Regional Centre"
    assert page.locator(".conflict").first.is_visible()


def test_staff_see_overdue_actions_in_the_register(browser_page, live_server, nato_staff):
    from .helpers import make_event

    event = make_event("Overdue review", overdue=1, date="2026-01")
    page = login(browser_page, live_server, nato_staff, next_path="/dialogue/")
    assert page.locator(".overdue-alert").is_visible()
    page.goto(live_url(live_server, event.get_absolute_url()))
    row = page.locator("tr.action-row.overdue")
    assert row.count() == 1
    row.get_by_role("button", name="Mark done").click()
    expect(page.locator("tr.action-row.overdue")).to_have_count(0)


def test_timeline_brings_the_earlier_years_in_place(browser_page, live_server, monkeypatch):
    from icihub.dialogue import views

    monkeypatch.setattr(views, "TIMELINE_YEARS_ITEMS", 3)  # a window of a year or two
    page = browser_page
    page.goto(live_url(live_server, "/dialogue/timeline/"))
    results = page.locator("#results")
    assert results.get_by_text("Kuwait joins the ICI").count() == 0  # 2004, not shown
    years = page.locator("section.tl-year").count()
    whole = page.get_by_role("link", name="Show the whole timeline").get_attribute("href")
    page.locator("#tl-earlier a").first.click()
    page.locator("section.tl-year").nth(years).wait_for()  # more years, above
    assert "year_from" not in page.url  # in place, the address unchanged
    assert whole == "?year_from=2004"
    page.goto(live_url(live_server, "/dialogue/timeline/" + whole))
    assert results.get_by_text("Kuwait joins the ICI").count() == 1
    assert page.locator("#tl-earlier").count() == 0
    assert page.locator("#undated").count() == 1
