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


def test_staff_sign_in_with_a_totp_code(browser_page, live_server, live_url, nato_staff):
    """NATO staff with an authenticator: password, then the code (computed here
    with pyotp from the device's secret), then the page asked for."""
    import pyotp

    from icihub.testing import give_authenticator

    device = give_authenticator(nato_staff)
    page = browser_page
    page.goto(live_url("/accounts/login/?next=/audit/"))
    page.fill("main form input[name=username]", "nato")
    page.fill("main form input[name=password]", "Correct-Horse-Battery-9")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/login/code/")
    # not signed in yet: the header still offers "Sign in"
    assert page.locator("header a", has_text="Sign in").count() == 1
    page.fill("main form input[name=code]", "000000")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "not right" in page.locator("main").inner_text()
    page.fill("main form input[name=code]", pyotp.TOTP(device.secret).now())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/audit/")
    assert "Audit trail" in page.locator("main h1").inner_text()
    assert "nato" in page.locator("header .account").inner_text()


def test_staff_enrol_an_authenticator_at_first_sign_in(
    browser_page, live_server, live_url, centre_staff
):
    import pyotp

    page = browser_page
    page.goto(live_url("/accounts/login/?next=/users/"))
    page.fill("main form input[name=username]", "centre")
    page.fill("main form input[name=password]", "Correct-Horse-Battery-9")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    assert page.locator("main .qr svg").is_visible()  # drawn here, nothing fetched
    page.goto(live_url("/users/"))  # every other page leads back here
    page.wait_for_url("**/accounts/two-factor/**")
    page.locator("main details summary").click()
    secret = page.locator("#otp-secret").inner_text().strip()
    page.fill("main form input[name=code]", pyotp.TOTP(secret).now())
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_text("I have kept them").click()
    page.wait_for_url("**/users/")


def test_pages_work_under_the_content_security_policy(
    browser_page, live_server, live_url, kwt_coordinator
):
    """No page breaks the CSP (no inline script or style, nothing from outside):
    the browser reports no violation, and htmx's search still works."""
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    login(page, live_server, kwt_coordinator)
    for path in (
        "/",
        "/partners/countries/KWT/",
        "/menu/",
        "/training/sessions/",
        "/programmes/",
        "/dialogue/",
        "/sources/",
        "/tokens/",
        "/accounts/security/",
        "/api/v1/docs",
    ):
        response = page.goto(live_url(path))
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # the Swagger page rendered its operations from static files
    assert page.locator(".swagger-ui .opblock").count() > 10
    # an htmx search updates the results without a violation
    page.goto(live_url("/sources/"))
    page.locator("main input[name=q]").fill("Kuwait")
    page.wait_for_load_state("networkidle")
    assert violations == []
    # the listener does catch a violation: an inline style is refused
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style" in v for v in violations)
