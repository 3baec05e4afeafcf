"""Seats are never over-allocated, even when nominations for the last seat
arrive at the same moment: the session row is locked (select_for_update) in the
service transaction, and a check constraint keeps seats_taken within the
capacity. Runs against PostgreSQL only (DATABASE_URL), with real threads and
transactions."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from icihub.testing import race, skip_unless_postgres
from icihub.training import services
from icihub.training.models import Nomination, Session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    skip_unless_postgres()


def test_concurrent_nominations_for_the_last_seat(course, centre_staff, qat_coordinator):
    from . import factories

    session = factories.make_session(course, centre_staff, capacity=3, quotas={"KWT": 2, "QAT": 1})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 9)]
    from icihub.testing import make_user

    coordinators = [make_user("coordinator", "KWT", username=f"kwt-{i}") for i in range(8)]
    services.nominate(coordinators[0], session, kuwaitis[0])  # one Kuwaiti seat left

    def nominate(i):
        return lambda: services.nominate(coordinators[i], session, kuwaitis[i])

    results = race([nominate(i) for i in range(1, 8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    seated = [r for r in results if r.has_seat]
    assert len(seated) == 1, "exactly one of the racing nominations gets the last seat"
    assert sum(1 for r in results if r.status == "waitlisted") == 6
    session.refresh_from_db()
    assert session.seats_taken == 2 == Nomination.objects.filter(has_seat=True).count()


def test_concurrent_acceptances_after_release_never_overfill(course, centre_staff):
    from . import factories

    session = factories.make_session(course, centre_staff, capacity=2, quotas={"KWT": 1})
    people = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 7)]
    made = services.nominate_many(centre_staff, session, people)
    assert sum(1 for n in made if n.has_seat) == 1
    Session.objects.filter(pk=session.pk).update(quotas_released_at="2026-01-01T00:00:00Z")
    staff = [factories_user(i) for i in range(5)]
    waiting = [n for n in made if not n.has_seat]

    def accept(i):
        return lambda: services.accept(staff[i], waiting[i])

    results = race([accept(i) for i in range(5)])
    accepted = [r for r in results if isinstance(r, Nomination)]
    assert len(accepted) == 1
    assert all("No seat is free" in str(r) for r in results if not isinstance(r, Nomination))
    session.refresh_from_db()
    assert session.seats_taken == 2


def factories_user(i):
    from icihub.testing import make_user

    return make_user("centre_staff", username=f"centre-{i}")


def test_the_database_refuses_more_seats_than_the_capacity(course, centre_staff):
    from . import factories

    session = factories.make_session(course, centre_staff, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(seats_taken=2)


def _in_thread(work):
    """Run ``work`` in another thread (its own database connection) and wait."""
    result = race([work])[0]
    if isinstance(result, Exception):
        raise result
    return result


def test_a_concurrent_withdrawal_during_the_daily_run(
    course, centre_staff, kwt_coordinator, monkeypatch
):
    """Issue 15, defect 3: a waiting nominee withdrawn on another connection
    while the run is under way; every session is still reallocated."""
    from . import factories

    people = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 5)]
    due = factories.make_due_sessions(course, centre_staff, kwt_coordinator, people)
    victims = [
        due[i].nominations.filter(status=Nomination.Status.WAITLISTED).order_by("priority").first()
        for i in (4, 9)
    ]
    original = services._promotion_plan
    calls = {"n": 0}

    def plan(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] in (2, 7):  # while session 2 (then 7) is locked by the run
            victim = victims[0 if calls["n"] == 2 else 1]
            _in_thread(lambda: services.withdraw(kwt_coordinator, victim, reason="concurrent"))
        return original(*args, **kwargs)

    monkeypatch.setattr(services.reallocation, "_promotion_plan", plan)
    report = services.reallocate(due[0].reallocation_date)
    assert report.ok, [r.as_dict() for r in report.failed]
    assert [r.outcome for r in report.results] == ["reallocated"] * len(due)
    assert sum(len(r.promoted) for r in report.results) == 2 * len(due) - 2
    for session in due:
        session.refresh_from_db()
        assert session.quotas_released_at is not None
        assert (
            session.seats_taken
            == session.nominations.filter(has_seat=True).count()
            == 4 - (1 if session.pk in (due[4].pk, due[9].pk) else 0)
        )
        assert not session.nominations.filter(status=Nomination.Status.WAITLISTED).exists()


def test_the_daily_run_racing_withdrawals(course, centre_staff, kwt_coordinator):
    """The run and withdrawals of waiting nominees start at the same instant on
    separate connections: whatever the interleaving, no session fails, every
    quota is released and no free seat is left while someone waits."""
    from . import factories

    people = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 5)]
    due = factories.make_due_sessions(course, centre_staff, kwt_coordinator, people)
    victims = [
        s.nominations.filter(status=Nomination.Status.WAITLISTED).order_by("-priority").first()
        for s in due[::2]
    ]
    withdrawals = [
        (lambda v=v: services.withdraw(kwt_coordinator, v, reason="racing")) for v in victims
    ]
    results = race([lambda: services.reallocate(due[0].reallocation_date), *withdrawals])
    report = results[0]
    assert not isinstance(report, Exception), report
    assert report.ok, [r.as_dict() for r in report.failed]
    for outcome in results[1:]:
        # a withdrawal either came first, or found its nominee promoted meanwhile
        assert isinstance(outcome, Nomination) and outcome.status == Nomination.Status.WITHDRAWN
    for session in due:
        session.refresh_from_db()
        assert session.quotas_released_at is not None
        held = session.nominations.filter(has_seat=True).count()
        assert session.seats_taken == held
        waiting = session.nominations.filter(status=Nomination.Status.WAITLISTED).count()
        assert held == session.capacity or waiting == 0
