"""Nominations, seats, the waiting list, substitution and reallocation."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.partners.models import Country
from icihub.training import services
from icihub.training.models import Nomination, Session

from . import factories

S = Nomination.Status


def seats_consistent(session):
    session.refresh_from_db()
    held = session.nominations.filter(has_seat=True).count()
    assert session.seats_taken == held
    return held


def test_within_quota_a_seat_beyond_it_the_waiting_list(session, kuwaitis, kwt_coordinator):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    assert [n.status for n in made] == [S.NOMINATED, S.NOMINATED, S.WAITLISTED]
    assert [n.priority for n in made] == [1, 2, 3]
    assert [n.has_seat for n in made] == [True, True, False]
    assert all(n.nominated_by == kwt_coordinator for n in made)
    assert seats_consistent(session) == 2


def test_every_step_is_recorded_with_who_and_why(session, kuwaitis, kwt_coordinator, centre_staff):
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0], reason="best officer")
    services.reject(centre_staff, nomination, reason="prerequisites missing")
    nomination.refresh_from_db()
    assert nomination.decided_by == centre_staff
    assert nomination.decision_reason == "prerequisites missing"
    steps = AuditEntry.objects.filter(
        object_id=str(nomination.pk), action="transition", content_type__model="nomination"
    ).order_by("id")
    assert [(e.actor_label, e.changes["status"]["after"], e.reason) for e in steps] == [
        ("coord-kwt", "nominated", "best officer"),
        ("centre", "rejected", "prerequisites missing"),
    ]


def test_another_countrys_person_is_refused(session, qataris, kwt_coordinator):
    with pytest.raises(ValidationError) as error:
        services.nominate(kwt_coordinator, session, qataris[0])
    assert "own country" in str(error.value)
    assert not Nomination.objects.exists()


def test_an_ineligible_country_is_refused_with_a_clear_message(session, centre_staff):
    egyptian = factories.make_participant(centre_staff, "EGY", 1)
    with pytest.raises(ValidationError) as error:
        services.nominate(centre_staff, session, egyptian)
    assert "Egypt is not eligible for this course" in str(error.value)
    assert "ICI" in str(error.value)


def test_saudi_arabia_and_oman_take_part_as_non_members(session, centre_staff):
    saudi = factories.make_participant(centre_staff, "SAU", 1)
    nomination = services.nominate(centre_staff, session, saudi)
    assert nomination.status == S.WAITLISTED  # no quota for SAU yet, but eligible


def test_the_same_person_twice_is_refused(session, kuwaitis, kwt_coordinator):
    services.nominate(kwt_coordinator, session, kuwaitis[0])
    with pytest.raises(ValidationError) as error:
        services.nominate(kwt_coordinator, session, kuwaitis[0])
    assert "Already nominated" in str(error.value)
    with pytest.raises(ValidationError):
        services.nominate_many(kwt_coordinator, session, [kuwaitis[1], kuwaitis[1]])
    assert Nomination.objects.count() == 1


def test_nominations_need_an_open_session_before_its_deadline(
    course, centre_staff, kuwaitis, kwt_coordinator
):
    planned = factories.make_session(course, centre_staff, state=Session.State.PLANNED)
    with pytest.raises(ValidationError) as error:
        services.nominate(kwt_coordinator, planned, kuwaitis[0])
    assert "not open for nominations" in str(error.value)
    late = factories.make_session(
        course,
        centre_staff,
        start=timezone.localdate() + dt.timedelta(days=20),
        nomination_deadline=timezone.localdate() + dt.timedelta(days=1),
        quotas={"KWT": 2},
    )
    Session.objects.filter(pk=late.pk).update(
        nomination_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    late.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.nominate(kwt_coordinator, late, kuwaitis[0])
    assert "deadline" in str(error.value)


def test_instructors_and_participants_do_not_nominate(
    session, kuwaitis, instructor_user, participant_user
):
    for user in (instructor_user, participant_user):
        with pytest.raises((PermissionDenied, Http404)):
            services.nominate(user, session, kuwaitis[0])


def test_accept_reject_withdraw(session, kuwaitis, kwt_coordinator, centre_staff):
    a, b, c = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    services.accept(centre_staff, a, reason="fits the profile")
    a.refresh_from_db()
    assert a.status == S.ACCEPTED and a.decided_by == centre_staff
    with pytest.raises(ValidationError):
        services.reject(centre_staff, b, reason="  ")
    with pytest.raises(PermissionDenied):
        services.accept(kwt_coordinator, b)
    # The nominee withdraws; the seat goes to the country's next waiting nominee.
    services.withdraw(kwt_coordinator, b, reason="operational commitment")
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.status == S.WITHDRAWN and not b.has_seat
    assert c.status == S.NOMINATED and c.has_seat and c.promoted_at is not None
    assert not c.via_reallocation
    assert seats_consistent(session) == 2
    with pytest.raises(Conflict):
        services.withdraw(kwt_coordinator, b)


def test_a_participant_withdraws_their_own_nomination_only(
    session, kuwaitis, kwt_coordinator, participant_user, centre_staff
):
    services.update_participant(centre_staff, kuwaitis[0], {"user": participant_user})
    own, other = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    services.withdraw(participant_user, own, reason="cannot travel")
    with pytest.raises(Http404):
        services.withdraw(participant_user, other)


def test_waitlisted_nominee_is_accepted_only_with_a_free_seat(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    with pytest.raises(Conflict) as error:
        services.accept(centre_staff, made[2])
    assert "No seat is free for Kuwait" in str(error.value)


def test_substitution_keeps_the_seat(session, kuwaitis, kwt_coordinator, centre_staff):
    first = services.nominate(kwt_coordinator, session, kuwaitis[0])
    services.accept(centre_staff, first)
    replacement = services.substitute(kwt_coordinator, first, kuwaitis[3], reason="illness")
    first.refresh_from_db()
    assert first.status == S.SUBSTITUTED and not first.has_seat
    assert replacement.status == S.ACCEPTED and replacement.has_seat
    assert replacement.substitute_for == first and replacement.priority == first.priority
    assert seats_consistent(session) == 1


def test_substitute_must_be_of_the_same_country(
    session, kuwaitis, qataris, kwt_coordinator, centre_staff
):
    first = services.nominate(kwt_coordinator, session, kuwaitis[0])
    with pytest.raises(ValidationError):
        services.substitute(centre_staff, first, qataris[0])


def test_capacity_below_the_seats_taken_is_refused(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    with pytest.raises(ValidationError) as error:
        services.update_session(centre_staff, session, {"capacity": 1})
    assert "capacity" in error.value.message_dict
    session.refresh_from_db()
    assert session.capacity == 4


def test_end_before_start_is_refused(course, centre_staff):
    start = timezone.localdate() + dt.timedelta(weeks=12)
    with pytest.raises(ValidationError) as error:
        services.create_session(
            centre_staff, course, {"start": start, "end": start - dt.timedelta(days=1)}
        )
    assert "end" in error.value.message_dict
    assert not Session.objects.exists()


def test_session_defaults(course, centre_staff):
    start = dt.date(2027, 3, 7)
    session = services.create_session(centre_staff, course, {"start": start})
    assert session.end == dt.date(2027, 3, 11)
    assert session.venue == "NATO-ICI Regional Centre, Kuwait City"
    assert session.reallocation_date == start - dt.timedelta(weeks=6)
    assert session.capacity == course.default_capacity
    assert session.state == Session.State.PLANNED


def test_quotas_cannot_exceed_capacity_or_go_to_ineligible_countries(session, centre_staff):
    with pytest.raises(ValidationError) as error:
        services.set_quotas(centre_staff, session, {Country.objects.get(iso3="BHR"): 3})
    assert "more than the capacity" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.set_quotas(centre_staff, session, {Country.objects.get(iso3="EGY"): 1})
    assert "not eligible" in str(error.value)


def test_cancelling_needs_a_reason_and_is_final(session, centre_staff):
    with pytest.raises(ValidationError):
        services.change_state(centre_staff, session, Session.State.CANCELLED, reason="")
    services.change_state(
        centre_staff, session, Session.State.CANCELLED, reason="instructors unavailable"
    )
    session.refresh_from_db()
    assert session.cancel_reason == "instructors unavailable"
    with pytest.raises(Conflict):
        services.change_state(centre_staff, session, Session.State.OPEN)


def test_running_needs_decisions_on_pending_nominations(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    services.nominate(kwt_coordinator, session, kuwaitis[0])
    with pytest.raises(Conflict) as error:
        services.change_state(
            centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
        )
    assert "pending" in str(error.value)


# -- reallocation ------------------------------------------------------------------------


def _n(pk, country, priority, minute):
    return SimpleNamespace(
        pk=pk,
        country_id=country,
        priority=priority,
        nominated_at=dt.datetime(2027, 1, 1, 9, minute),
    )


def test_fair_order_is_round_robin_across_countries_then_priority_then_time():
    waiting = [
        _n(1, 10, 1, 5),  # country 10 holds 2 seats already
        _n(2, 10, 2, 1),
        _n(3, 20, 2, 2),  # country 20 holds none
        _n(4, 20, 1, 9),
        _n(5, 30, 1, 3),  # country 30 holds none; its first nominee waits since 9:03
    ]
    order = services.fair_order(waiting, {10: 2})
    # 20 and 30 hold nothing: 30's head (9:03) is earlier than 20's head (priority 1 at 9:09)
    assert [n.pk for n in order] == [5, 4, 3, 1, 2]


def test_reallocation_releases_quotas_and_promotes_fairly(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    saudi = factories.make_participant(centre_staff, "SAU", 1)
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])  # 2 seats + 1 waiting
    services.nominate_many(qat_coordinator, session, qataris[:1])  # 1 seat (quota 1)
    waiting_saudi = services.nominate(centre_staff, session, saudi)  # waiting: no quota
    # One Qatari withdraws: a seat is free again (quota 1), nobody of Qatar waits.
    qatari = Nomination.objects.get(participant=qataris[0])
    services.withdraw(qat_coordinator, qatari)
    assert seats_consistent(session) == 2
    day = session.reallocation_date
    dry = services.reallocate(day, dry_run=True)
    assert len(dry.promoted) == 2
    assert seats_consistent(session) == 2  # a dry run writes nothing
    session.refresh_from_db()
    assert session.quotas_released_at is None
    lines = []
    report = services.reallocate(day, progress=lines.append)
    assert lines and "promoted" in lines[-1]
    # Saudi Arabia holds no seat, Kuwait two: the Saudi goes first, then Kuwait's third.
    assert [p[2] for p in report.promoted] == ["SAU", "KWT"]
    waiting_saudi.refresh_from_db()
    assert waiting_saudi.status == S.NOMINATED and waiting_saudi.via_reallocation
    session.refresh_from_db()
    assert session.quotas_released_at is not None
    assert seats_consistent(session) == 4
    # Running it again changes nothing.
    again = services.reallocate(day)
    assert again.sessions == 0 and not again.promoted


def test_reallocation_leaves_sessions_not_yet_due(session, kuwaitis, kwt_coordinator):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    report = services.reallocate(session.reallocation_date - dt.timedelta(days=1))
    assert report.sessions == 0
    session.refresh_from_db()
    assert session.quotas_released_at is None


def test_on_demand_reallocation_is_for_staff(session, kuwaitis, kwt_coordinator, centre_staff):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    with pytest.raises(PermissionDenied):
        services.reallocate(actor=kwt_coordinator, session=session)
    report = services.reallocate(actor=centre_staff, session=session)
    assert len(report.promoted) == 1
    assert seats_consistent(session) == 3


def test_after_release_new_nominations_take_any_free_seat(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    services.reallocate(actor=centre_staff, session=session)
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:4])
    assert [n.status for n in made] == [S.NOMINATED] * 4
    # seated at once, never waiting: not a seat from the reallocation
    assert not any(n.via_reallocation for n in made)
    extra = factories.make_participant(centre_staff, "KWT", 8)
    assert services.nominate(kwt_coordinator, session, extra).status == S.WAITLISTED


def test_changes_that_break_accepted_seats_are_refused(
    course, centre_staff, kwt_coordinator, kuwaitis
):
    soon = timezone.localdate() + dt.timedelta(weeks=5)
    session = factories.make_session(
        course,
        centre_staff,
        start=soon,
        nomination_deadline=timezone.localdate() + dt.timedelta(days=3),
        quotas={"KWT": 2},
    )
    accepted = services.nominate(kwt_coordinator, session, kuwaitis[0])
    services.accept(centre_staff, accepted)
    services.nominate(kwt_coordinator, session, kuwaitis[1])
    with pytest.raises(ValidationError) as error:
        services.update_session(
            centre_staff,
            session,
            {"start": soon + dt.timedelta(days=7), "end": soon + dt.timedelta(days=11)},
        )
    assert "within six weeks" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.set_quotas(centre_staff, session, {Country.objects.get(iso3="KWT"): 1})
    assert "already holds 2 seats" in str(error.value)
    session.refresh_from_db()
    assert session.start == soon and session.quotas.get().seats == 2
    # Other changes are fine.
    services.update_session(centre_staff, session, {"venue": "Kuwait City, Bayan"})
