"""In the browser: a coordinator builds a programme from menu search and
submits it; NATO staff agree it; a later change makes version 2 with a
visible difference."""

from __future__ import annotations

import pytest

from icihub.testing import live_url, login

pytestmark = pytest.mark.browser


@pytest.fixture
def menu_activities(db):
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Framework

    ici = Framework.objects.get(code="ici")
    made = {}
    for code, title, area in (
        ("BR-CYB-1", "Cyber incident handling course", "cyber-defence"),
        ("BR-CYB-2", "National cyber security strategy seminar", "cyber-defence"),
        ("BR-MAR-1", "Maritime interdiction operations course", "maritime-security"),
    ):
        a = Activity.objects.create(
            code=code, title=title, format="course", marking="rel_ici", first_year=2020
        )
        a.areas.set([Area.objects.get(code=area)])
        a.eligible_frameworks.set([ici])
        made[code] = a
    return made


def test_build_submit_agree_and_revise_a_programme(
    browser_page, live_server, kwt_coordinator, nato_staff, menu_activities
):
    page = login(browser_page, live_server, kwt_coordinator, next_path="/programmes/")
    page.get_by_role("link", name="New programme").click()
    page.wait_for_url("**/programmes/new/")
    page.select_option("select[name=kind]", "itpp")
    page.fill("input[name=start_year]", "2025")
    page.fill("input[name=end_year]", "2028")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/programmes/*/")
    assert page.locator("h1").inner_text() == "Kuwait ITPP 2025–2028"
    programme_url = page.url

    # A strategic objective, then a partnership goal with its area.
    objective = page.locator("#add-objective form")
    objective.locator("input[name=title]").fill("A resilient Kuwait")
    objective.get_by_role("button", name="Add the objective").click()
    page.wait_for_load_state()
    page.locator("details.add-goal summary").first.click()
    goal_form = page.locator("details.add-goal form").first
    goal_form.locator("input[name=goal-title]").fill("National cyber defence capacity")
    goal_form.locator("input[name=goal-areas][value=cyber-defence]").check()
    goal_form.get_by_role("button", name="Add the goal").click()
    page.wait_for_url("**/programmes/goals/*/")

    # Search the menu (htmx) and add activities to the goal.
    with page.expect_response(lambda r: "q=incident" in r.url):
        page.fill("#menu-q", "incident")
    page.locator('[data-add="BR-CYB-1"]').click()
    page.wait_for_load_state()
    assert page.locator('#goal-items tr[data-item="BR-CYB-1"]').count() == 1
    # ... and take a recommendation (area match, eligibility, not yet planned).
    recommended = page.locator('#recommendations tr[data-recommended="BR-CYB-2"]')
    assert "Area match: Cyber defence" in recommended.inner_text()
    recommended.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert page.locator('#goal-items tr[data-item="BR-CYB-2"]').count() == 1

    page.goto(programme_url)
    assert page.locator('tr[data-item="BR-CYB-1"]').count() == 1
    page.get_by_role("button", name="Submit for agreement").click()
    page.wait_for_load_state()
    assert page.locator('.pagehead [data-state="submitted"]').count() == 1
    assert page.get_by_role("button", name="Submit for agreement").count() == 0
    assert page.get_by_role("button", name="Agree the programme").count() == 0

    # NATO staff agree it: who and when are shown.
    page.context.clear_cookies()
    login(page, live_server, nato_staff, next_path=programme_url.replace(live_server.url, ""))
    page.get_by_role("button", name="Agree the programme").click()
    page.wait_for_load_state()
    assert page.locator('.pagehead [data-state="agreed"]').count() == 1
    assert "by nato" in page.locator("#agreed").inner_text()
    assert page.locator('[data-version="1"]').count() == 1

    # A later change makes version 2, and the difference is visible.
    page.get_by_role("link", name="National cyber defence capacity").click()
    page.wait_for_url("**/programmes/goals/*/")
    page.fill("#menu-q", "maritime")
    page.locator('[data-add="BR-MAR-1"]').click()
    page.wait_for_load_state()
    page.goto(programme_url)
    assert page.locator('[data-version="2"]').count() == 1
    page.get_by_role("link", name="Compare versions").click()
    page.wait_for_url("**/diff/")
    added = page.locator('[data-diff="added-item"]')
    assert added.count() == 1
    assert "BR-MAR-1" in added.inner_text()
    assert "From version 1 to version 2" in page.locator("#diff-summary").inner_text()
    page.goto(live_url(live_server, "/programmes/"))
    assert "Kuwait ITPP 2025–2028" in page.locator("#results").inner_text()


def test_staff_record_the_sessions_that_delivered_a_programme(
    browser_page, live_server, build_programme, kwt_coordinator, nato_staff, attended_session
):
    """The panel of sessions to record loads after the page (htmx); recording
    them marks the item delivered."""
    from icihub.programmes import services
    from icihub.training.models import Course

    course = Course.objects.create(code="BR-EX-1", title="Crisis management", marking="public")
    programme = build_programme(kwt_coordinator)
    goal = programme.objectives.first().goals.first()
    services.add_item(kwt_coordinator, goal, {"activity": course, "planned_year": 2025})
    services.submit(kwt_coordinator, programme)
    services.agree(nato_staff, programme)
    attended_session(course, "KWT", attendees=3)

    page = login(browser_page, live_server, nato_staff, next_path=programme.get_absolute_url())
    panel = page.locator("section#execution")
    panel.wait_for()
    assert panel.locator('input[name="match"]').count() == 1
    assert "BR-EX-1" in panel.inner_text() and "3 attendees" in panel.inner_text()
    panel.get_by_role("button", name="Record as delivered").click()
    page.wait_for_load_state()
    assert "1 delivery(ies) recorded." in page.locator(".messages").inner_text()
    assert "3 participants" in page.locator('tr[data-item="BR-EX-1"]').inner_text()
    # Nothing left to record: the placeholder goes and no panel comes. (A
    # locator's wait: ``wait_for_function`` with an expression is evaluated as a
    # string, which the pages' Content-Security-Policy refuses.)
    page.locator("#execution").wait_for(state="detached")
    assert page.locator("#execution").count() == 0
