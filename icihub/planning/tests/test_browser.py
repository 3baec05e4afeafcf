"""The planner's journey in Debian's Chromium (Playwright): staff plan 2027,
move one session (seeing the effect first), lock it, re-plan and publish; a
coordinator then sees the calendar; the Arabic page runs right to left with
Hijri dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation

from icihub.gulf import calendar as gulf
from icihub.planning import services
from icihub.planning.models import Plan
from icihub.testing import live_url, login
from icihub.training.models import Session

pytestmark = pytest.mark.browser


def test_staff_plan_move_lock_replan_publish_then_a_coordinator_reads(
    browser_page, live_server, year_world, centre_staff, kwt_coordinator
):
    page = login(browser_page, live_server, centre_staff)
    page.goto(live_url(live_server, "/planning/"))
    page.fill("#plan-year", "2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Plan this year").click()
    plan = Plan.objects.get(year=2027)
    page.fill("#time-limit", "5")
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Plan", exact=True).click()
    assert page.locator('[data-run-status="done"]').count() == 1
    assert page.locator("#sessions tbody tr[data-session]").count() == 4

    # move the first CBRN-201 iteration to a free Sunday, previewing it first
    plan.refresh_from_db()
    ps = plan.sessions.get(course=year_world["cbrn"], key__endswith="-1")
    target = dt.date(2027, 11, 14)
    while services.preview_move(plan, ps, target)["conflicts"]:
        target += dt.timedelta(days=7)
    row = page.locator(f'tr[data-session="{ps.key}"]')
    row.locator('input[type="date"]').fill(target.isoformat())
    row.locator('input[type="date"]').dispatch_event("change")
    page.wait_for_selector(f"#preview-{ps.pk} .ok")
    assert "Weighted total" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Move").click()
    ps.refresh_from_db()
    assert ps.start == target

    row = page.locator(f'tr[data-session="{ps.key}"]')
    with page.expect_navigation():
        row.get_by_role("button", name="Lock").click()
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Re-plan the unlocked sessions").click()
    ps.refresh_from_db()
    assert ps.locked and ps.start == target
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    plan.refresh_from_db()
    assert plan.state == Plan.State.PUBLISHED
    assert Session.objects.filter(start__year=2027, start=target).exists()

    page.context.clear_cookies()
    page = login(page, live_server, kwt_coordinator)
    page.goto(live_url(live_server, plan.get_absolute_url()))
    assert page.locator("#sessions tbody tr[data-session]").count() == 4
    assert page.get_by_role("button", name="Move").count() == 0
    assert "CBRN-201" in page.locator("#sessions").inner_text()

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    page.goto(live_url(live_server, plan.get_absolute_url()))
    assert page.locator("html").get_attribute("dir") == "rtl"
    with translation.override("ar"):
        hijri = gulf.hijri(target)
    assert hijri in page.locator(f'tr[data-session="{ps.key}"]').inner_text()
