"""Browser tests in Debian's Chromium through Playwright."""

import pytest

from icihub.testing import login

pytestmark = pytest.mark.browser


def test_sign_in_through_the_form_shows_the_account(browser_page, live_server, kwt_coordinator):
    page = login(browser_page, live_server, kwt_coordinator, next_path="/tokens/")
    header = page.locator("header .account")
    assert "coord-kwt" in header.inner_text()
    assert "KWT" in header.inner_text()


def test_wrong_password_stays_on_the_sign_in_page(browser_page, live_url, kwt_coordinator):
    page = browser_page
    page.goto(live_url("/accounts/login/"))
    page.fill("main form input[name=username]", kwt_coordinator.username)
    page.fill("main form input[name=password]", "not-the-password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("main .errorlist").count() == 1
