"""The demo data: a realistic first year, the sourced examples, an open session."""

from __future__ import annotations

import pytest

from icihub.core import demo as core_demo
from icihub.core.models import Citation
from icihub.training import demo
from icihub.training.models import Course, Nomination, Participant, Session, Trip


@pytest.fixture
def loaded(db):
    core_demo.load(lambda line: None)
    lines = []
    demo.load(lines.append)
    return lines


def test_first_year_matches_the_published_shape(loaded):
    figures = demo.figures_2017()
    assert figures["sessions"] == 14
    assert figures["people"] == 478
    assert figures["travellers"] == 149
    assert set(figures["per_country"]) == {"KWT", "BHR", "QAT", "ARE", "SAU", "OMN"}
    for session in Session.objects.all():
        assert session.seats_taken == session.nominations.filter(has_seat=True).count()
    # One trip covers the two back-to-back maritime courses.
    assert any(t.sessions.count() == 2 for t in Trip.objects.filter(arrival__year=2017))
    assert Nomination.objects.filter(via_reallocation=True).exists()
    assert Nomination.objects.filter(status="substituted").exists()
    check_sourced_examples()
    check_open_session_and_accounts()


def check_sourced_examples():
    cbrn = Session.objects.get(course__code="NIRC-CBRN-101")
    assert cbrn.start.strftime("%Y-%m") == "2017-12"
    assert set(cbrn.nominations.values_list("country__iso3", flat=True)) == {"KWT"}
    assert cbrn.nominations.filter(outcome="completed").count() == 15
    jallc = Session.objects.get(course__code="NIRC-LL-101", start__year=2019)
    assert (jallc.start.month, jallc.day_count, jallc.nominations.count()) == (4, 4, 26)
    assert set(jallc.nominations.values_list("country__iso3", flat=True)) == {
        "KWT",
        "QAT",
        "ARE",
        "SAU",
    }
    marcom = Session.objects.get(course__code="NIRC-MAR-101", start__year=2024)
    assert (marcom.start.isoformat(), marcom.end.isoformat()) == ("2024-06-02", "2024-06-06")
    assert marcom.course.provider.slug == "marcom"
    assert marcom.nominations.filter(participant__organisation__contains="GCC").exists()
    for code in ("NIRC-CBRN-101", "NIRC-LL-101", "NIRC-MAR-101"):
        course = Course.objects.get(code=code)
        assert course.provenance == "source"
        assert Citation.objects.filter(object_id=course.pk, source__key="icihub-brief").exists()


def check_open_session_and_accounts():
    open_sessions = Session.objects.open_for_nominations()
    assert open_sessions.count() == 1
    session = open_sessions.get()
    assert session.nominations.filter(status="waitlisted").exists()
    assert Participant.objects.get(user__username="participant").family_name == "Al-Ajmi"
    assert session.assignments.filter(instructor__user__username="instructor").exists()


def test_loading_again_changes_nothing(loaded):
    count = Nomination.objects.count()
    lines = []
    demo.load(lines.append)
    assert "already loaded" in lines[0]
    assert Nomination.objects.count() == count
