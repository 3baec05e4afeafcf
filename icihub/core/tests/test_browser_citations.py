"""Citation markers in Chromium, on an Arabic page in a narrow window: each
marker is isolated (``<bdi>``) and laid out on one line."""

import pytest
from django.conf import settings

from icihub.testing import live_url

pytestmark = pytest.mark.browser


def test_citation_markers_stay_whole_in_arabic(browser_page, live_server):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 800})
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_url(live_server)}]
    )
    page.goto(live_url(live_server, "/partners/countries/KWT/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    markers = page.locator("sup.cite")
    assert markers.count() > 0
    facts = markers.evaluate_all(
        """els => els.map(el => ({
            whiteSpace: getComputedStyle(el).whiteSpace,
            lines: el.getClientRects().length,
            isolated: el.firstElementChild && el.firstElementChild.tagName === "BDI",
            text: el.innerText,
        }))"""
    )
    for fact in facts:
        assert fact["whiteSpace"] == "nowrap", fact
        assert fact["lines"] == 1, fact
        assert fact["isolated"], fact
        assert fact["text"].startswith("[") and fact["text"].endswith("]"), fact
