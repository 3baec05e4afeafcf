"""Issue 14 on the session page: decisions in bulk (all or nothing), the
lifecycle's blockers in one place, the dates ruling the lifecycle (with a
recorded override), evaluations only from attendees, the confirmation steps, and
only the actions that can succeed for the user and the state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.testing import ApiClient, client_for
from icihub.training import lifecycle, services
from icihub.training.models import Attendance, Evaluation, Nomination, Session

from . import factories

SCORES = dict.fromkeys(services.SCORE_FIELDS, 4)


def _statuses(nominations):
    return [Nomination.objects.get(pk=n.pk).status for n in nominations]


@pytest.fixture
def nominated(session, kuwaitis, qataris, kwt_coordinator, qat_coordinator):
    """Two Kuwaitis and a Qatari holding seats (pending), a third Kuwaiti waiting."""
    kwt = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    qat = services.nominate_many(qat_coordinator, session, qataris[:1])
    return kwt + qat


def _run(session, actor, nominations):
    for n in nominations:
        if Nomination.objects.get(pk=n.pk).status == Nomination.Status.NOMINATED:
            services.accept(actor, n)
    services.change_state(actor, session, "running", override_dates=True, reason="test")
    session.refresh_from_db()


# -- decide_many --------------------------------------------------------------------------------


def test_decide_many_accepts_all_in_one_transaction_and_audits_each(
    session, nominated, centre_staff
):
    pending = [n for n in nominated if n.status == Nomination.Status.NOMINATED]
    decided = services.decide_many(
        centre_staff, session, [n.pk for n in pending], "accept", reason="fine"
    )
    assert {n.pk for n in decided} == {n.pk for n in pending}
    assert set(_statuses(pending)) == {"accepted"}
    entries = AuditEntry.objects.filter(action="transition", reason="fine")
    assert entries.count() == len(pending)


def test_decide_many_is_all_or_nothing_and_names_the_row(
    session, nominated, kuwaitis, centre_staff, kwt_coordinator
):
    first, second, waiting, qatari = nominated
    # the waiting Kuwaiti: Kuwait's quota of two is used up, the seat is not free
    with pytest.raises(Conflict) as error:
        services.decide_many(centre_staff, session, [first.pk, waiting.pk], "accept")
    assert "no seat free" in str(error.value)
    assert _statuses([first, waiting]) == ["nominated", "waitlisted"]
    services.withdraw(kwt_coordinator, second)
    with pytest.raises(Conflict) as error:
        services.decide_many(centre_staff, session, [first.pk, second.pk, qatari.pk], "accept")
    assert kuwaitis[1].full_name in str(error.value)
    assert kuwaitis[0].full_name not in str(error.value)
    assert _statuses([first, qatari]) == ["nominated", "nominated"]  # nothing changed


def test_decide_many_refuses_coordinators_other_sessions_and_rejections_without_reason(
    session, course, nominated, centre_staff, kwt_coordinator
):
    ids = [nominated[0].pk]
    with pytest.raises(PermissionDenied):
        services.decide_many(kwt_coordinator, session, ids, "reject", reason="no")
    with pytest.raises(ValidationError) as error:
        services.decide_many(centre_staff, session, ids, "reject", reason=" ")
    assert "reason" in error.value.message_dict
    other = factories.make_session(course, centre_staff, start=session.start + dt.timedelta(1))
    with pytest.raises(ValidationError) as error:
        services.decide_many(centre_staff, other, ids, "accept")
    assert str(ids[0]) in str(error.value)
    assert _statuses(nominated[:1]) == ["nominated"]


def test_reject_many_frees_the_seats_for_the_waiting_list(session, nominated, centre_staff):
    first, second, waiting, _qatari = nominated
    services.decide_many(centre_staff, session, [first.pk], "reject", reason="rank too low")
    assert _statuses([first, waiting]) == ["rejected", "nominated"]  # the seat went on
    session.refresh_from_db()
    assert session.seats_taken == 3


# -- the dates rule the lifecycle ------------------------------------------------------------


def test_a_session_runs_from_its_start_date_unless_centre_staff_override(
    session, nominated, centre_staff, nato_staff
):
    for n in nominated:
        if n.status == Nomination.Status.NOMINATED:
            services.accept(centre_staff, n)
    with pytest.raises(ValidationError) as error:
        services.change_state(centre_staff, session, "running")
    assert "start" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.change_state(centre_staff, session, "running", override_dates=True)
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.change_state(nato_staff, session, "running", override_dates=True, reason="x")
    session.refresh_from_db()
    assert session.state == "open"
    services.change_state(
        centre_staff, session, "running", override_dates=True, reason="the hall is ready"
    )
    session.refresh_from_db()
    assert session.state == "running"
    entry = AuditEntry.objects.filter(action="transition", reason__contains="hall").get()
    assert entry.object_id == str(session.pk) and "before_start" in entry.reason


def test_completion_waits_for_the_end_date_unless_overridden(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    with pytest.raises(ValidationError) as error:
        services.complete_session(centre_staff, session)
    assert "end" in error.value.message_dict
    assert Session.objects.get(pk=session.pk).state == "running"
    services.complete_session(centre_staff, session, override_dates=True, reason="early")
    assert Session.objects.get(pk=session.pk).state == "completed"


def test_a_session_that_has_started_runs_and_completes_without_override(
    session, centre_staff, kwt_coordinator, kuwaitis
):
    [n] = services.nominate_many(kwt_coordinator, session, kuwaitis[:1])
    services.accept(centre_staff, n)
    today = timezone.localdate()  # the session's dates have come (set in the database)
    Session.objects.filter(pk=session.pk).update(
        start=today - dt.timedelta(days=4),
        end=today,
        nomination_deadline=today - dt.timedelta(9),
        reallocation_date=today - dt.timedelta(9),
    )
    services.change_state(centre_staff, session, "running")
    assert services.complete_session(centre_staff, session) == {"no_show": 1}


# -- evaluations only from attendees ------------------------------------------------------------


def test_only_participants_who_attended_evaluate(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    present, absent = nominated[0], nominated[1]
    services.record_attendance(
        centre_staff, session, {present.pk: {session.start}, absent.pk: set()}
    )
    with pytest.raises(ValidationError) as error:
        services.submit_evaluation(centre_staff, absent, SCORES)
    assert "attended" in error.value.message_dict["nomination"][0]
    services.submit_evaluation(centre_staff, present, SCORES)
    # the API: a 4xx naming the field
    response = ApiClient(centre_staff).post(
        "training/evaluations", {"nomination": absent.pk, **SCORES}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "nomination"
    # the form: the error on the page, nothing recorded
    page = client_for(centre_staff).post(
        reverse("training:evaluation_form", args=[absent.pk]),
        dict.fromkeys(services.SCORE_FIELDS, "4"),
    )
    assert page.status_code == 200 and "attended" in page.content.decode()
    assert not Evaluation.objects.filter(nomination=absent).exists()


# -- attendance in one save ------------------------------------------------------------------


def test_all_present_on_a_day_then_untick_individuals(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    accepted = list(session.nominations.filter(status=Nomination.Status.ACCEPTED))
    day1, day2 = session.days[:2]
    absent = accepted[0]
    services.record_attendance(
        centre_staff, session, {absent.pk: {day2}}, all_present_days={day1, day2}
    )
    present = set(
        Attendance.objects.filter(nomination__session=session, present=True).values_list(
            "nomination_id", "day"
        )
    )
    others = {n.pk for n in accepted[1:]}
    assert present == {(pk, d) for pk in others for d in (day1, day2)} | {(absent.pk, day2)}
    with pytest.raises(ValidationError) as error:
        services.record_attendance(
            centre_staff, session, {}, all_present_days={session.end + dt.timedelta(1)}
        )
    assert "all_present_days" in error.value.message_dict


def test_the_attendance_page_marks_everyone_present_on_a_day(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    client = client_for(centre_staff)
    url = reverse("training:session_attendance", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'data-action="all-present"' in page
    client.post(url, {"all_present": f"{session.start:%Y%m%d}"})
    accepted = session.nominations.filter(status=Nomination.Status.ACCEPTED).count()
    assert (
        Attendance.objects.filter(
            nomination__session=session, present=True, day=session.start
        ).count()
        == accepted
    )


# -- the page offers only what can succeed -----------------------------------------------------


def test_staff_see_bulk_actions_and_coordinators_never_reject(
    session, nominated, centre_staff, kwt_coordinator
):
    url = reverse("training:session_detail", args=[session.pk])
    staff = client_for(centre_staff).get(url).content.decode()
    assert 'data-action="accept-selected"' in staff
    assert 'data-action="reject-selected"' in staff
    assert 'data-select-all="nominated"' in staff
    assert f'name="nominations" value="{nominated[0].pk}"' in staff
    # the waiting Kuwaiti has no seat free: no Accept button on that row
    accept_waiting = reverse("training:nomination_accept", args=[nominated[2].pk])
    assert accept_waiting not in staff
    coordinator = client_for(kwt_coordinator).get(url).content.decode()
    assert "Reject" not in coordinator
    assert 'data-action="accept' not in coordinator
    assert 'name="nominations"' not in coordinator
    assert "Withdraw or substitute…" in coordinator
    detail = client_for(kwt_coordinator).get(
        reverse("training:nomination_detail", args=[nominated[0].pk])
    )
    text = detail.content.decode()
    assert 'data-action="reject"' not in text and 'data-action="accept"' not in text
    assert 'data-action="withdraw"' in text


def test_the_lifecycle_offers_the_next_step_first_and_says_what_blocks(
    session, nominated, centre_staff
):
    page = client_for(centre_staff).get(reverse("training:session_detail", args=[session.pk]))
    text = page.content.decode()
    assert '<option value="closed" selected>' in text  # never a step back preselected
    assert '<option value="planned">' in text and "Back to" in text
    assert 'data-blocker="pending_nominations"' in text
    assert "3 pending nominations await a decision" in text
    assert 'data-blocker="before_start"' in text
    assert 'data-blocker="no_instructor"' in text
    # the same blockers refuse the step in the service
    found = lifecycle.blockers(session, Session.State.RUNNING)
    assert [b.code for b in found] == ["pending_nominations", "before_start", "no_instructor"]
    with pytest.raises(Conflict) as error:
        services.change_state(centre_staff, session, "running", override_dates=True, reason="x")
    assert found[0].message in str(error.value)


def test_a_completed_session_offers_no_decisions_edits_or_lifecycle(
    session, nominated, centre_staff, kwt_coordinator
):
    _run(session, centre_staff, nominated)
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    url = reverse("training:session_detail", args=[session.pk])
    for user in (centre_staff, kwt_coordinator):
        text = client_for(user).get(url).content.decode()
        for hook in ("accept-selected", "reject-selected", 'data-action="accept"', "edit"):
            assert hook not in text.replace('data-action="issue', "")
        assert reverse("training:session_edit", args=[session.pk]) not in text
        assert "Reject" not in text and "Withdraw" not in text
        assert 'name="state"' not in text
    accepted = nominated[0]
    detail = client_for(centre_staff).get(reverse("training:nomination_detail", args=[accepted.pk]))
    text = detail.content.decode()
    for action in ("accept", "reject", "withdraw", "substitute"):
        assert f'data-action="{action}"' not in text


# -- confirmation steps ------------------------------------------------------------------------


def test_bulk_decisions_confirm_first_then_decide_all_or_nothing(
    session, nominated, centre_staff, kwt_coordinator
):
    client = client_for(centre_staff)
    url = reverse("training:session_decide", args=[session.pk])
    pending = [n for n in nominated if n.status == Nomination.Status.NOMINATED]
    ask = client.post(url, {"select": "pending"})
    text = ask.content.decode()
    assert ask.status_code == 200 and 'data-action="confirm-accept"' in text
    assert "3 nominations will be accepted" in text
    assert _statuses(pending) == ["nominated"] * 3  # nothing yet
    done = client.post(
        url, {"decision": "accept", "confirm": "1", "nominations": [n.pk for n in pending]}
    )
    assert done.status_code == 302
    assert _statuses(pending) == ["accepted"] * 3
    # a row that cannot be decided: the whole batch is refused and named
    waiting = nominated[2]
    refused = client.post(
        url,
        {
            "decision": "reject",
            "confirm": "1",
            "reason": "late",
            "nominations": [pending[0].pk, waiting.pk, 999999],
        },
    )
    assert refused.status_code == 400 and "999999" in refused.content.decode()
    assert _statuses([pending[0], waiting]) == ["accepted", "waitlisted"]
    assert client_for(kwt_coordinator).post(url, {"select": "pending"}).status_code == 403


def test_complete_asks_first_and_names_the_no_shows(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    accepted = list(session.nominations.filter(status=Nomination.Status.ACCEPTED))
    services.record_attendance(centre_staff, session, {accepted[0].pk: set(session.days)})
    client = client_for(centre_staff)
    url = reverse("training:session_complete", args=[session.pk])
    ask = client.post(url)
    text = ask.content.decode()
    missing = len(accepted) - 1
    assert (
        f"{missing} accepted participants without attendance will be recorded as no-shows; "
        "this cannot be undone" in text
    )
    assert 'name="override_dates"' in text  # it ends in the future
    assert Session.objects.get(pk=session.pk).state == "running"
    refused = client.post(url, {"confirm": "1"})
    assert refused.status_code == 200 and Session.objects.get(pk=session.pk).state == "running"
    client.post(url, {"confirm": "1", "override_dates": "on", "reason": "early"})
    assert Session.objects.get(pk=session.pk).state == "completed"


def test_certificates_say_what_happened_and_link_the_missing_evaluation(
    session, nominated, centre_staff
):
    _run(session, centre_staff, nominated)
    accepted = list(session.nominations.filter(status=Nomination.Status.ACCEPTED))
    services.record_attendance(centre_staff, session, {n.pk: set(session.days) for n in accepted})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    client = client_for(centre_staff)
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    evaluation_url = reverse("training:evaluation_form", args=[accepted[0].pk])
    assert 'data-blocker="evaluation_missing"' in page and evaluation_url in page
    response = client.post(reverse("training:session_certify", args=[session.pk]), follow=True)
    text = response.content.decode()
    assert "Certificates issued." not in text
    assert "certificate issued" not in text.replace("No certificate", "")
    assert f"{len(accepted)} certificates were not issued" in text
    assert "level-1 evaluation" in text
    services.submit_evaluation(centre_staff, accepted[0], SCORES)
    response = client.post(reverse("training:session_certify", args=[session.pk]), follow=True)
    assert "1 certificate issued." in response.content.decode()


# -- the API ----------------------------------------------------------------------------------


def test_the_api_decides_in_bulk_and_says_which_field_is_wrong(
    session, nominated, centre_staff, kwt_coordinator
):
    api = ApiClient(centre_staff)
    path = f"training/sessions/{session.pk}/nominations/decide"
    pending = [n.pk for n in nominated if n.status == Nomination.Status.NOMINATED]
    bad = api.post(path, {"nominations": pending, "decision": "reject"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
    assert api.post(path, {"nominations": [], "decision": "accept"}).status_code == 422
    conflict = api.post(path, {"nominations": [*pending, nominated[2].pk], "decision": "accept"})
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["field"] == "nominations"
    ok = api.post(path, {"nominations": pending, "decision": "accept", "reason": "ok"})
    assert ok.status_code == 200
    assert {row["status"] for row in ok.json()} == {"accepted"}
    assert (
        ApiClient(kwt_coordinator)
        .post(path, {"nominations": pending, "decision": "accept"})
        .status_code
        == 403
    )
    lifecycle_out = api.get(f"training/sessions/{session.pk}/lifecycle").json()
    assert lifecycle_out["next_states"] == ["closed", "running"]
    codes = [b["code"] for b in lifecycle_out["blockers"]["running"]]
    assert codes == ["before_start", "no_instructor"]
    document = api.get("openapi.json").json()
    assert "/api/v1/training/sessions/{pk}/nominations/decide" in document["paths"]


def test_the_api_records_attendance_with_all_present_days(session, nominated, centre_staff):
    _run(session, centre_staff, nominated)
    accepted = list(session.nominations.filter(status=Nomination.Status.ACCEPTED))
    api = ApiClient(centre_staff)
    path = f"training/sessions/{session.pk}/attendance"
    response = api.post(
        path,
        {
            "all_present_days": [session.start.isoformat()],
            "records": [{"nomination": accepted[0].pk, "present_days": []}],
        },
    )
    assert response.status_code == 200
    present = Attendance.objects.filter(
        nomination__session=session, present=True, day=session.start
    )
    assert set(present.values_list("nomination_id", flat=True)) == {n.pk for n in accepted[1:]}
    outside = api.post(path, {"all_present_days": ["2001-01-01"]})
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "all_present_days"
