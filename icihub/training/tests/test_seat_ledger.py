"""The seat ledger (``training/seats.py``): its answers, its writes, and a
property test of the services that call it against a count made apart from it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icihub.core.errors import Conflict
from icihub.partners.models import Country
from icihub.training import services
from icihub.training.models import Nomination, Session
from icihub.training.seats import SeatLedger, recount, with_free_seats

from . import factories

S = Nomination.Status


def _ids(*iso3):
    return [Country.objects.get(iso3=code).pk for code in iso3]


def test_may_take_within_the_quota_and_the_capacity(session, kuwaitis, kwt_coordinator):
    kwt, qat, bhr = _ids("KWT", "QAT", "BHR")
    ledger = SeatLedger.of(session)
    assert ledger.free(session) == 4
    assert ledger.quota(session, kwt) == 2 and ledger.quota(session, bhr) == 0
    assert ledger.may_take(session, kwt, 2) and not ledger.may_take(session, kwt, 3)
    assert not ledger.may_take(session, bhr)  # no quota while the quotas bind
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])  # two seats, one waits
    session.refresh_from_db()
    ledger = SeatLedger.of(session)
    assert ledger.held(session) == {kwt: 2}
    assert ledger.taken(session) == 2 and ledger.free(session) == 2
    assert not ledger.may_take(session, kwt) and ledger.may_take(session, qat)
    assert ledger.fits(session, 2) and not ledger.fits(session, 1)
    session.quotas_released_at = session.start  # released: any free seat goes
    assert ledger.may_take(session, kwt, 2) and not ledger.may_take(session, bhr, 3)


def test_a_refused_take_changes_nothing(session):
    kwt, qat = _ids("KWT", "QAT")
    ledger = SeatLedger.of(session)
    with pytest.raises(Conflict):
        ledger.take_many(session, [kwt, qat, qat])  # Qatar's quota is one seat
    assert ledger.taken(session) == 0 and ledger.held(session) == {}
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_take_and_vacate_write_the_counter_at_once(session):
    kwt = _ids("KWT")[0]
    ledger = SeatLedger.of(session)
    ledger.take(session, kwt, 2)
    assert session.seats_taken == 2
    assert Session.objects.get(pk=session.pk).seats_taken == 2
    ledger.vacate(session, kwt)
    assert Session.objects.get(pk=session.pk).seats_taken == 1 == ledger.taken(session)
    with pytest.raises(ValueError):
        ledger.vacate(session, kwt, 2)  # Kuwait holds one seat


def test_a_deferred_ledger_writes_once_per_session_on_save(course, centre_staff, session):
    other = factories.make_session(course, centre_staff, capacity=3, quotas={"KWT": 3})
    kwt, qat = _ids("KWT", "QAT")
    ledger = SeatLedger([session, other], defer=True)
    with CaptureQueriesContext(connection) as reads:
        assert ledger.try_take(session, kwt) and ledger.try_take(session, kwt)
        assert not ledger.try_take(session, kwt)  # quota of two
        assert ledger.try_take(session, qat)
        assert ledger.try_take(other, kwt)
    assert len(reads) == 2  # the seats held and the quotas, for both sessions
    assert Session.objects.get(pk=session.pk).seats_taken == 0  # nothing written yet
    assert ledger.free(session) == 1 and ledger.free(other) == 2
    with CaptureQueriesContext(connection) as writes:
        ledger.save()
    assert len(writes) == 2
    taken = dict(
        Session.objects.filter(pk__in=[session.pk, other.pk]).values_list("pk", "seats_taken")
    )
    assert taken == {session.pk: 3, other.pk: 1}


def test_the_ledger_reads_in_constant_queries(course, centre_staff, session):
    def reads(sessions):
        ledger = SeatLedger(sessions)
        with CaptureQueriesContext(connection) as ctx:
            for s in sessions:
                ledger.held(s)
                ledger.quotas(s)
                ledger.may_take(s, _KWT)
        return len(ctx)

    _KWT = _ids("KWT")[0]
    more = [factories.make_session(course, centre_staff, quotas={"KWT": 1}) for _i in range(3)]
    assert reads([session]) == reads([session, *more]) == 2


def test_recount_sets_the_counter_from_the_nominations(session, kuwaitis, kwt_coordinator):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    Session.objects.filter(pk=session.pk).update(seats_taken=0)
    recount([session])
    assert session.seats_taken == 2 == Session.objects.get(pk=session.pk).seats_taken


def test_with_free_seats_leaves_out_full_sessions(session, kuwaitis, kwt_coordinator):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    assert list(with_free_seats(Session.objects.filter(pk=session.pk))) == [session]
    Session.objects.filter(pk=session.pk).update(capacity=2)
    assert not with_free_seats(Session.objects.filter(pk=session.pk)).exists()


# -- property: the services keep the ledger equal to an independent count ----------------

COUNTRIES = ("KWT", "QAT", "BHR")  # quotas 2, 1 and none

operation = st.one_of(
    st.tuples(st.just("nominate"), st.integers(0, 11)),
    st.tuples(st.sampled_from(["accept", "reject", "withdraw"]), st.integers(0, 20)),
    st.tuples(st.just("substitute"), st.integers(0, 20), st.integers(0, 11)),
    st.tuples(st.just("capacity"), st.integers(1, 7)),
    st.tuples(st.just("release")),
)


@pytest.fixture
def pool(db, centre_staff):
    """Four people of each country."""
    return [
        factories.make_participant(centre_staff, iso3, n) for iso3 in COUNTRIES for n in range(4)
    ]


def _apply(step, session, pool, actor):
    kind = step[0]
    active = list(
        Nomination.objects.filter(session=session, status__in=Nomination.ACTIVE).order_by("pk")
    )
    try:
        if kind == "nominate":
            services.nominate(actor, session, pool[step[1]])
        elif kind == "capacity":
            services.update_session(actor, session, {"capacity": step[1]})
        elif kind == "release":
            services.reallocate(actor=actor, session=session, reason="test")
        elif active:
            nomination = active[step[1] % len(active)]
            if kind == "accept":
                services.accept(actor, nomination)
            elif kind == "reject":
                services.reject(actor, nomination, reason="test")
            elif kind == "withdraw":
                services.withdraw(actor, nomination)
            else:
                same = [p for p in pool if p.country_id == nomination.country_id]
                services.substitute(actor, nomination, same[step[2] % len(same)])
    except (ValidationError, Conflict):
        pass  # refused: it must have changed nothing (checked below like any step)


def _check(session):
    """The ledger against a count of the nominations written apart from it."""
    session.refresh_from_db()
    seated = Counter(
        Nomination.objects.filter(session=session, status__in=[S.NOMINATED, S.ACCEPTED])
        .order_by()
        .values_list("country_id", flat=True)
    )
    held = sum(seated.values())
    assert session.seats_taken == held
    assert Nomination.objects.filter(session=session, has_seat=True).count() == held
    ledger = SeatLedger.of(session)
    assert ledger.held(session) == {c: n for c, n in seated.items() if n}
    assert ledger.free(session) == session.capacity - held >= 0
    waiting = set(
        Nomination.objects.filter(session=session, status=S.WAITLISTED).values_list(
            "country_id", flat=True
        )
    )
    if session.quotas_released_at is None:
        quotas = dict(session.quotas.values_list("country_id", "seats"))
        for country_id, n in seated.items():
            assert n <= quotas.get(country_id, 0)
        # nobody waits while their country's quota has a free seat
        if held < session.capacity:
            assert all(seated[c] >= quotas.get(c, 0) for c in waiting)
    else:
        # once released, nobody waits while a seat is free
        assert held == session.capacity or not waiting


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, min_size=1, max_size=12))
def test_the_services_keep_the_ledger_equal_to_the_nominations(steps, course, centre_staff, pool):
    with transaction.atomic():
        session = factories.make_session(
            course, centre_staff, capacity=4, quotas={"KWT": 2, "QAT": 1}
        )
        for step in steps:
            _apply(step, session, pool, centre_staff)
            _check(session)
        transaction.set_rollback(True)  # the next example starts afresh
