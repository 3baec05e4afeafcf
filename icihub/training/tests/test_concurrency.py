"""Seats are never over-allocated, even when nominations for the last seat
arrive at the same moment: the session row is locked (select_for_update) in the
service transaction, and a check constraint keeps seats_taken within the
capacity. Runs against PostgreSQL only (DATABASE_URL), with real threads and
transactions."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from icihub.training import services
from icihub.training.models import Nomination, Session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture(autouse=True)
def _postgres_only():
    if not POSTGRES or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def _race(workers):
    """Start every worker at the same instant; collect their results."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # the outcome is checked by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_nominations_for_the_last_seat(course, centre_staff, qat_coordinator):
    from . import factories

    session = factories.make_session(course, centre_staff, capacity=3, quotas={"KWT": 2, "QAT": 1})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 9)]
    from icihub.testing import make_user

    coordinators = [make_user("coordinator", "KWT", username=f"kwt-{i}") for i in range(8)]
    services.nominate(coordinators[0], session, kuwaitis[0])  # one Kuwaiti seat left

    def nominate(i):
        return lambda: services.nominate(coordinators[i], session, kuwaitis[i])

    results = _race([nominate(i) for i in range(1, 8)])
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

    results = _race([accept(i) for i in range(5)])
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
