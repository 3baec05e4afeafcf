"""Recommendations for a goal: ranked, with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.programmes import selectors, services
from icihub.training.models import Course, Session

pytestmark = pytest.mark.django_db


def test_ranking_and_reasons(build_programme, kwt_coordinator, activity):
    planned = activity("R-PLANNED", areas=["cyber-defence"])
    programme = build_programme(kwt_coordinator, activities=[planned])
    goal = programme.objectives.first().goals.first()
    activity("R-TWO", areas=["cyber-defence", "hybrid-threats"])
    services.update_goal(kwt_coordinator, goal, {"areas": ["cyber-defence", "hybrid-threats"]})
    one_area = activity("R-ONE", areas=["cyber-defence"])
    activity("R-OFF", areas=["maritime-security"])  # no area match
    activity("R-MD", areas=["cyber-defence"], frameworks=("md",))  # Kuwait not eligible
    activity("R-SECRET", areas=["cyber-defence"], marking="nato")  # not visible to Kuwait
    activity("R-OLD", areas=["cyber-defence"], first_year=2000, last_year=2005)  # not offered
    open_to_all = activity("R-ALL", areas=["cyber-defence"], frameworks=())
    course = Course.objects.create(code="NIRC-R-1", title="Cyber course", marking="public")
    course.areas.set(goal.areas.all())
    start = timezone.localdate() + dt.timedelta(days=60)
    Session.objects.create(
        course=course,
        reference="R-S1",
        start=start,
        end=start + dt.timedelta(days=4),
        capacity=20,
        seats_taken=5,
        nomination_deadline=start - dt.timedelta(days=10),
        reallocation_date=start - dt.timedelta(days=20),
        state="open",
    )
    result = selectors.recommendations(goal, kwt_coordinator)
    codes = [r.activity.code for r in result]
    assert codes[0] == "NIRC-R-1"  # two areas, eligible, new, free seats
    assert codes[1] == "R-TWO"
    assert set(codes) == {"NIRC-R-1", "R-TWO", "R-ONE", "R-ALL"}
    top = result[0]
    assert any("15 free seat" in reason for reason in top.reasons)
    assert any("Area match" in reason for reason in top.reasons)
    assert any("Not yet in the programme" in reason for reason in top.reasons)
    assert any("ICI" in reason for reason in result[1].reasons)
    assert any(
        "every partner" in r for r in next(x for x in result if x.activity == open_to_all).reasons
    )
    # Once added, an activity is no longer recommended for that goal.
    services.add_item(kwt_coordinator, goal, {"activity": one_area})
    assert "R-ONE" not in [
        r.activity.code for r in selectors.recommendations(goal, kwt_coordinator)
    ]


def test_an_activity_open_only_to_other_countries_by_name_is_not_recommended(
    build_programme, kwt_coordinator, activity
):
    from icihub.partners.models import Country

    programme = build_programme(kwt_coordinator)
    goal = programme.objectives.first().goals.first()
    for code, iso3 in (("R-QAT", "QAT"), ("R-KWT", "KWT")):
        named = activity(code, areas=["cyber-defence"], frameworks=())
        named.eligible_countries.set(Country.objects.filter(iso3=iso3))
    codes = {r.activity.code: r for r in selectors.recommendations(goal, kwt_coordinator, limit=50)}
    assert "R-QAT" not in codes
    assert any("by name" in str(reason) for reason in codes["R-KWT"].reasons)
