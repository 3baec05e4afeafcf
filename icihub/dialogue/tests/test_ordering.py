"""Undated rows sort the same way on SQLite and PostgreSQL: last (PostgreSQL
puts NULL first in a descending order, SQLite first in an ascending one).
Run on both: DATABASE_URL=postgres://... pytest this file."""

import datetime as dt
import re

import pytest

from icihub.dialogue import selectors
from icihub.dialogue.models import Event, FollowUpAction
from icihub.partners.models import Framework, Organisation
from icihub.testing import ApiClient, client_for

from .helpers import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return [
        make_event("Zordering undated", date=None),
        make_event("Zordering older", date="2015-03"),
        make_event("Zordering newer", date="2021-11-02"),
    ]


def test_undated_events_come_last_in_the_register(nato_staff, events):
    expected = ["Zordering newer", "Zordering older", "Zordering undated"]
    html = client_for(nato_staff).get("/dialogue/?q=zordering").content.decode()
    shown = list(dict.fromkeys(re.findall(r"Zordering \w+", html)))
    assert shown == expected
    mine = Event.objects.filter(title__startswith="Zordering")
    assert [e.title for e in mine] == expected  # the model's default order
    assert [e.title for e in mine.order_by(*selectors.EVENT_ORDER)] == expected


def test_undated_actions_come_last(events):
    event = events[0]
    org = Organisation.objects.get(slug="nato-pasp")
    for name, due in (
        ("none", None),
        ("later", dt.date(2030, 1, 2)),
        ("soon", dt.date(2029, 1, 1)),
    ):
        FollowUpAction.objects.create(
            event=event, description=name, owner_organisation=org, due=due
        )
    assert [a.description for a in FollowUpAction.objects.filter(event=event)] == [
        "soon",
        "later",
        "none",
    ]


def test_undated_frameworks_come_last():
    Framework.objects.create(code="zz-undated", acronym="ZZ", name="Undated framework")
    frameworks = list(Framework.objects.all())
    assert frameworks[-1].code == "zz-undated"
    assert all(f.launched is not None for f in frameworks[:-1])


def test_the_event_api_lists_undated_events_last(nato_staff, events):
    body = ApiClient(nato_staff).get("dialogue/events?q=zordering").json()
    titles = [item["title"] for item in body["items"]]
    assert titles == ["Zordering newer", "Zordering older", "Zordering undated"]


def test_the_appointments_api_lists_undated_appointments_last(administrator):
    api = ApiClient(administrator)
    person = api.post("people", {"name": "Zordering Person", "country": "QAT"}).json()
    for title, start in (("undated", None), ("later", "2021"), ("earlier", "2019-05")):
        payload = {"organisation": "nato-pasp", "title": title}
        if start:
            payload["start"] = start
        response = api.post(f"people/{person['slug']}/appointments", payload)
        assert response.status_code == 201, response.json()
    body = api.get(f"people/{person['slug']}/appointments").json()
    assert [a["title"] for a in body["items"]] == ["earlier", "later", "undated"]


def test_the_timeline_orders_events_of_one_date_and_title_by_their_ids(nato_staff):
    """Events of the same date and title keep the order they were recorded in, on
    both databases, in the selector and the API (the timeline sorts its items in
    Python; equal keys keep the order read, by id). The rows are written so that
    the register's own order (date, then title) would differ from the ids'."""
    later_date = make_event("Ztie same", date="2019-05")
    first = make_event("Ztie same", date="2019-04")
    second = make_event("Ztie same", date="2019-04")
    Event.objects.filter(pk=later_date.pk).update(date="2019-04")  # the first id, now a tie
    expected = [later_date.pk, first.pk, second.pk]
    items = selectors.timeline(nato_staff).dated
    assert [i.event_id for i in items if i.title == "Ztie same"] == expected
    body = ApiClient(nato_staff).get("dialogue/timeline").json()
    assert [i["event"] for i in body["dated"] if i["title"] == "Ztie same"] == expected
