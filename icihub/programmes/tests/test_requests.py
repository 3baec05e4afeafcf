"""Requests and answers: tracked with dates; the unanswered stay visible with their age."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from icihub.core.access import get_visible
from icihub.core.errors import Conflict
from icihub.programmes import selectors, services
from icihub.programmes.models import PartnerRequest

pytestmark = pytest.mark.django_db


def make(actor, **data):
    data.setdefault("kind", "course_seat")
    data.setdefault("subject", "Seats on the crisis management course")
    return services.create_request(actor, data)


def test_coordinator_files_and_nato_answers(kwt_coordinator, nato_staff, qatar):
    request = make(kwt_coordinator, requested_on=timezone.localdate() - dt.timedelta(days=10))
    assert request.country == kwt_coordinator.country and request.requested_by == kwt_coordinator
    assert request.state == "open" and request.age == 10 and not request.is_overdue
    with pytest.raises(PermissionDenied):
        make(kwt_coordinator, country=qatar)
    with pytest.raises(PermissionDenied):
        services.respond(kwt_coordinator, request, response="Self-answered")
    with pytest.raises(ValidationError):
        services.respond(nato_staff, request, response="  ")
    services.respond(nato_staff, request, response="Two seats offered in June.")
    request.refresh_from_db()
    assert request.state == "answered" and request.responded_by == nato_staff
    assert request.responded_on == timezone.localdate() and request.age == 10
    services.close_request(nato_staff, request, note="Seats taken up")
    request.refresh_from_db()
    assert request.state == "closed"
    with pytest.raises(Conflict):
        services.close_request(nato_staff, request)


def test_unanswered_requests_are_impossible_to_miss(kwt_coordinator, qat_coordinator, nato_staff):
    today = timezone.localdate()
    old = make(
        kwt_coordinator, subject="Training requests of 2006", requested_on=dt.date(2006, 3, 1)
    )
    recent = make(kwt_coordinator, subject="Recent", requested_on=today - dt.timedelta(days=3))
    answered = make(kwt_coordinator, subject="Answered", requested_on=today - dt.timedelta(days=90))
    services.respond(nato_staff, answered, response="Yes")
    qatari = make(qat_coordinator, subject="Qatar's", requested_on=today - dt.timedelta(days=60))
    assert old.is_overdue and old.age == (today - dt.date(2006, 3, 1)).days
    assert not recent.is_overdue
    # Oldest unanswered first, answered after.
    assert [r.subject for r in selectors.requests(nato_staff)] == [
        "Training requests of 2006",
        "Qatar's",
        "Recent",
        "Answered",
    ]
    summary = selectors.unanswered(nato_staff)
    assert (summary.count, summary.overdue, summary.oldest) == (3, 2, old)
    mine = selectors.unanswered(kwt_coordinator)
    assert (mine.count, mine.overdue) == (2, 1)
    assert [r.subject for r in selectors.requests(qat_coordinator)] == ["Qatar's"]
    with pytest.raises(Http404):
        get_visible(PartnerRequest, qat_coordinator, pk=old.pk)
    with pytest.raises(Http404):
        services.respond(qat_coordinator, old, response="x")
    assert qatari.age == 60


def test_request_checks(kwt_coordinator, nato_staff, build_programme):
    with pytest.raises(ValidationError) as excinfo:
        make(kwt_coordinator, wanted_from=dt.date(2026, 5, 1), wanted_to=dt.date(2026, 4, 1))
    assert "wanted_to" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        make(kwt_coordinator, requested_on=timezone.localdate() + dt.timedelta(days=1))
    assert "requested_on" in excinfo.value.message_dict
    qatar_programme = build_programme(nato_staff, "QAT")
    with pytest.raises(ValidationError) as excinfo:
        make(nato_staff, country=kwt_coordinator.country, programme=qatar_programme)
    assert "programme" in excinfo.value.message_dict
    request = make(kwt_coordinator)
    with pytest.raises(ValidationError):
        services.respond(
            nato_staff,
            request,
            response="Later",
            responded_on=request.requested_on - dt.timedelta(days=1),
        )


def test_coordinator_may_withdraw_and_nato_closing_an_open_request_needs_a_note(
    kwt_coordinator, nato_staff
):
    request = make(kwt_coordinator)
    with pytest.raises(ValidationError):
        services.close_request(nato_staff, request)
    services.close_request(kwt_coordinator, request, note="No longer needed")
    request.refresh_from_db()
    assert request.state == "closed" and not request.is_overdue


def test_home_panel_for_coordinators_and_staff(
    kwt_coordinator, qat_coordinator, nato_staff, participant_user
):
    from django.template.loader import render_to_string

    make(kwt_coordinator, subject="Old one", requested_on=dt.date(2006, 3, 1))
    html = render_to_string("programmes/_home_panel.html", selectors.home_panel(kwt_coordinator))
    assert 'data-unanswered="1"' in html and "Old one" in html
    assert "Old one" in render_to_string(
        "programmes/_home_panel.html", selectors.home_panel(nato_staff)
    )
    assert (
        render_to_string(
            "programmes/_home_panel.html", selectors.home_panel(qat_coordinator)
        ).strip()
        == ""
    )
    assert selectors.home_panel(participant_user) == {"unanswered": None}


def test_a_programme_page_lists_the_oldest_unanswered_requests_and_links_to_all(
    kwt_coordinator, nato_staff, build_programme
):
    from icihub.programmes.selectors import OPEN_REQUESTS_SHOWN
    from icihub.testing import client_for

    programme = build_programme(nato_staff, "KWT")
    today = timezone.localdate()
    total = OPEN_REQUESTS_SHOWN + 3
    for i in range(total):
        make(kwt_coordinator, subject=f"Request {i:02d}", requested_on=today - dt.timedelta(days=i))
    rows, count = selectors.open_requests_for(programme, nato_staff)
    assert count == total and len(rows) == OPEN_REQUESTS_SHOWN
    # The oldest first: the one asked for total - 1 days ago.
    assert [r.subject for r in rows] == [f"Request {i:02d}" for i in range(total - 1, 2, -1)]
    page = client_for(nato_staff).get(programme.get_absolute_url()).content.decode()
    assert f"{total} requests of" in page and "Request 12" in page and "Request 02" not in page
    link = "?country=KWT&amp;state=open"
    assert link in page
    listed = client_for(nato_staff).get("/programmes/requests/" + link.replace("&amp;", "&"))
    assert listed.status_code == 200 and listed.content.decode().count("Request ") >= total
    # Under the cap: every request shown, no link.
    for request in PartnerRequest.objects.filter(
        subject__in=["Request 00", "Request 01", "Request 02"]
    ):
        services.close_request(kwt_coordinator, request, note="No longer needed")
    rows, count = selectors.open_requests_for(programme, nato_staff)
    assert count == len(rows) == OPEN_REQUESTS_SHOWN
    assert link not in client_for(nato_staff).get(programme.get_absolute_url()).content.decode()
