"""Every figure of a year built from scratch (``builders.build_year``) against
what it must be, counted by hand from what the builder did:

Sessions (completed in the period): S1 (crisis management, 5 days) and S2
(cyber defence, 3 days, right after S1). S3 (maritime) was cancelled after two
Kuwaitis were accepted and an instructor's trip was booked: it counts nowhere.

S1, quotas KWT 3, QAT 2, SAU 1 (6), capacity 10:
  k1 all days (completed), k2 4/5 days = 80% (completed), k3 2/5 (not completed),
  k4 waited beyond Kuwait's quota, promoted at the reallocation, all days
  (completed, seat reallocated), s1 (Saudi, civilian) all days (completed),
  q1 accepted but never came (no-show), q2 withdrawn (counts nowhere).
S2, quotas KWT 2, QAT 2 (4), capacity 6:
  k1 again (completed: trained twice, counted once), k5 (completed),
  q3 (completed), k6 withdrawn from the waiting list (counts nowhere).

People trained: k1 k2 k4 s1 (S1) + k1 k5 q3 (S2) = 6 unique; attendances
(attended at least a day): 5 (S1: k1 k2 k3 k4 s1) + 3 (S2) = 8.
Instructors: i1 teaches S1 and S2 on one trip (arrival the day before S1, departure
the day after S2: 11 days), i2 teaches S1 (5 days); i3's trip was for S3
(cancelled); i4 is a local expert without a trip. -> 2 people, 2 trips, 16 days.
Events: e1 (public conference), e2 (pag, month precision), e5 (NATO only) in the
period; e3 before it, e4 undated.
Programme (Kuwait, agreed): 3 activities planned, 2 delivered (one by S1, one by
an expert visit, which is also an "other activity delivered"); Qatar's draft
programme counts nowhere.
Requests: r1 (answered after 20 days), r2 and r3 waiting, all made in the
period; r0 made before it, still waiting (130 days).
Evaluations: k1 all 5, k2 all 3, k5 all 4 with overall 5.
"""

from __future__ import annotations

import datetime as dt

import pytest

from icihub.reports import figures as F
from icihub.reports.scope import Filters, Period, Scope
from icihub.training.models import Nomination

pytestmark = pytest.mark.django_db


def values(scope, *keys):
    return {key: F.value(key, scope) for key in keys}


def by(scope, key, dimension):
    return {row.param: row.value for row in F.breakdown(key, scope, dimension)}


def record_pks(scope, key, dimension=None, value=None):
    return sorted(
        pk
        for section in F.records(key, scope, dimension, value)
        for pk in section.queryset.values_list("pk", flat=True)
    )


def test_every_figure_of_the_year_for_nato_staff(year, nato_staff):
    scope = Scope.for_user(nato_staff, year.period)
    expected = {
        "activities": 3,  # 2 sessions + 1 expert visit
        "sessions": 2,
        "deliveries": 1,
        "trained": 6,
        "attendances": 8,
        "travellers": 2,
        "trips": 2,
        "instructor_days": 16,
        "events": 3,
        "items_planned": 3,
        "items_delivered": 2,
        "requests_made": 3,
        "requests_answered": 1,
        "requests_unanswered": 2,
        "answer_days": 20.0,
        "requests_waiting": 3,
        "oldest_wait": 130,
        "evaluations": 3,
        "evaluation_score": round((5 + 3 + 25 / 6) / 3, 2),
        "evaluation_overall": round((5 + 3 + 5) / 3, 2),
        "seats_quota": 10,
        "seats_filled": 9,
        "seats_reallocated": 1,
        "no_shows": 1,
    }
    assert values(scope, *expected) == expected
    assert set(F.FIGURES) == set(expected), "a new figure needs its hand-computed expectation here"


def test_breakdowns_for_nato_staff(year, nato_staff):
    scope = Scope.for_user(nato_staff, year.period)
    assert by(scope, "trained", "country") == {"KWT": 4, "QAT": 1, "SAU": 1}
    assert by(scope, "trained", "country_group") == {"ici": 5, "gcc": 1}
    assert by(scope, "trained", "area") == {"crisis-management": 4, "cyber-defence": 3}
    assert by(scope, "trained", "service") == {"army": 3, "navy": 1, "police": 1, "ministry": 1}
    assert by(scope, "trained", "rank_band") == {
        "of3-5": 2,
        "of1-2": 1,
        "or": 1,
        "of6-9": 1,
        "civ": 1,
    }
    assert by(scope, "attendances", "country") == {"KWT": 6, "QAT": 1, "SAU": 1}
    assert by(scope, "travellers", "organisation") == {"nato-school": 1, "jallc": 1}
    assert by(scope, "trips", "organisation") == {"nato-school": 1, "jallc": 1}
    assert by(scope, "instructor_days", "organisation") == {"nato-school": 11, "jallc": 5}
    assert by(scope, "events", "format") == {"conference": 1, "pag": 1, "nac_ici": 1}
    assert by(scope, "events", "level") == {
        "expert": 1,
        "senior_officials": 1,
        "ambassadorial": 1,
    }
    assert by(scope, "items_planned", "programme") == {str(year.programme.pk): 3}
    assert by(scope, "items_delivered", "country") == {"KWT": 2}
    assert by(scope, "requests_made", "country") == {"KWT": 2, "QAT": 1}
    assert by(scope, "requests_waiting", "country") == {"KWT": 2, "QAT": 1}
    assert by(scope, "oldest_wait", "country") == {"KWT": 130, "QAT": 10}
    c1, c2 = year.courses["c1"], year.courses["c2"]
    assert by(scope, "evaluations", "course") == {str(c1.pk): 2, str(c2.pk): 1}
    assert by(scope, "evaluation_score", "course") == {str(c1.pk): 4.0, str(c2.pk): 4.17}
    assert by(scope, "seats_quota", "country") == {"KWT": 5, "QAT": 4, "SAU": 1}
    assert by(scope, "seats_filled", "country") == {"KWT": 6, "QAT": 2, "SAU": 1}
    assert by(scope, "seats_reallocated", "country") == {"KWT": 1}
    assert by(scope, "no_shows", "country") == {"QAT": 1}
    s1, s2 = year.sessions["s1"], year.sessions["s2"]
    assert by(scope, "seats_quota", "session") == {str(s1.pk): 6, str(s2.pk): 4}
    month = s1.start.strftime("%Y-%m")
    assert sum(by(scope, "sessions", "month").values()) == 2
    assert month in by(scope, "sessions", "month")


def test_the_edge_cases(year, nato_staff):
    scope = Scope.for_user(nato_staff, year.period)
    p, n = year.people, year.nominations
    trained = record_pks(scope, "trained")
    # A person trained twice in the period counts once (and attends twice).
    assert trained.count(p["k1"].pk) == 1
    attendances = Nomination.objects.filter(pk__in=record_pks(scope, "attendances"))
    assert attendances.filter(participant=p["k1"]).count() == 2
    # A withdrawn nomination counts nowhere.
    for withdrawn in (n[("s1", "q2")], n[("s2", "k6")]):
        withdrawn.refresh_from_db()
        assert withdrawn.status == Nomination.Status.WITHDRAWN
        for key in ("attendances", "seats_filled", "seats_reallocated", "no_shows"):
            assert withdrawn.pk not in record_pks(scope, key), key
    assert p["k6"].pk not in trained and p["q2"].pk not in trained
    # One trip covering two sessions is one trip.
    trips = record_pks(scope, "trips")
    assert trips == sorted([year.trips["i1"].pk, year.trips["i2"].pk])
    assert year.trips["i1"].sessions.count() == 2
    # A cancelled session counts nowhere: not its nominees, quota, trip or instructor.
    s3 = year.sessions["s3"]
    s3.refresh_from_db()
    assert s3.state == "cancelled"
    assert s3.pk not in record_pks(scope, "sessions")
    assert year.trips["i3"].pk not in trips
    assert year.instructors["i3"].pk not in record_pks(scope, "travellers")
    assert not set(s3.quotas.values_list("pk", flat=True)) & set(record_pks(scope, "seats_quota"))
    for key in ("attendances", "seats_filled"):
        assert not set(s3.nominations.values_list("pk", flat=True)) & set(record_pks(scope, key))
    # The local expert never travelled.
    assert year.instructors["i4"].pk not in record_pks(scope, "travellers")


def test_drill_down_lists_match_every_number(year, nato_staff, kwt_coordinator):
    """The records behind each count are exactly as many as the count, for the
    totals and for every row of every breakdown, whoever looks."""
    for user in (nato_staff, kwt_coordinator):
        scope = Scope.for_user(user, year.period)
        for key, figure in F.FIGURES.items():
            if not figure.counts_records:
                continue  # sums, means, maxima: their records are listed, not counted
            total = sum(s.queryset.count() for s in F.records(key, scope))
            assert total == F.value(key, scope), (user, key)
            for dimension in figure.dims:
                for row in F.breakdown(key, scope, dimension):
                    listed = sum(
                        s.queryset.count() for s in F.records(key, scope, dimension, row.param)
                    )
                    assert listed == row.value, (user, key, dimension, row.param)


def test_a_coordinator_counts_only_the_rows_they_may_see(year, kwt_coordinator):
    scope = Scope.for_user(kwt_coordinator, year.period)
    assert values(
        scope,
        "sessions",
        "trained",
        "attendances",
        "travellers",
        "trips",
        "events",
        "items_planned",
        "items_delivered",
        "deliveries",
        "requests_made",
        "requests_waiting",
        "evaluations",
        "seats_quota",
        "seats_filled",
        "seats_reallocated",
        "no_shows",
    ) == {
        "sessions": 2,  # sessions are not a country's private rows
        "trained": 4,
        "attendances": 6,
        "travellers": 0,  # trips are the Centre's records
        "trips": 0,
        "events": 2,  # not the NATO-only one
        "items_planned": 3,
        "items_delivered": 2,
        "deliveries": 1,
        "requests_made": 2,
        "requests_waiting": 2,
        "evaluations": 0,  # questionnaires are staff's and their authors'
        "seats_quota": 5,
        "seats_filled": 6,
        "seats_reallocated": 1,
        "no_shows": 0,
    }
    assert by(scope, "trained", "country") == {"KWT": 4}
    assert set(by(scope, "seats_filled", "country")) == {"KWT"}


def test_centre_staff_do_not_count_nato_only_events(year, centre_staff):
    scope = Scope.for_user(centre_staff, year.period)
    assert F.value("events", scope) == 2
    assert F.value("trained", scope) == 6


def test_filters(year, nato_staff):
    qatar = Scope.for_user(nato_staff, year.period, Filters(country=year.people["q3"].country))
    # Qatar's q1 never came to S1, so only S2 was attended by Qataris.
    assert values(qatar, "sessions", "trained", "travellers", "trips", "instructor_days") == {
        "sessions": 1,
        "trained": 1,
        "travellers": 1,
        "trips": 1,
        "instructor_days": 11,
    }
    assert values(qatar, "requests_made", "items_planned", "seats_quota", "seats_filled") == {
        "requests_made": 1,
        "items_planned": 0,
        "seats_quota": 4,
        "seats_filled": 2,
    }
    from icihub.menu.models import Area
    from icihub.partners.models import Framework

    cyber = Scope.for_user(
        nato_staff, year.period, Filters(area=Area.objects.get(code="cyber-defence"))
    )
    assert values(cyber, "sessions", "trained", "deliveries", "items_planned", "events") == {
        "sessions": 1,
        "trained": 3,
        "deliveries": 1,
        "items_planned": 1,
        "events": 0,
    }
    mediterranean = Scope.for_user(
        nato_staff, year.period, Filters(framework=Framework.objects.get(code="md"))
    )
    assert values(mediterranean, "sessions", "trained", "requests_made") == {
        "sessions": 0,
        "trained": 0,
        "requests_made": 0,
    }
    ici = Scope.for_user(
        nato_staff, year.period, Filters(framework=Framework.objects.get(code="ici"))
    )
    assert F.value("trained", ici) == 6


def test_a_period_outside_the_records_counts_nothing(year, nato_staff):
    before = Period(
        year.period.start - dt.timedelta(days=400), year.period.start - dt.timedelta(days=200)
    )
    scope = Scope.for_user(nato_staff, before)
    assert values(scope, "activities", "trained", "travellers", "requests_made") == {
        "activities": 0,
        "trained": 0,
        "travellers": 0,
        "requests_made": 0,
    }


def test_an_event_counts_in_the_period_its_date_starts(db, nato_staff):
    from icihub.dialogue.models import Event

    for date in ("2031", "2031-03", "2031-03-15", "2030-12/2031-01", "2031-11-30/2031-12-02"):
        Event.objects.create(title=date, format="conference", date=date, marking="public")
    year = Scope.for_user(nato_staff, Period.of_year(2031))
    assert {e.title for s in F.records("events", year) for e in s.queryset} == {
        "2031",
        "2031-03",
        "2031-03-15",
        "2031-11-30/2031-12-02",
    }
    march = Scope.for_user(nato_staff, Period(dt.date(2031, 3, 1), dt.date(2031, 3, 31)))
    assert F.value("events", march) == 2  # "2031-03" (its first day) and "2031-03-15"
    late_march = Scope.for_user(nato_staff, Period(dt.date(2031, 3, 2), dt.date(2031, 3, 31)))
    assert F.value("events", late_march) == 1
    assert F.value("events", Scope.for_user(nato_staff, Period.of_year(2030))) == 1


def test_every_figure_has_a_definition_and_known_dimensions():
    for key, figure in F.FIGURES.items():
        assert str(figure.label) and len(str(figure.definition)) > 40, key
        for dimension in figure.dims:
            assert dimension in F.DIMENSIONS, (key, dimension)
