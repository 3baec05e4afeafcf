"""The bell and the list in Chromium: marking a notice read (htmx) updates
the row and the bell in place, under the strict Content-Security-Policy."""

from __future__ import annotations

import pytest

from icihub.notifications import services
from icihub.testing import live_url, login

pytestmark = pytest.mark.browser


def test_mark_read_updates_the_bell_in_place(
    browser_page, live_server, build_programme, kwt_coordinator
):
    programme = build_programme(kwt_coordinator)
    for kind in ("programme_agreed", "programme_returned"):
        services.deliver(kind, "programmes.Programme", programme.pk)
    page = browser_page
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, kwt_coordinator, next_path="/notifications/")
    bell = page.locator("#bell")
    assert bell.get_attribute("data-unread") == "2"
    row = page.locator("li.notification.unread").first
    row.get_by_role("button", name="Mark read").click()
    page.locator('#bell[data-unread="1"]').wait_for(timeout=10000)
    assert page.locator("li.notification.unread").count() == 1
    assert "/notifications/" in page.url  # no page load: htmx swapped the row
    # opening the other one marks it read and goes to the programme
    with page.expect_navigation():
        page.locator("li.notification.unread button.link").first.click()
    assert page.url == live_url(live_server, programme.get_absolute_url())
    assert page.locator("#bell").get_attribute("data-unread") == "0"
    assert not [e for e in errors if "Content Security Policy" in e]
