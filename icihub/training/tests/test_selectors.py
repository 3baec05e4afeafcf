"""The selectors other apps rely on, and the evaluation summaries."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from icihub.testing import ApiClient
from icihub.training import selectors, services
from icihub.training.models import Session

from . import factories


def test_open_sessions_for_activities(course, centre_staff, kwt_coordinator, kuwaitis):
    open_one = factories.make_session(course, centre_staff, capacity=2, quotas={"KWT": 2})
    factories.make_session(course, centre_staff, state=Session.State.PLANNED)
    full = factories.make_session(course, centre_staff, capacity=1, quotas={"KWT": 1})
    services.nominate(kwt_coordinator, full, kuwaitis[0])
    other = factories.make_course(centre_staff, "NIRC-T-077", marking="rel_ici")
    hidden = factories.make_session(other, centre_staff)
    result = selectors.open_sessions_for_activities([course.pk, other.pk], kwt_coordinator)
    assert result[course.pk] == [(open_one, 2)]
    assert result[other.pk] == [(hidden, hidden.capacity)]
    anonymous = selectors.open_sessions_for_activities([course.pk, other.pk], AnonymousUser())
    assert other.pk not in anonymous  # its course is not public
    assert selectors.open_sessions_for_activities([], kwt_coordinator) == {}


def test_sessions_attended_by_country(course, centre_staff, kwt_coordinator, kuwaitis, qataris):
    session = factories.make_session(course, centre_staff, capacity=5, quotas={"KWT": 3, "QAT": 2})
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    # Two Qataris in the same session: one attends, one is withdrawn.
    qatari, withdrawn = services.nominate_many(centre_staff, session, qataris[:2])
    for n in [*made, qatari, withdrawn]:
        services.accept(centre_staff, n)
    services.withdraw(centre_staff, withdrawn, reason="test")
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    days = session.days
    services.record_attendance(
        centre_staff,
        session,
        {
            made[0].pk: set(days),
            made[1].pk: {days[0]},
            made[2].pk: set(),
            qatari.pk: set(days),
        },
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    from icihub.partners.models import Country

    kuwait, qatar = Country.objects.get(iso3="KWT"), Country.objects.get(iso3="QAT")
    # Each country's own attendees only (one join, counted per session): the
    # Qatari does not count for Kuwait, nor the Kuwaitis for Qatar.
    [attended] = selectors.sessions_attended_by_country(kuwait, centre_staff)
    assert (attended, attended.attendees, attended.completers) == (session, 2, 1)  # no-show out
    [attended] = selectors.sessions_attended_by_country(qatar, centre_staff)
    assert (attended, attended.attendees, attended.completers) == (session, 1, 1)
    assert not selectors.sessions_attended_by_country(Country.objects.get(iso3="BHR"), centre_staff)
    assert not selectors.sessions_attended_by_country(kuwait, centre_staff, year=2001)
    year = session.start.year
    assert list(selectors.sessions_attended_by_country(kuwait, centre_staff, year=year)) == [
        session
    ]


def test_evaluation_summaries_per_session_and_course(
    course, centre_staff, kwt_coordinator, kuwaitis, participant_user
):
    start = timezone.localdate() + dt.timedelta(weeks=10)
    session = factories.make_session(course, centre_staff, start=start, quotas={"KWT": 2})
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    for n in made:
        services.accept(centre_staff, n)
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    # Evaluations come from participants who attended (issue 14).
    services.record_attendance(centre_staff, session, {n.pk: {session.start} for n in made})
    services.submit_evaluation(centre_staff, made[0], dict.fromkeys(services.SCORE_FIELDS, 5))
    services.submit_evaluation(centre_staff, made[1], dict.fromkeys(services.SCORE_FIELDS, 2))
    summary = selectors.evaluation_summary(session)
    assert summary["responses"] == 2 and summary["participants"] == 2
    assert summary["scores"]["overall"] == 3.5 and summary["mean"] == 3.5
    per_course = ApiClient(centre_staff).get(f"training/courses/{course.pk}/evaluation-summary")
    assert per_course.json()["responses"] == 2 and per_course.json()["sessions"] == 1
    assert (
        ApiClient(kwt_coordinator)
        .get(f"training/courses/{course.pk}/evaluation-summary")
        .status_code
        == 403
    )
    assert (
        ApiClient(participant_user)
        .get(f"training/sessions/{session.pk}/evaluation-summary")
        .status_code
        == 403
    )
