"""Journeys in Debian's Chromium (Playwright): the national coordinator's and
the Centre staff's."""

from __future__ import annotations

import re

import pytest

from icihub.testing import live_url, login
from icihub.training import services
from icihub.training.models import Certificate, Nomination

from . import factories

pytestmark = pytest.mark.browser


def test_coordinator_nominates_own_officers_in_priority_order(
    browser_page, live_server, course, centre_staff, kwt_coordinator, qataris
):
    session = factories.make_session(course, centre_staff, capacity=5, quotas={"KWT": 2, "QAT": 2})
    officers = [
        factories.make_participant(centre_staff, "KWT", n, given_name=name, family_name=family)
        for n, (name, family) in enumerate(
            [("Fahad", "Al-Mutairi"), ("Salem", "Al-Azmi"), ("Nawaf", "Al-Kandari")], start=1
        )
    ]
    page = login(browser_page, live_server, kwt_coordinator)
    # Find the open session from the navigation.
    page.goto(live_url(live_server, "/training/sessions/?state=open"))
    page.get_by_role("link", name=re.compile(session.start.strftime("%-d %b %Y"))).click()
    page.get_by_role("link", name="Nominate", exact=True).click()
    # Only Kuwait's people are offered by the picker's search.
    search = page.locator("[data-picker-search]")
    search.fill(qataris[0].family_name)
    page.locator("[data-picker-none]").wait_for()
    # Priority order: Al-Kandari first, then Al-Mutairi, then Al-Azmi.
    for officer in (officers[2], officers[0], officers[1]):
        search.fill(officer.family_name)
        page.locator(f'[data-picker-result][data-id="{officer.pk}"]').wait_for()
        search.press("Enter")
        page.locator(f'[data-picker-item][data-id="{officer.pk}"]').wait_for()
    page.click("#submit-nominations")
    page.wait_for_url(re.compile(rf"/training/sessions/{session.pk}/$"))
    assert (
        "3 nominated: 2 with a seat, 1 on the waiting list."
        in page.locator(".messages").inner_text()
    )
    rows = page.locator("#nominations tbody tr")
    assert rows.count() == 3
    waiting = page.locator('#nominations tr[data-status="waitlisted"]')
    assert waiting.count() == 1
    assert "Al-Azmi" in waiting.inner_text()  # priority 3: beyond Kuwait's quota of two
    assert "Waiting list" in waiting.inner_text()
    priorities = {
        n.participant.family_name: (n.priority, n.status)
        for n in Nomination.objects.filter(session=session).select_related("participant")
    }
    assert priorities == {
        "Al-Kandari": (1, "nominated"),
        "Al-Mutairi": (2, "nominated"),
        "Al-Azmi": (3, "waitlisted"),
    }


def test_a_name_typed_before_the_page_scripts_ran_is_searched_once_they_have(
    browser_page, live_server, course, centre_staff, kwt_coordinator
):
    """The search box shows before the deferred scripts run: what a quick typist
    (or a browser test) enters then is searched when htmx arrives, not lost."""
    session = factories.make_session(course, centre_staff, capacity=5, quotas={"KWT": 2})
    officer = factories.make_participant(centre_staff, "KWT", 1, family_name="Al-Mutairi")
    page = login(browser_page, live_server, kwt_coordinator)
    held = []
    page.route("**/django_htmx/*.js", lambda route: held.append(route))  # held until released
    page.goto(
        live_url(live_server, f"/training/sessions/{session.pk}/nominate/"), wait_until="commit"
    )
    page.locator("[data-picker-search]").fill("Al-Mutairi")
    page.wait_for_function("() => document.readyState !== 'loading'")  # parsed, htmx held
    assert held and page.locator("[data-picker-result]").count() == 0
    for route in held:
        route.continue_()
    page.locator(f'[data-picker-result][data-id="{officer.pk}"]').wait_for()


def test_centre_staff_runs_a_session_from_acceptance_to_verified_certificate(
    browser_page, live_server, centre_staff, kwt_coordinator
):
    course = factories.make_course(centre_staff, level1_evaluation_required=False)
    session = factories.make_session(course, centre_staff, capacity=3, quotas={"KWT": 1})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", n) for n in (1, 2)]
    first, waiting = services.nominate_many(kwt_coordinator, session, kuwaitis)
    assert waiting.status == "waitlisted"

    page = login(
        browser_page, live_server, centre_staff, next_path=f"/training/sessions/{session.pk}/"
    )
    # Accept the nominee holding Kuwait's quota seat.
    page.locator(f'tr[data-nomination="{first.pk}"] button.accept').click()
    page.wait_for_load_state()
    assert (
        page.locator(f'tr[data-nomination="{first.pk}"]').get_attribute("data-status") == "accepted"
    )
    # Release the quotas: the waiting nominee is promoted.
    assert "round-robin" in page.locator("#reallocation-rule").inner_text()
    page.click("#reallocate")
    page.wait_for_load_state()
    assert "Promoted from the waiting list" in page.locator(".messages").inner_text()
    row = page.locator(f'tr[data-nomination="{waiting.pk}"]')
    assert row.get_attribute("data-status") == "nominated"
    assert "reallocated" in row.inner_text()
    row.locator("button.accept").click()
    page.wait_for_load_state()
    # Start the session (ten weeks early: the dates are overridden, with a
    # reason) and record attendance: the first every day, the second one day.
    page.select_option("#id_state", "running")
    page.check("[data-action=override-dates]")
    page.fill("#id_reason", "rehearsal")
    page.click(".state-form button[type=submit]")
    page.wait_for_load_state()
    page.get_by_role("link", name="Attendance", exact=True).click()
    for day in session.days:
        page.check(f"#p-{first.pk}-{day:%Y%m%d}")
    page.check(f"#p-{waiting.pk}-{session.start:%Y%m%d}")
    page.click("#save-attendance")
    page.wait_for_load_state()
    assert "Attendance saved." in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Back to the session").click()
    page.click("#complete")
    page.wait_for_load_state()
    # The confirmation step: irreversible, before the end date (overridden).
    assert "cannot be undone" in page.locator("#complete-confirm").inner_text()
    page.check("#id_override_dates")
    page.fill("#id_reason", "rehearsal")
    page.click("[data-action=confirm-complete]")
    page.wait_for_load_state()
    assert "1 completed; 1 not completed; 0 no-shows" in page.locator(".messages").inner_text()
    page.click("#issue-certificates")
    page.wait_for_load_state()
    assert "1 certificate issued." in page.locator(".messages").inner_text()
    page.locator(f'tr[data-nomination="{first.pk}"]').get_by_role(
        "link", name="certificate"
    ).click()
    code = page.locator("h1 code").inner_text().strip()
    with page.expect_download() as download:
        page.click("#download-pdf")
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename == f"certificate-{code}.pdf"
    # Anyone can check the code, without signing in.
    page.locator("header form.inline button").click()
    page.wait_for_load_state()
    page.goto(live_url(live_server, f"/verify/{code}"))
    verdict = page.locator("[data-verify-result]")
    assert "This certificate is valid." in verdict.inner_text()
    # The holder as printed (issue 14 point 6), the other nominee nowhere.
    assert kuwaitis[0].family_name in verdict.inner_text()
    assert kuwaitis[1].family_name not in page.content()
    # Printed with the address it was issued from: this server.
    assert Certificate.objects.get(code=code).base_url == live_server.url


def test_coordinator_picks_a_substitute_by_typing(
    browser_page, live_server, session, kuwaitis, kwt_coordinator
):
    """The substitute is found by typing part of the name (htmx asks the search
    view), chosen among the rows offered, and posted as an id."""
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    page = login(browser_page, live_server, kwt_coordinator)
    page.goto(live_url(live_server, nomination.get_absolute_url()))
    assert page.locator('select[name="participant"]').count() == 0
    page.fill("#id_participant", kuwaitis[2].family_name[:-1])
    option = page.locator(f'#id_participant-results input[value="{kuwaitis[2].pk}"]')
    option.wait_for()
    option.check()
    page.get_by_role("button", name="Substitute (keeps the seat)").click()
    page.wait_for_load_state()
    assert "Substitute recorded" in page.locator(".messages").inner_text()
    replacement = Nomination.objects.get(session=session, participant=kuwaitis[2])
    assert replacement.substitute_for_id == nomination.pk


def test_anyone_types_a_code_and_sees_the_result(
    browser_page, live_server, centre_staff, kwt_coordinator
):
    course = factories.make_course(centre_staff, level1_evaluation_required=False)
    session = factories.make_session(course, centre_staff, capacity=2, quotas={"KWT": 1})
    person = factories.make_participant(
        centre_staff, "KWT", 1, given_name="Yousef", family_name="Al-Ajmi"
    )
    nomination = services.nominate(kwt_coordinator, session, person)
    services.accept(centre_staff, nomination)
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    services.record_attendance(centre_staff, session, {nomination.pk: set(session.days)})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    certificate = services.issue_certificate(centre_staff, nomination)
    page = browser_page
    page.goto(live_url(live_server, "/verify/"))
    # Typed loosely: lower case, spaces for dashes.
    page.get_by_label("Verification code").fill(certificate.code.lower().replace("-", " "))
    page.get_by_role("button", name="Check", exact=True).click()
    result = page.locator("[data-verify-result]")
    result.wait_for()
    assert page.url.endswith(f"/verify/{certificate.code}")
    assert result.get_attribute("data-state") == "valid"
    assert "This certificate is valid." in result.inner_text()
    holder = result.locator('[data-field="holder"]').inner_text()
    assert "Yousef Al-Ajmi" in holder
    assert course.title in result.locator('[data-field="course"]').inner_text()
    # An unknown code: the same page says so.
    page.get_by_label("Verification code").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_url(re.compile(r"/verify/ZZZZ-ZZZZ-ZZZZ$"))
    assert page.locator("[data-verify-result]").get_attribute("data-state") == "unknown"
    assert "No certificate has this code." in page.locator("[data-verify-result]").inner_text()


@pytest.mark.browser
def test_staff_accept_every_pending_nomination_and_mark_a_day_present_at_once(
    browser_page, live_server, centre_staff, kwt_coordinator
):
    course = factories.make_course(centre_staff, level1_evaluation_required=False)
    session = factories.make_session(course, centre_staff, capacity=4, quotas={"KWT": 3})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", n) for n in (1, 2, 3)]
    made = services.nominate_many(kwt_coordinator, session, kuwaitis)
    page = login(
        browser_page, live_server, centre_staff, next_path=f"/training/sessions/{session.pk}/"
    )
    page.check("[data-action=select-pending]")
    assert page.locator('input[name="nominations"]:checked').count() == 3
    page.click("[data-action=accept-selected]")
    page.wait_for_load_state()
    assert "3 nominations will be accepted" in page.locator("#decide-confirm").inner_text()
    page.click("[data-action=confirm-accept]")
    page.wait_for_load_state()
    assert "3 nominations accepted." in page.locator(".messages").inner_text()
    assert page.locator('#nominations tr[data-status="accepted"]').count() == 3
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    page.goto(live_url(live_server, f"/training/sessions/{session.pk}/attendance/"))
    page.check(f"[data-check-column='{session.start:%Y%m%d}']")
    page.uncheck(f"#p-{made[0].pk}-{session.start:%Y%m%d}")
    page.click("#save-attendance")
    page.wait_for_load_state()
    present = Nomination.objects.filter(
        session=session, attendance__present=True, attendance__day=session.start
    )
    assert set(present.values_list("pk", flat=True)) == {made[1].pk, made[2].pk}
