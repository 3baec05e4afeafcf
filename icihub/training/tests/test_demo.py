"""The demo data: a realistic first year, the sourced examples, an open session."""

from __future__ import annotations

from collections import Counter

import pytest

from icihub.core import demo as core_demo
from icihub.core.models import Citation
from icihub.training import demo
from icihub.training.models import Course, Instructor, Nomination, Participant, Session, Trip


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


def test_every_demo_row_is_flagged_and_the_sourced_sessions_are_not(loaded):
    assert set(Participant.objects.values_list("provenance", flat=True)) == {"demo"}
    assert set(Instructor.objects.values_list("provenance", flat=True)) == {"demo"}
    sourced = Session.objects.filter(provenance="source")
    assert sorted(sourced.values_list("course__code", "start__year")) == [
        ("NIRC-CBRN-101", 2017),
        ("NIRC-LL-101", 2019),
        ("NIRC-MAR-101", 2024),
    ]
    assert not Session.objects.exclude(provenance__in=["demo", "source"]).exists()
    assert Session.objects.filter(provenance="demo").count() == Session.objects.count() - 3
    # The pages say so.
    from django.urls import reverse

    from icihub.core.demo import demo_user
    from icihub.testing import client_for

    client = client_for(demo_user("centre"))
    page = client.get(Session.objects.filter(provenance="demo").first().get_absolute_url())
    assert 'data-provenance="demo"' in page.content.decode()
    page = client.get(sourced.first().get_absolute_url())
    assert 'data-provenance="source"' in page.content.decode()
    person = Participant.objects.first()
    page = client.get(reverse("training:participant_detail", args=[person.pk]))
    assert page.status_code == 200 and 'data-provenance="demo"' in page.content.decode()


def test_rows_recorded_by_staff_are_not_demo(centre_staff):
    from .factories import make_course, make_participant, make_session

    person = make_participant(centre_staff)
    session = make_session(make_course(centre_staff), centre_staff)
    assert (person.provenance, session.provenance) == ("entered", "entered")
    assert not person.is_demo and not session.is_demo


def test_the_later_years_are_generated_without_writing(db):
    """The full demo's generated years (2018-2026) on unsaved courses: the
    counts, the seasons, Ramadan and the Eids avoided, every nomination fate."""
    import random

    from icihub.gulf import calendar
    from icihub.partners.models import Country

    courses = {
        code: Course(code=code, title=code, duration_days=days, default_capacity=capacity)
        for code, _t, _a, _areas, _p, _f, days, _l, capacity, _aim, _s in demo.COURSES
    }
    people = demo._People(random.Random(1), {c.iso3: c for c in Country.objects.all()})
    plans = demo._plan_years(random.Random(demo.SEED + 1), courses, people, [])
    years = {p.start.year for p in plans}
    assert years == set(demo.YEARS)  # with 2017, ten years of sessions
    assert len(plans) >= 150
    assert len(people.made) >= 3000  # a few thousand participants
    months = Counter(p.start.month for p in plans)
    assert not set(months) & {6, 7, 8}  # no course in the summer
    assert months[10] + months[11] > months[9] + months[12]  # the autumn season peaks
    for plan in plans:
        assert plan.start.weekday() == 6  # a Sunday, Kuwait's working week
        ramadan_or_eid = [
            b
            for b in calendar.blocked_periods(plan.start, plan.end)
            if b.kind in ("ramadan", "eid_al_fitr", "eid_al_adha")
        ]
        assert not ramadan_or_eid, (plan.start, ramadan_or_eid)
    fates = Counter(fate for plan in plans for _p, fate in plan.entries)
    assert set(fates) == {
        "completed",
        "not_completed",
        "no_show",
        "promoted-completed",
        "rejected",
        "withdrawn",
        "waitlisted",
        "substituted",
    }
    assert any(p.state == Session.State.CANCELLED and p.cancel_reason for p in plans)
    # Some people come back for another course.
    seen = Counter(id(person) for plan in plans for person, _f in plan.entries)
    assert sum(1 for n in seen.values() if n > 1) > 300
    # Reproducible: the same seed, the same years.
    again = demo._plan_years(
        random.Random(demo.SEED + 1),
        courses,
        demo._People(random.Random(1), {c.iso3: c for c in Country.objects.all()}),
        [],
    )
    assert [(p.course.code, p.start, len(p.entries)) for p in again] == [
        (p.course.code, p.start, len(p.entries)) for p in plans
    ]
