""" "Programme activities delivered" counts a delivery only when it is dated on
or before the last day of the period (issue 15, defect 5; docs/reports.md): a
delivery in a later year does not count for the year planned, so a published
year's figure does not change afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from icihub.menu.models import Activity
from icihub.partners.models import Country
from icihub.programmes import services as programmes
from icihub.programmes.models import ProgrammeItem
from icihub.reports import figures
from icihub.reports.scope import Period, Scope

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def items(kwt_coordinator, nato_staff):
    """Three activities planned for 2024: one delivered in 2024, one in 2025
    (late), one never; plus one planned for 2025 and delivered early, in 2024."""
    from icihub.menu import services as menu
    from icihub.partners.models import Organisation

    def activity(n):
        return menu.create_activity(
            nato_staff,
            {
                "code": f"DLV-{n}",
                "title": f"Delivery years seminar {n}",
                "format": Activity.Format.COURSE,
                "provider": Organisation.objects.get(slug="nato-ici-rc"),
                "marking": "public",
                "languages": "en",
            },
        )

    programme = programmes.create_programme(
        kwt_coordinator,
        {
            "country": Country.objects.get(iso3="KWT"),
            "kind": "itpp",
            "title": "Delivery years",
            "start_year": YEAR,
            "end_year": YEAR + 1,
        },
    )
    objective = programmes.add_objective(kwt_coordinator, programme, {"title": "Objective"})
    goal = programmes.add_goal(kwt_coordinator, objective, {"title": "Goal"})
    planned = {
        key: programmes.add_item(
            kwt_coordinator, goal, {"activity": activity(n), "planned_year": year, "seats": 1}
        )
        for n, (key, year) in enumerate(
            (("on_time", YEAR), ("late", YEAR), ("never", YEAR), ("early", YEAR + 1))
        )
    }
    programmes.submit(kwt_coordinator, programme)
    programmes.agree(nato_staff, programme)
    for key, when in (
        ("on_time", dt.date(YEAR, 6, 1)),
        ("late", dt.date(YEAR + 1, 3, 1)),
        ("early", dt.date(YEAR, 11, 1)),
    ):
        item = ProgrammeItem.objects.get(pk=planned[key].pk)
        programmes.record_delivery(
            nato_staff, item, {"kind": "other", "title": f"{key} delivery", "delivered_on": when}
        )
    return planned


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_a_delivery_in_a_later_year_does_not_count_for_the_year_planned(items):
    scope = Scope.system(Period.of_year(YEAR))
    assert figures.value("items_planned", scope) == 3
    assert figures.value("items_delivered", scope) == 1
    assert _ids(figures.delivered_items(scope)) == {items["on_time"].pk}


def test_an_early_delivery_counts_for_the_year_planned(items):
    scope = Scope.system(Period.of_year(YEAR + 1))
    assert figures.value("items_planned", scope) == 1
    assert figures.value("items_delivered", scope) == 1
    assert _ids(figures.delivered_items(scope)) == {items["early"].pk}


def test_over_both_years_every_delivered_item_counts(items):
    scope = Scope.system(Period(dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 12, 31)))
    assert figures.value("items_delivered", scope) == 3
    assert _ids(figures.delivered_items(scope)) == {
        items["on_time"].pk,
        items["late"].pk,
        items["early"].pk,
    }


def test_the_definition_says_so():
    text = str(figures.get("items_delivered").definition)
    assert "on or before the last day of the period" in text
    assert "later year does not count" in text
