"""Arabic in Chromium: the language switcher turns a page right-to-left, with Arabic
navigation and a mirrored layout (the CSS's logical properties at work)."""

import pytest

from icihub.testing import live_url

pytestmark = pytest.mark.browser


def box(locator) -> dict:
    locator.wait_for()
    return locator.bounding_box()


def test_switching_to_arabic_turns_the_page_right_to_left(browser_page, live_server):
    page = browser_page
    page.goto(live_url(live_server, "/partners/countries/KWT/"))
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")
    partners = page.locator("#mainnav summary", has_text="Partners")
    assert partners.is_visible()
    # The sources disagree about Kuwait's joining date: the conflict box has its
    # coloured edge at the start of the line, on the left in English.
    conflict = page.locator("main .conflict").first
    edge = "el => [getComputedStyle(el).borderLeftWidth, getComputedStyle(el).borderRightWidth]"
    assert conflict.evaluate(edge) == ["4px", "0px"]
    assert box(page.locator("header .brand"))["x"] < box(page.locator("header .account"))["x"]

    # The switcher (a POST form with the CSRF token, submitted on change by
    # app.js) sends the user back to the same page, now in Arabic.
    with page.expect_navigation():
        page.select_option("#language", "ar")
    assert page.url.endswith("/partners/countries/KWT/")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.locator("#mainnav summary", has_text="الشركاء").is_visible()
    assert page.locator("#mainnav summary", has_text="Partners").count() == 0
    assert page.locator("header").get_by_text("تسجيل الدخول").is_visible()
    assert page.locator("#language").input_value() == "ar"
    # Mirrored: the brand on the right, the account box on the left, the conflict
    # box's edge on the right.
    assert box(page.locator("header .brand"))["x"] > box(page.locator("header .account"))["x"]
    assert page.locator("main .conflict").first.evaluate(edge) == ["0px", "4px"]

    # The choice is kept (cookie) on the next page, and can be undone.
    page.goto(live_url(live_server, "/menu/"))
    assert html.get_attribute("dir") == "rtl"
    assert page.locator("main h1").inner_text() == "قائمة التعاون"
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert html.get_attribute("dir") == "ltr"
    assert page.locator("main h1").inner_text() == "Cooperation menu"
