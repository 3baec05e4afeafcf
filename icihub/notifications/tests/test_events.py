"""Event-driven notifications: emitted by the services where the state
changes, after commit, to those who may see the record."""

from __future__ import annotations

import pytest
from django.db import transaction

from icihub import notifications
from icihub.notifications.models import Notification
from icihub.programmes import services as programmes
from icihub.training import services as training

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_nomination_decisions_reach_the_countrys_coordinator_only(
    session, kuwaitis, kwt_coordinator, qat_coordinator, centre_staff, run_on_commit
):
    with run_on_commit():
        made = training.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    # two within Kuwait's quota (seats held, waiting for a decision), one waitlisted
    assert kinds_of(kwt_coordinator) == ["nomination_waitlisted"]
    assert kinds_of(centre_staff) == ["nominations_waiting"]
    with run_on_commit():
        training.accept(centre_staff, made[0], reason="fits")
        training.reject(centre_staff, made[1], reason="no clearance")
    assert kinds_of(kwt_coordinator) == [
        "nomination_accepted",
        "nomination_promoted",  # the freed seat went to the waiting nominee
        "nomination_rejected",
        "nomination_waitlisted",
    ]
    rejected = Notification.objects.get(recipient=kwt_coordinator, kind="nomination_rejected")
    assert rejected.object_id == made[1].pk and rejected.params["detail"] == "no clearance"
    promoted = Notification.objects.get(recipient=kwt_coordinator, kind="nomination_promoted")
    assert promoted.object_id == made[2].pk
    assert kinds_of(qat_coordinator) == []


def test_programme_submitted_returned_agreed(
    build_programme, kwt_coordinator, qat_coordinator, nato_staff, run_on_commit
):
    programme = build_programme(kwt_coordinator)
    with run_on_commit():
        programmes.submit(kwt_coordinator, programme)
    assert kinds_of(nato_staff) == ["programme_submitted"]
    assert kinds_of(kwt_coordinator) == []
    with run_on_commit():
        programmes.return_to_draft(nato_staff, programme, reason="Add a goal on cyber defence")
    returned = Notification.objects.get(recipient=kwt_coordinator)
    assert returned.kind == "programme_returned"
    assert returned.params["detail"] == "Add a goal on cyber defence"
    assert returned.params["url"] == programme.get_absolute_url()
    with run_on_commit():
        programmes.submit(kwt_coordinator, programme)
        programmes.agree(nato_staff, programme)
    assert kinds_of(kwt_coordinator) == ["programme_agreed", "programme_returned"]
    assert kinds_of(nato_staff) == ["programme_submitted", "programme_submitted"]
    assert kinds_of(qat_coordinator) == []


def test_request_answered(kwt_coordinator, qat_coordinator, nato_staff, run_on_commit):
    request = programmes.create_request(
        kwt_coordinator, {"kind": "expert", "subject": "An adviser on cyber defence"}
    )
    with run_on_commit():
        programmes.respond(nato_staff, request, response="An adviser comes in May.")
    answered = Notification.objects.get(recipient=kwt_coordinator)
    assert answered.kind == "request_answered" and answered.object_id == request.pk
    assert kinds_of(qat_coordinator) == []


def test_a_rolled_back_change_announces_nothing(
    build_programme, kwt_coordinator, nato_staff, run_on_commit
):
    programme = build_programme(kwt_coordinator)
    with run_on_commit(), transaction.atomic():
        programmes.submit(kwt_coordinator, programme)
        transaction.set_rollback(True)
    assert not Notification.objects.exists()


def test_a_recipient_who_may_not_see_the_record_gets_nothing(
    build_programme, kwt_coordinator, qat_coordinator, run_on_commit
):
    programme = build_programme(kwt_coordinator)
    with run_on_commit():
        notifications.notify(
            "programme_agreed", programme, recipients=[kwt_coordinator, qat_coordinator]
        )
    assert kinds_of(kwt_coordinator) == ["programme_agreed"]
    assert kinds_of(qat_coordinator) == []


def test_notify_refuses_a_record_of_another_model(build_programme, kwt_coordinator):
    programme = build_programme(kwt_coordinator)
    with pytest.raises(ValueError):
        notifications.notify("nomination_accepted", programme)
