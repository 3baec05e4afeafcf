"""Each role's daily work in Debian's Chromium (Playwright), from the home page's
work queues, with a click counter (issue 14: "Playwright journeys for each role
do the daily work in at most half today's clicks, and they assert the work
queues' contents").

The chain a coordinator nominates, Centre staff accept, the session runs, the
certificate is verified took 64 clicks before the queues, the picker and the
verify page; the target is 32. Every click and every Enter that submits goes
through :class:`Clicks`. Choosing a person in the nomination picker (typing a
name, Enter adds the first match) is counted apart, as ``picks``: it is the
data the coordinator enters, one per person, like typing the certificate code.

The Centre staff's steps are each in their own function, on the session page's
bulk controls (select the pending, accept or reject the selection, "all
present" per day, Complete with its confirmation). Each role's click budget is
asserted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from icihub.dialogue.models import FollowUpAction
from icihub.dialogue.tests.helpers import make_event
from icihub.programmes import services as programmes
from icihub.programmes.models import Programme
from icihub.testing import live_url, login
from icihub.training import services
from icihub.training.models import Certificate, Nomination, Session
from icihub.training.tests import factories
from icihub.training.tests.test_browser_picker import bulk_people

pytestmark = pytest.mark.browser

COORDINATOR_BUDGET = 4  # open the session, Nominate, submit, back home
PUBLIC_BUDGET = 1  # the code typed, Enter
# Open the session from the queue (1); accept 15 of 20: select the pending,
# untick 5, accept, confirm (8); reject the rest: select, reject, confirm (3);
# start (1); attendance: open, "all present" on 5 days, save, back (8);
# complete and confirm (2); issue the certificates (1).
STAFF_BUDGET = 24
# The whole chain: 4 + 24 + 1 = 29 clicks, against 64 before (at most 32).


class Clicks:
    """Clicks and Enter-submits on ``page``, counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        self.picks = 0

    def click(self, target) -> None:
        """``target``: a selector or a locator."""
        self.count += 1
        if isinstance(target, str):
            self.page.click(target)
        else:
            target.click()

    def check(self, selector: str) -> None:
        self.count += 1
        self.page.check(selector)

    def submit(self, locator) -> None:
        """Enter in a field that submits its form."""
        self.count += 1
        locator.press("Enter")

    def pick(self, locator) -> None:
        """Enter in the picker's search: adds the first match to the list."""
        self.picks += 1
        locator.press("Enter")


def queue(page, key: str):
    return page.locator(f'[data-queue="{key}"]')


def queue_ids(page, key: str) -> list[int]:
    items = queue(page, key).locator("[data-queue-item]")
    return [int(i) for i in items.evaluate_all("els => els.map(e => e.dataset.queueItem)")]


def queue_count(page, key: str) -> int:
    return int(queue(page, key).get_attribute("data-count"))


def nav_badge(page, label: str) -> int | None:
    badge = page.locator(f'nav summary:has-text("{label}") .nav-badge')
    return int(badge.inner_text()) if badge.count() else None


# -- the national coordinator --------------------------------------------------------------


def test_coordinator_nominates_twenty_from_two_thousand(
    browser_page, live_server, centre_staff, kwt_coordinator
):
    course = factories.make_course(centre_staff)
    session = factories.make_session(course, centre_staff, capacity=30, quotas={"KWT": 15})
    bulk_people("KWT", 2000, prefix="Crowd")
    # 20 spread over the list, each name a prefix of no other (Crowd1000 starts with Crowd100)
    chosen = [f"Crowd{i:03}" for i in range(200, 1000, 40)]
    assert len(chosen) == 20

    page = login(browser_page, live_server, kwt_coordinator)
    clicks = Clicks(page)
    # The home page: the session open to Kuwait, all 15 quota seats free.
    assert queue_ids(page, "open-sessions") == [session.pk]
    row = queue(page, "open-sessions").locator(f'[data-queue-item="{session.pk}"]')
    assert row.get_attribute("data-free") == "15"
    assert queue(page, "my-nominations").locator("[data-empty]").count() == 1

    clicks.click(row.get_by_role("link"))
    page.wait_for_url(re.compile(rf"/training/sessions/{session.pk}/$"))
    clicks.click(page.get_by_role("link", name="Nominate", exact=True))
    # Type only once the page's scripts (htmx, the picker) listen: a click
    # waits for the navigation to commit, not for the deferred scripts.
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    search = page.locator("[data-picker-search]")
    for given in chosen:
        search.fill(f"Al-{given}")
        page.locator(f'[data-picker-result]:has-text("Al-{given}")').wait_for(timeout=30_000)
        clicks.pick(search)
        page.locator(f'[data-picker-item]:has-text("Al-{given}")').wait_for()
    expect(page.locator("[data-picker-count]")).to_have_text("20 selected")
    clicks.click("#submit-nominations")
    page.wait_for_url(re.compile(rf"/training/sessions/{session.pk}/$"))
    assert "20 nominated" in page.locator(".messages").inner_text()

    # Back home: the nominations' states and the seats left.
    clicks.click("header a.brand")
    page.wait_for_url(live_url(live_server, "/"))
    states = queue(page, "my-nominations")
    assert queue_count(page, "my-nominations") == 20
    assert states.locator('[data-state="nominated"]').get_attribute("data-count") == "15"
    assert states.locator('[data-state="waitlisted"]').get_attribute("data-count") == "5"
    assert len(queue_ids(page, "my-nominations")) == 10  # the ten latest changes
    row = queue(page, "open-sessions").locator(f'[data-queue-item="{session.pk}"]')
    assert row.get_attribute("data-free") == "0"

    assert clicks.picks == 20
    assert clicks.count <= COORDINATOR_BUDGET, clicks.count


# -- Centre staff ---------------------------------------------------------------------------


def accept_selected(page, n: int, clicks: Clicks) -> None:
    """Accept ``n`` of the nominations waiting for a decision at once: select
    every pending one, untick the others, accept the selection, confirm."""
    clicks.check("[data-action=select-pending]")
    boxes = page.locator('#nomination-actions input[data-select="nominated"]')
    for i in range(n, boxes.count()):
        clicks.count += 1
        boxes.nth(i).uncheck()
    clicks.click("[data-action=accept-selected]")
    page.locator("#decide-confirm").wait_for()
    clicks.click("[data-action=confirm-accept]")
    page.wait_for_load_state()


def reject_rest(page, reason: str, clicks: Clicks) -> None:
    """Reject every nomination still waiting at once, with one reason (a session
    starts only when all are decided)."""
    clicks.check("[data-action=select-pending]")
    clicks.click("[data-action=reject-selected]")
    page.locator("#decide-confirm").wait_for()
    page.fill("#decide-reason", reason)
    clicks.click("[data-action=confirm-reject]")
    page.wait_for_load_state()


def start(page, clicks: Clicks) -> None:
    """Move the session to running: the lifecycle control offers the next state first."""
    assert page.locator("#id_state option:checked").get_attribute("value") == "running"
    clicks.click("[data-action=change-state]")
    page.wait_for_load_state()


def mark_attendance(page, days: list[dt.date], clicks: Clicks) -> None:
    """Everyone accepted present on each of ``days``: one "all present" per day."""
    clicks.click(page.get_by_role("link", name="Attendance", exact=True))
    page.locator("table.attendance tbody tr").first.wait_for()
    for day in days:
        clicks.check(f"[data-check-column='{day:%Y%m%d}']")
    clicks.click("#save-attendance")
    assert "Attendance saved." in page.locator(".messages").inner_text()
    clicks.click(page.get_by_role("link", name="Back to the session"))


def complete(page, clicks: Clicks) -> None:
    """Complete: the confirmation names the consequence first."""
    clicks.click("#complete")
    page.locator("#complete-confirm").wait_for()
    assert "cannot be undone" in page.locator("#complete-confirm").inner_text()
    clicks.click("[data-action=confirm-complete]")
    page.wait_for_load_state()


def issue_certificates(page, clicks: Clicks) -> None:
    clicks.click("#issue-certificates")
    page.wait_for_load_state()


def run_the_course_now(session: Session) -> Session:
    """Weeks pass: the session's five days are the last five (ending yesterday),
    so the dates allow it to run and to be completed without an override."""
    today = timezone.localdate()
    end = today - dt.timedelta(days=1)
    begin = end - dt.timedelta(days=(session.end - session.start).days)
    Session.objects.filter(pk=session.pk).update(
        start=begin,
        end=end,
        nomination_deadline=begin - dt.timedelta(weeks=2),
        reallocation_date=begin - dt.timedelta(weeks=1),
    )
    session.refresh_from_db()
    return session


def test_centre_staff_decide_run_complete_and_certify(
    browser_page, live_server, centre_staff, kwt_coordinator, qat_coordinator
):
    course = factories.make_course(centre_staff, level1_evaluation_required=False)
    session = factories.make_session(
        course, centre_staff, capacity=45, quotas={"KWT": 20, "QAT": 25}
    )
    kuwaitis = bulk_people("KWT", 20, prefix="Kuwaiti")
    qataris = bulk_people("QAT", 25, prefix="Qatari")
    for n in services.nominate_many(qat_coordinator, session, qataris):
        services.accept(centre_staff, n)
    to_decide = services.nominate_many(kwt_coordinator, session, kuwaitis)
    assert {n.status for n in to_decide} == {"nominated"}

    page = login(browser_page, live_server, centre_staff)
    clicks = Clicks(page)
    # The home page: the 20 waiting for a decision, in the badge and the queue.
    assert queue_count(page, "nominations-to-decide") == 20
    group = queue(page, "nominations-to-decide").locator(f'[data-session-id="{session.pk}"]')
    assert group.locator("[data-queue-item]").count() == 10  # ten shown, "see all 20"
    see_all = queue(page, "nominations-to-decide").locator("[data-see-all]")
    assert see_all.get_attribute("data-count") == "20"
    assert nav_badge(page, "Training") == 20
    assert queue(page, "certificates-to-issue").locator("[data-empty]").count() == 1

    clicks.click(group.get_by_role("link", name=re.compile(course.title)))
    page.wait_for_url(re.compile(rf"/training/sessions/{session.pk}/$"))
    accept_selected(page, 15, clicks)
    assert Nomination.objects.filter(session=session, status="accepted").count() == 40
    reject_rest(page, "No seat left", clicks)
    assert Nomination.objects.filter(session=session, status="rejected").count() == 5
    session = run_the_course_now(session)
    page.reload()
    start(page, clicks)
    mark_attendance(page, session.days, clicks)
    complete(page, clicks)
    assert "40 completed" in page.locator(".messages").inner_text()

    # Home again: the 40 certificates wait; no nomination is left to decide.
    page.goto(live_url(live_server, "/"))
    assert queue_count(page, "certificates-to-issue") == 40
    assert queue(page, "nominations-to-decide").locator("[data-empty]").count() == 1
    page.goto(live_url(live_server, f"/training/sessions/{session.pk}/"))
    issue_certificates(page, clicks)
    assert "40 certificates issued." in page.locator(".messages").inner_text()
    assert Certificate.objects.filter(nomination__session=session).count() == 40
    page.goto(live_url(live_server, "/"))
    assert queue(page, "certificates-to-issue").locator("[data-empty]").count() == 1
    assert clicks.count <= STAFF_BUDGET, clicks.count


# -- the public ------------------------------------------------------------------------------


def test_anyone_verifies_a_certificate_by_typing_its_code(
    browser_page, live_server, centre_staff, kwt_coordinator
):
    course = factories.make_course(centre_staff, level1_evaluation_required=False)
    session = factories.make_session(course, centre_staff, capacity=2, quotas={"KWT": 1})
    person = factories.make_participant(
        centre_staff, "KWT", 1, given_name="Hamad", family_name="Al-Rashidi"
    )
    nomination = services.nominate(kwt_coordinator, session, person)
    services.accept(centre_staff, nomination)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    services.record_attendance(centre_staff, session, {nomination.pk: set(session.days)})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    certificate = services.issue_certificate(centre_staff, nomination)

    page = browser_page
    clicks = Clicks(page)
    page.goto(live_url(live_server, "/verify/"))
    field = page.get_by_label("Verification code")
    field.fill(certificate.code)
    clicks.submit(field)
    result = page.locator("[data-verify-result]")
    result.wait_for()
    assert result.get_attribute("data-state") == "valid"
    assert "Hamad Al-Rashidi" in result.locator('[data-field="holder"]').inner_text()
    assert course.title in result.locator('[data-field="course"]').inner_text()
    assert clicks.count <= PUBLIC_BUDGET, clicks.count


# -- NATO staff ------------------------------------------------------------------------------


def test_nato_staff_see_their_queues_and_close_two_actions_at_once(
    browser_page, live_server, nato_staff, kwt_coordinator
):
    programme = programmes.create_programme(
        kwt_coordinator,
        {"country": kwt_coordinator.country, "kind": "itpp", "start_year": 2025, "end_year": 2028},
    )
    Programme.objects.filter(pk=programme.pk).update(
        state=Programme.State.SUBMITTED, submitted_at=timezone.now()
    )
    request = programmes.create_request(
        kwt_coordinator,
        {
            "kind": "expert",
            "subject": "Advice on maritime security",
            "requested_on": timezone.localdate() - dt.timedelta(days=5),
        },
    )
    event = make_event("Staff talks", actions=0, overdue=3)
    overdue = list(event.actions.order_by("pk"))

    page = login(browser_page, live_server, nato_staff)
    clicks = Clicks(page)
    assert queue_ids(page, "programmes-to-answer") == [programme.pk]
    assert queue_ids(page, "requests-to-answer") == [request.pk]
    assert sorted(queue_ids(page, "actions-due")) == [a.pk for a in overdue]
    assert queue_count(page, "actions-due") == 3

    actions = queue(page, "actions-due")
    for action in overdue[:2]:
        clicks.click(actions.locator(f'input[name="ids"][value="{action.pk}"]'))
    clicks.click(actions.locator('[data-action="close-selected"]'))
    assert page.locator("[data-confirm-list] li").count() == 2
    # The confirmation page is the confirmation: no browser dialog (Playwright
    # dismisses dialogs, so one would cancel the submit and time out here).
    clicks.click('[data-action="confirm-close"]')
    page.wait_for_url(live_url(live_server, "/"))
    assert "2 actions closed." in page.locator(".messages").inner_text()
    assert queue_ids(page, "actions-due") == [overdue[2].pk]
    assert queue_count(page, "actions-due") == 1
    states = dict(FollowUpAction.objects.filter(event=event).values_list("pk", "state"))
    assert states == {overdue[0].pk: "done", overdue[1].pk: "done", overdue[2].pk: "open"}
    assert clicks.count == 4
