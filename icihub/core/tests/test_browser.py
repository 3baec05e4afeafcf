"""Browser tests in Debian's Chromium through Playwright (``browser_page``)."""

import pytest

from icihub.testing import login

pytestmark = pytest.mark.browser


def test_kuwait_coordinator_signs_in_and_reads_the_kuwait_page(
    browser_page, live_server, kwt_coordinator
):
    page = browser_page
    page.goto(live_server.url + "/partners/countries/KWT/")
    page.locator("header a", has_text="Sign in").click()
    page.wait_for_url("**/accounts/login/**")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(kwt_coordinator.username)
    form.locator("input[name=password]").fill("Correct-Horse-Battery-9")
    form.locator("button[type=submit]").click()
    # the sign-in form sends the coordinator back to the page they came from
    page.wait_for_url("**/partners/countries/KWT/")
    account = page.locator("header .account")
    assert "coord-kwt" in account.inner_text()
    assert "KWT" in account.inner_text()

    main = page.locator("main")
    assert "Kuwait" in page.locator("main h1").inner_text()
    # ICI membership is known to the month, shown as such
    assert main.get_by_text("December 2004").first.is_visible()
    # ... and NATO's own page disagrees: both versions are shown
    conflict = main.locator(".conflict", has_text="first three months of 2005").first
    assert conflict.is_visible()
    assert "Sources disagree" in conflict.inner_text()
    assert "December 2004" in conflict.inner_text()


def test_login_helper_and_a_wrong_password(browser_page, live_server, live_url, centre_staff):
    page = browser_page
    page.goto(live_url("/accounts/login/"))
    page.fill("main form input[name=username]", centre_staff.username)
    page.fill("main form input[name=password]", "not-the-password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("main .errorlist").count() == 1

    login(page, live_server, centre_staff, next_path="/users/")
    assert page.url.endswith("/users/")
    assert page.locator("main").get_by_text("coord-kwt").count() == 0  # only centre exists
    assert "centre" in page.locator("main").inner_text()
