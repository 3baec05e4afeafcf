"""Time-driven notifications (daily jobs) and the digest: each notice once,
each user's digest once a day, one failure does not sink the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from icihub.core import jobs as schedule
from icihub.core.access import Marking
from icihub.dialogue.models import FollowUpAction
from icihub.dialogue.tests.helpers import make_event
from icihub.notifications import jobs, services
from icihub.notifications.models import Digest, Notification
from icihub.programmes import services as programmes
from icihub.training import services as training

pytestmark = pytest.mark.django_db


def of(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return list(qs.filter(kind=kind) if kind else qs)


def test_the_jobs_are_on_the_schedule():
    names = set(schedule.jobs(overrides={}))
    assert {
        "notify-deadlines",
        "notify-sessions-undecided",
        "notify-requests-overdue",
        "notify-actions-due",
        "send-digest",
    } <= names


def test_a_nomination_deadline_in_seven_days_once(session, kwt_coordinator, qat_coordinator):
    deadline = session.nomination_deadline
    assert jobs.deadlines_soon(deadline - dt.timedelta(days=8)).startswith(
        "nomination deadlines: 0 record(s)"
    )
    assert not Notification.objects.exists()
    jobs.deadlines_soon(deadline - dt.timedelta(days=7))
    jobs.deadlines_soon(deadline - dt.timedelta(days=6))  # the next day: not again
    for coordinator in (kwt_coordinator, qat_coordinator):
        [notice] = of(coordinator, "deadline_soon")
        assert notice.object_id == session.pk and notice.key == deadline.isoformat()
        assert notice.params["date"] == deadline.isoformat()


def test_a_nato_only_session_is_not_announced_to_coordinators(
    course, session, kwt_coordinator, centre_staff
):
    course.marking = Marking.NATO
    course.save()
    jobs.deadlines_soon(session.nomination_deadline - dt.timedelta(days=7))
    assert not of(kwt_coordinator)


def test_a_session_due_to_start_with_undecided_nominations(
    session, kuwaitis, kwt_coordinator, centre_staff, nato_staff
):
    start = session.start
    jobs.sessions_undecided(start - dt.timedelta(days=5))
    assert not Notification.objects.exists()  # nobody nominated yet
    nomination = training.nominate(kwt_coordinator, session, kuwaitis[0])
    jobs.sessions_undecided(start - dt.timedelta(days=5))
    jobs.sessions_undecided(start - dt.timedelta(days=4))
    [notice] = of(centre_staff)
    assert notice.kind == "session_undecided" and notice.object_id == session.pk
    assert not of(nato_staff) and not of(kwt_coordinator)
    # decided: a later session day finds nothing undecided
    training.accept(centre_staff, nomination)
    Notification.objects.all().delete()
    jobs.sessions_undecided(start - dt.timedelta(days=3))
    assert not Notification.objects.exists()


def test_an_overdue_request_once(settings, kwt_coordinator, nato_staff, administrator):
    settings.ICIHUB_REQUEST_OVERDUE_DAYS = 30
    today = timezone.localdate()
    late = programmes.create_request(
        kwt_coordinator,
        {"kind": "expert", "subject": "Late", "requested_on": today - dt.timedelta(days=31)},
    )
    programmes.create_request(
        kwt_coordinator,
        {"kind": "expert", "subject": "Young", "requested_on": today - dt.timedelta(days=29)},
    )
    jobs.requests_overdue(today)
    jobs.requests_overdue(today + dt.timedelta(days=1))
    [notice] = of(nato_staff)
    assert notice.kind == "request_overdue" and notice.object_id == late.pk
    assert not of(kwt_coordinator) and not of(administrator)


def test_an_action_due_tells_nato_staff_and_its_owner(nato_staff, kwt_coordinator):
    event = make_event(participants=("KWT",))
    today = timezone.localdate()
    action = FollowUpAction.objects.create(
        event=event, description="Send the seminar report", owner_user=kwt_coordinator, due=today
    )
    FollowUpAction.objects.create(
        event=event,
        description="Far away",
        owner_user=kwt_coordinator,
        due=today + dt.timedelta(days=30),
    )
    jobs.actions_due(today - dt.timedelta(days=7))
    jobs.actions_due(today)
    assert [n.object_id for n in of(nato_staff)] == [action.pk]
    assert [n.object_id for n in of(kwt_coordinator)] == [action.pk]
    # a new due date is a new notice
    action.due = today + dt.timedelta(days=2)
    action.save()
    jobs.actions_due(today)
    assert len(of(kwt_coordinator)) == 2


def test_one_failing_record_does_not_sink_the_rest(
    monkeypatch, session, kwt_coordinator, centre_staff
):
    deadline = session.nomination_deadline
    original = services.deliver
    calls = []

    def flaky(kind, label, pk, **kwargs):
        calls.append(pk)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return original(kind, label, pk, **kwargs)

    from icihub.training.tests import factories

    other = factories.make_session(
        session.course,
        centre_staff,
        start=session.start + dt.timedelta(days=1),
        nomination_deadline=deadline,
    )
    monkeypatch.setattr(services, "deliver", flaky)
    with pytest.raises(jobs.Failures, match="1 failed"):
        jobs.deadlines_soon(deadline - dt.timedelta(days=7))
    assert len(calls) == 2
    assert len(of(kwt_coordinator)) == 1
    # the retry does the failed one and does not repeat the other
    monkeypatch.setattr(services, "deliver", original)
    jobs.deadlines_soon(deadline - dt.timedelta(days=7))
    assert sorted(n.object_id for n in of(kwt_coordinator)) == sorted([session.pk, other.pk])


def test_the_digest_one_email_per_user_per_day(
    build_programme, kwt_coordinator, qat_coordinator, nato_staff
):
    services.set_preferences(kwt_coordinator, channels={"programme_returned": "digest"})
    services.set_preferences(kwt_coordinator, channels={"programme_agreed": "digest"})
    programme = build_programme(kwt_coordinator)
    for action in ("submit", "return", "submit", "agree"):
        services_kwargs = {"reason": "Please add a goal"} if action == "return" else {}
        programmes.transition(
            nato_staff if action != "submit" else kwt_coordinator,
            programme,
            action,
            **services_kwargs,
        )
    # (inside the test's transaction nothing was delivered: deliver by hand)
    for kind in ("programme_returned", "programme_agreed"):
        services.deliver(kind, "programmes.Programme", programme.pk)
    mail.outbox.clear()
    today = timezone.localdate()
    assert jobs.digests(today) == "digests: 1 sent, 2 notification(s)"
    [message] = mail.outbox
    assert message.to == [kwt_coordinator.email]
    body = message.body
    assert "was returned to draft" in body and "was agreed" in body
    assert Digest.objects.get(user=kwt_coordinator, day=today).sent_at is not None
    # run again the same day (a retry): nothing more
    assert jobs.digests(today) == "digests: 0 sent, 0 notification(s)"
    # a new notice the same day waits for tomorrow's digest
    services.deliver("programme_agreed", "programmes.Programme", programme.pk)
    assert jobs.digests(today) == "digests: 0 sent, 0 notification(s)"
    assert jobs.digests(today + dt.timedelta(days=1)) == "digests: 1 sent, 1 notification(s)"
    assert len(mail.outbox) == 2
    assert not of(qat_coordinator)


def test_the_scheduled_function_uses_the_runs_due_day(monkeypatch, session, kwt_coordinator):
    seen = []
    monkeypatch.setattr(jobs, "deadlines_soon", lambda day: seen.append(day) or "ok")

    class Run:
        due_at = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)

    assert jobs.notify_deadlines(Run()) == "ok"
    assert seen == [dt.date(2026, 3, 1)]
