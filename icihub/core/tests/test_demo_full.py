"""The full demo (what `icihub setup` loads on an empty database): the sizes
of a realistic ten years, every demo row flagged apart from the sourced
reference rows, the invariants, and the reports over a demo year."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count, F, Q

from icihub.core import demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_full_demo():
    from icihub.dialogue.models import Event
    from icihub.gulf.models import Closure
    from icihub.menu import demo as menu_demo
    from icihub.menu.models import Activity
    from icihub.programmes.models import PartnerRequest, Programme
    from icihub.reports import report as reports
    from icihub.reports.scope import Period, Scope
    from icihub.training.models import Instructor, Nomination, Participant, Session, Trip

    # The reference data (loaded for every test) is sourced: none of it is demo.
    reference_events = set(Event.objects.values_list("pk", flat=True))
    assert reference_events
    assert not Event.objects.filter(provenance="demo").exists()
    reference_activities = set(Activity.objects.values_list("pk", flat=True))

    started = time.perf_counter()
    loaded = demo.load_all(progress=lambda line: None, size="full")
    elapsed = time.perf_counter() - started
    print(f"full demo loaded in {elapsed:.1f} s")
    assert {"core", "gulf", "menu", "training", "programmes", "dialogue"} <= set(loaded)

    # Sizes: the menu at about 1,400, about 500 open to ICI partners.
    menu = Activity.objects.filter(code__startswith="PCM-")
    assert menu.count() == 1400
    assert 480 <= menu_demo.open_to_ici().filter(code__startswith="PCM-").count() <= 520
    # Ten years of completed sessions, a few thousand participants.
    years = set(Session.objects.filter(state="completed").values_list("start__year", flat=True))
    assert years == set(range(2017, 2027))
    assert Session.objects.count() >= 150
    assert Participant.objects.count() >= 3000
    statuses = set(Nomination.objects.values_list("status", flat=True))
    assert statuses == set(Nomination.Status.values)

    # Every demo row flagged; the sourced ones are not.
    assert set(Participant.objects.values_list("provenance", flat=True)) == {"demo"}
    assert set(Instructor.objects.values_list("provenance", flat=True)) == {"demo"}
    assert set(Session.objects.values_list("provenance", flat=True)) == {"demo", "source"}
    assert Session.objects.filter(provenance="source").count() == 3
    assert set(Closure.objects.values_list("provenance", flat=True)) == {"demo"}
    assert set(Programme.objects.values_list("provenance", flat=True)) == {"demo"}
    assert set(PartnerRequest.objects.values_list("provenance", flat=True)) <= {"demo"}
    assert set(
        Event.objects.exclude(pk__in=reference_events).values_list("provenance", flat=True)
    ) == {"demo"}
    assert not Event.objects.filter(pk__in=reference_events, provenance="demo").exists()
    assert not Activity.objects.filter(pk__in=reference_activities, provenance="demo").exists()
    assert set(
        Activity.objects.exclude(pk__in=reference_activities).values_list("provenance", flat=True)
    ) == {"demo", "source"}

    # Invariants: each session's seats taken is the ledger's count.
    wrong = Session.objects.annotate(
        held=Count("nominations", filter=Q(nominations__has_seat=True))
    ).exclude(seats_taken=F("held"))
    assert not wrong.exists()
    # An instructor's trips never overlap (PostgreSQL's exclusion constraint).
    trips = sorted(Trip.objects.values_list("instructor_id", "arrival", "departure"))
    for (one, _arrival, departure), (other, arrival, _departure) in zip(
        trips, trips[1:], strict=False
    ):
        assert one != other or arrival > departure, (one, arrival)

    # The reports over a demo year compute, and say they count demo data.
    report = reports.build_annual(Scope.system(Period.of_year(2023)))
    assert report.includes_demo and report.demo["sessions"] > 10
    sessions = next(c for c in report.headline if c.figure.key == "sessions")
    assert sessions.value == report.demo["sessions"]  # every session of 2023 is demo
    # The first year still matches what NATO published.
    first = reports.build_annual(Scope.system(Period.of_year(2017)))
    assert {c.published.key: c.icihub.value for c in first.comparisons} == {
        "first-year-activities": 14,
        "first-year-officers": 478,
        "first-year-instructors": 149,
    }
