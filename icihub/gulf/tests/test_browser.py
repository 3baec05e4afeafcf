"""The year page in Arabic, in Debian's Chromium (Playwright): right to left, Hijri
months in Arabic, and a staff member shifting Ramadan by a day from the page."""

from __future__ import annotations

import pytest
from django.conf import settings

from icihub.gulf.models import IslamicDate
from icihub.testing import live_url, login

pytestmark = pytest.mark.browser


def test_staff_shift_ramadan_on_the_arabic_year_page(browser_page, live_server, centre_staff):
    page = login(browser_page, live_server, centre_staff)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    page.goto(live_url(live_server, "/calendar/year/2027/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    direction = page.locator("#block-list").evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"
    # February 2027 spans Sha'ban and Ramadan 1448; the months are named in Arabic.
    february = page.locator(".gulf-month").nth(1)
    assert "رمضان" in february.locator("h3").inner_text()
    assert "ramadan" in (page.locator('td[data-date="2027-02-08"]').get_attribute("class") or "")

    row = page.locator("#islamic-ramadan-1448")
    row.locator("select").select_option("1")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert IslamicDate.objects.get(hijri_year=1448, event="ramadan").shift_days == 1
    assert "ramadan" not in (
        page.locator('td[data-date="2027-02-08"]').get_attribute("class") or ""
    )
    assert "ramadan" in (page.locator('td[data-date="2027-02-09"]').get_attribute("class") or "")
