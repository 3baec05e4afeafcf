"""The programmes list's numbers (items, delivered items, open requests) are
read for the page in one query after it (``selectors.attach_counts``, issue
11): the API and the page show, for every programme, what a count of the
records themselves gives, as staff and as a coordinator, on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.programmes import services
from icihub.programmes.models import PartnerRequest, Programme, ProgrammeItem
from icihub.testing import ApiClient, client_for


def _counted(programme: Programme) -> tuple[int, int, int]:
    """Counted apart from the code under test: straight from the rows."""
    items = ProgrammeItem.objects.filter(goal__objective__programme=programme)
    delivered = {i.pk for i in items if i.deliveries.exists()}
    open_requests = PartnerRequest.objects.filter(programme=programme, state="open").count()
    return items.count(), len(delivered), open_requests


@pytest.fixture
def programmes(nato_staff, kwt_coordinator, build_programme):
    empty = build_programme(nato_staff, "KWT", objectives=0)
    agreed = build_programme(nato_staff, "KWT", start=2021, kind="ipcp", goals=2, items=2)
    services.submit(nato_staff, agreed)
    services.agree(nato_staff, agreed, signed="2021-03")
    first, second = ProgrammeItem.objects.filter(goal__objective__programme=agreed)[:2]
    for item, n in ((first, 2), (second, 1)):  # two deliveries of one item count it once
        for k in range(n):
            services.record_delivery(
                nato_staff,
                item,
                {
                    "kind": "expert_visit",
                    "title": f"Visit {k}",
                    "delivered_on": dt.date(2021, 5, 1),
                },
            )
    for subject in ("Seats", "An expert"):
        services.create_request(
            kwt_coordinator,
            {"kind": "course_seat", "subject": subject, "programme": agreed},
        )
    answered = services.create_request(
        kwt_coordinator,
        {
            "kind": "course_seat",
            "subject": "Answered",
            "programme": agreed,
            "requested_on": timezone.localdate(),
        },
    )
    services.respond(nato_staff, answered, response="Yes.")
    qatari = build_programme(nato_staff, "QAT", start=2023, goals=3)
    return {"empty": empty, "agreed": agreed, "qatari": qatari}


def test_the_counts_are_the_records(programmes):
    assert _counted(programmes["agreed"]) == (4, 2, 2)
    assert _counted(programmes["empty"]) == (0, 0, 0)
    assert _counted(programmes["qatari"]) == (3, 0, 0)


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_api_list_counts(who, request, programmes):
    api = ApiClient(request.getfixturevalue(who))
    shown = {}
    for offset in range(3):  # one programme a page, and all on one
        for item in api.get("programmes", {"limit": 1, "offset": offset}).json()["items"]:
            shown[item["id"]] = item
    assert shown == {item["id"]: item for item in api.get("programmes").json()["items"]}
    expected = {
        p.pk: _counted(p)
        for p in Programme.objects.all()
        if who == "nato_staff" or p.country.iso3 == "KWT"
    }
    assert {
        pk: (item["item_count"], item["delivered_count"], item["open_requests"])
        for pk, item in shown.items()
    } == expected


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_page_counts(who, request, programmes):
    response = client_for(request.getfixturevalue(who)).get("/programmes/")
    assert response.status_code == 200
    rows = {p.pk: p for p in response.context["object_list"]}
    assert {pk: (p.item_count, p.delivered_count, p.open_requests) for pk, p in rows.items()} == {
        pk: _counted(p) for pk, p in rows.items()
    }
    assert programmes["agreed"].pk in rows
    assert "2/4" in response.content.decode()
