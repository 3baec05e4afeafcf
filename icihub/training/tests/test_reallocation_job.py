"""The daily reallocation survives concurrent changes (issue 15, defect 3): each
session is its own transaction with a few attempts, one session's conflict
never blocks the others, and each session's result is reported (service and
command). Also the message of a refused acceptance says what will really
happen to the waiting list (defect 7)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from icihub.core.errors import Conflict
from icihub.training import services
from icihub.training.models import Nomination, Session

from . import factories

S = Nomination.Status
SESSIONS = 12


@pytest.fixture
def due(course, centre_staff, kwt_coordinator, kuwaitis):
    """Twelve sessions due on the same day, each with two Kuwaitis seated (the
    quota) and two waiting for the two seats the release frees."""
    return factories.make_due_sessions(course, centre_staff, kwt_coordinator, kuwaitis, SESSIONS)


def _waiting(session):
    return list(session.nominations.filter(status=S.WAITLISTED).order_by("priority"))


def _withdraw_during_the_run(monkeypatch, actor, victim, after_calls=3):
    """Withdraw ``victim`` (a waiting nominee of a session not yet processed)
    while the run is between sessions: the list the run read at its start is
    then stale for that session."""
    original = services._promotion_plan
    calls = {"n": 0}

    def plan(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == after_calls:
            services.withdraw(actor, Nomination.objects.get(pk=victim.pk), reason="mid-run")
        return original(*args, **kwargs)

    monkeypatch.setattr(services.reallocation, "_promotion_plan", plan)


def _released(sessions):
    return Session.objects.filter(
        pk__in=[s.pk for s in sessions], quotas_released_at__isnull=False
    ).count()


def test_a_withdrawal_during_the_run_leaves_every_session_reallocated(
    due, monkeypatch, kwt_coordinator
):
    day = due[0].reallocation_date
    victim_session = due[-1]
    victim = _waiting(victim_session)[0]
    _withdraw_during_the_run(monkeypatch, kwt_coordinator, victim)
    report = services.reallocate(day)
    assert report.ok and not report.failed
    assert _released(due) == SESSIONS
    # Every session gave its two free seats; the one whose nominee withdrew
    # during the run gave the other waiting nominee a seat, on its second try.
    by_session = {r.session_id: r for r in report.results}
    assert len(by_session) == SESSIONS
    for session in due:
        result = by_session[session.pk]
        assert result.outcome == services.SessionOutcome.REALLOCATED
        session.refresh_from_db()
        assert session.seats_taken == session.nominations.filter(has_seat=True).count()
        assert not _waiting(session)
    assert by_session[victim_session.pk].attempts == 2
    assert len(by_session[victim_session.pk].promoted) == 1
    assert sum(len(r.promoted) for r in report.results) == 2 * SESSIONS - 1
    victim.refresh_from_db()
    assert victim.status == S.WITHDRAWN
    # The structured result a scheduled job can record.
    data = report.as_dict()
    assert data["ok"] is True
    assert data["counts"] == {"reallocated": SESSIONS, "unchanged": 0, "conflict": 0}
    row = next(r for r in data["results"] if r["session"] == victim_session.pk)
    assert row["attempts"] == 2 and len(row["promoted"]) == 1


def test_the_command_reports_each_session_and_exits_0_after_a_retry(
    due, monkeypatch, kwt_coordinator
):
    victim = _waiting(due[5])[1]
    _withdraw_during_the_run(monkeypatch, kwt_coordinator, victim, after_calls=2)
    out = io.StringIO()
    call_command("reallocate_seats", "--date", due[0].reallocation_date.isoformat(), stdout=out)
    text = out.getvalue()
    for session in due:
        assert f"{session.reference}: reallocated" in text
    assert f"{due[5].reference}: reallocated, 1 promoted (after 2 attempts)" in text
    assert _released(due) == SESSIONS


def test_a_session_that_keeps_conflicting_fails_alone(due, monkeypatch):
    """One session conflicts on every attempt: it is reported with the reason,
    changes nothing, and the other eleven are reallocated; the command exits
    non-zero, after processing them."""
    stuck = due[3]
    original = services._promote
    tries = {"n": 0}

    def promote(session, nominations, *args, **kwargs):
        if session.pk == stuck.pk:
            tries["n"] += 1
            raise Conflict("The waiting list changed meanwhile: try again.")
        return original(session, nominations, *args, **kwargs)

    monkeypatch.setattr(services.reallocation, "_promote", promote)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("reallocate_seats", "--date", due[0].reallocation_date.isoformat(), stdout=out)
    assert stuck.reference in str(error.value)
    assert tries["n"] == services.REALLOCATION_ATTEMPTS
    text = out.getvalue()
    assert (
        f"{stuck.reference}: conflict after {services.REALLOCATION_ATTEMPTS} attempts: "
        "The waiting list changed meanwhile" in text
    )
    others = [s for s in due if s.pk != stuck.pk]
    assert all(f"{s.reference}: reallocated, 2 promoted" in text for s in others)
    assert _released(others) == SESSIONS - 1
    stuck.refresh_from_db()
    assert stuck.quotas_released_at is None  # its transaction was rolled back
    assert len(_waiting(stuck)) == 2
    # The next run picks it up again.
    monkeypatch.setattr(services.reallocation, "_promote", original)
    again = services.reallocate(due[0].reallocation_date)
    assert again.ok and [r.session_id for r in again.results] == [stuck.pk]
    assert again.results[0].outcome == "reallocated"


def test_sessions_without_waiting_nominees_are_reported_unchanged(
    session, kuwaitis, kwt_coordinator
):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    report = services.reallocate(session.reallocation_date)
    assert [(r.reference, r.outcome) for r in report.results] == [
        (session.reference, services.SessionOutcome.UNCHANGED)
    ]
    assert report.results[0].reason == "nobody on the waiting list"
    session.refresh_from_db()
    assert session.quotas_released_at is not None


def test_on_demand_reallocation_raises_when_its_session_finally_conflicts(
    session, kuwaitis, kwt_coordinator, centre_staff, monkeypatch
):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])

    def promote(*args, **kwargs):
        raise Conflict("The waiting list changed meanwhile: try again.")

    monkeypatch.setattr(services.reallocation, "_promote", promote)
    with pytest.raises(Conflict):
        services.reallocate(actor=centre_staff, session=session)
    session.refresh_from_db()
    assert session.quotas_released_at is None


# -- defect 7: the message says what will really happen ---------------------------------------


def _full_session_with_a_waiting_nominee(session, kuwaitis, kwt_coordinator, centre_staff):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    services.update_session(centre_staff, session, {"capacity": 3})  # KWT 2 + QAT 1
    for nomination in made[:2]:
        services.accept(centre_staff, nomination)
    qatari = factories.make_participant(centre_staff, "QAT", 1)
    services.accept(centre_staff, services.nominate(centre_staff, session, qatari))
    return made[2]


def test_accepting_into_a_running_session_does_not_promise_a_reallocation(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    waiting = _full_session_with_a_waiting_nominee(session, kuwaitis, kwt_coordinator, centre_staff)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    # The job never processes a running session, whatever its dates.
    assert session.pk not in services.due_for_reallocation(session.start).values_list(
        "pk", flat=True
    )
    with pytest.raises(Conflict) as error:
        services.accept(centre_staff, waiting)
    message = str(error.value)
    assert "reallocated on" not in message
    assert session.reallocation_date.isoformat() not in message
    assert "not reallocated" in message
    assert "withdrawal or a rejection" in message


def test_the_message_before_the_release_gives_the_date(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    waiting = _full_session_with_a_waiting_nominee(session, kuwaitis, kwt_coordinator, centre_staff)
    with pytest.raises(Conflict) as error:
        services.accept(centre_staff, waiting)
    assert f"released to the waiting list on {session.reallocation_date.isoformat()}" in str(
        error.value
    )


def test_the_message_after_the_release_says_a_freed_seat_goes_to_the_waiting_list(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    waiting = _full_session_with_a_waiting_nominee(session, kuwaitis, kwt_coordinator, centre_staff)
    services.reallocate(actor=centre_staff, session=session)
    with pytest.raises(Conflict) as error:
        services.accept(centre_staff, waiting)
    message = str(error.value)
    assert "quotas were released" in message and "goes at once" in message
    assert "reallocated on" not in message
