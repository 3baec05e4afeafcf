"""axe-core (from npm: ``make axe-core``) in Chromium against the main pages, as
anonymous visitors and each role see them, in English and in Arabic: no serious
or critical violation, and no table column without a header.

One browser session for every page (axe is injected into each page); a year of the Centre's work is built first so that lists, records,
charts and reports have something to show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from icihub.testing import live_url, login

pytestmark = pytest.mark.browser

AXE_JS = Path(settings.BASE_DIR).parent / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "ar")
# serious and critical violations fail; so does one rule of lesser impact the
# pages broke before (issue 14): an action column without a header.
FAILING_IMPACTS = {"serious", "critical"}
FAILING_RULES = {"empty-table-header"}

RUN_AXE = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " | " + n.failureSummary),
    }));
}"""


def _data(centre_staff, nato_staff, kwt_coordinator, qat_coordinator):
    """A year of work (reports' builder), a certificate and a plan."""
    from icihub.partners.models import Person
    from icihub.planning import services as planning
    from icihub.reports.tests.builders import build_year
    from icihub.training import services as training
    from icihub.training.models import Certificate

    year = build_year(centre_staff, nato_staff, kwt_coordinator, qat_coordinator)
    training.issue_certificates(centre_staff, year.sessions["s1"])
    certificate = Certificate.objects.order_by("pk").first()
    plan = planning.create_plan(centre_staff, year.today.year + 1, propose=False)
    person = Person.objects.order_by("pk").first()
    return year, certificate, plan, person


def _pages(year, certificate, plan, person):
    course, session = year.courses["c1"], year.sessions["s1"]
    event = next(iter(year.events.values()))
    participant = year.people["k1"]
    verify = f"/verify/{certificate.code}" if certificate else "/verify/NO-SUCH-CODE"
    return {
        None: ["/accounts/login/", "/", "/verify/", verify, "/reports/public/", "/calendar/"],
        "centre_staff": [
            "/",
            "/partners/countries/",
            "/partners/countries/KWT/",
            "/partners/partnerships/",
            "/partners/organisations/",
            "/partners/organisations/nato-ici-rc/",
            "/partners/people/",
            f"/partners/people/{person.slug}/",
            "/menu/",
            f"/menu/activities/{course.pk}/",
            "/training/courses/",
            course.get_absolute_url(),
            "/training/sessions/",
            session.get_absolute_url(),
            "/training/participants/",
            participant.get_absolute_url(),
            "/training/certificates/",
            "/training/nominations/",
            "/training/instructors/",
            "/programmes/",
            year.programme.get_absolute_url(),
            "/programmes/requests/",
            "/dialogue/",
            event.get_absolute_url(),
            "/dialogue/actions/",
            "/dialogue/timeline/",
            f"/reports/?from={year.period.start}&to={year.period.end}",
            "/reports/annual/",
            "/reports/country/KWT/",
            "/planning/",
            plan.get_absolute_url(),
            "/calendar/",
            "/sources/",
        ],
        "kwt_coordinator": ["/", "/training/sessions/", "/programmes/"],
        "nato_staff": ["/"],
        "instructor_user": ["/"],
        "participant_user": ["/"],
    }


def test_the_main_pages_have_no_serious_accessibility_violation(
    browser_page,
    live_server,
    centre_staff,
    nato_staff,
    kwt_coordinator,
    qat_coordinator,
    instructor_user,
    participant_user,
):
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make axe-core` (npm).", pytrace=False)
    accounts = {
        "centre_staff": centre_staff,
        "nato_staff": nato_staff,
        "kwt_coordinator": kwt_coordinator,
        "instructor_user": instructor_user,
        "participant_user": participant_user,
    }
    pages = _pages(*_data(centre_staff, nato_staff, kwt_coordinator, qat_coordinator))
    page = browser_page
    context = page.context
    # in every page before its own scripts (page.add_script_tag would be an
    # inline script, which the Content Security Policy refuses)
    context.add_init_script(path=str(AXE_JS))

    def language(code):
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}]
        )

    found, checked = [], 0
    for role, paths in pages.items():
        context.clear_cookies()
        if role:
            language("en")
            login(page, live_server, accounts[role])
        for path in paths:
            for code in LANGUAGES:
                language(code)
                response = page.goto(live_url(live_server, path))
                assert response.status == 200, (role, code, path, response.status)
                assert page.locator("html").get_attribute("lang") == code, (role, path)
                checked += 1
                for violation in page.evaluate(RUN_AXE):
                    if violation["impact"] in FAILING_IMPACTS or violation["id"] in FAILING_RULES:
                        found.append({"role": role, "language": code, "path": path, **violation})
    assert checked >= 2 * 30
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


def test_a_success_message_is_announced(browser_page, live_server, participant_user):
    """The message a page arrives with sits in a live region (role="status"),
    and is said again in the hidden announcer once the page is ready: screen
    readers announce changes to live regions, not what they held at load."""
    from playwright.sync_api import expect

    from icihub.testing import PASSWORD

    page = login(browser_page, live_server, participant_user, next_path="/accounts/password/")
    form = page.locator("main form")
    form.locator("input[name=old_password]").fill(PASSWORD)
    form.locator("input[name=new_password1]").fill("Another-Horse-Battery-7")
    form.locator("input[name=new_password2]").fill("Another-Horse-Battery-7")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    region = page.locator("#messages")
    assert region.get_attribute("role") == "status"
    expect(region.locator("li.msg-success")).to_have_text("Your password has been changed.")
    announcer = page.locator("#announcer")
    assert announcer.get_attribute("role") == "status"
    expect(announcer).to_have_text("Your password has been changed.")
    # a page without a message announces nothing
    page.goto(live_url(live_server, "/"))
    expect(page.locator("#messages")).to_have_text("")
    page.wait_for_timeout(500)
    expect(page.locator("#announcer")).to_have_text("")
