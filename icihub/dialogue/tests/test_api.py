"""The REST API of the register: events, actions, the timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.models import AuditEntry
from icihub.dialogue.models import Event, FollowUpAction
from icihub.testing import ApiClient, assert_constant_queries

from .helpers import make_event, ref

pytestmark = pytest.mark.django_db


def _payload(**overrides):
    data = {
        "title": "NAC+4 on cyber defence",
        "format": "nac_ici",
        "date": "2026-03-04",
        "place": "Brussels",
        "venue": "nato-hq",
        "venue_country": "BEL",
        "level": "ambassadorial",
        "topics": ["cyber-defence"],
        "marking": "rel_ici",
        "participants": [
            {"country": "KWT", "role": "member"},
            {"organisation": "gcc-secretariat", "role": "observer"},
        ],
        "attendees": [{"person": "jens-stoltenberg", "role": "chaired"}, {"name": "Academics"}],
    }
    data.update(overrides)
    return data


def test_event_detail_shows_the_inauguration_conflict():
    body = ApiClient().get(f"dialogue/events/{ref('centre-inauguration-2017').pk}").json()
    assert body["date"]["value"] == "2017-01-24"
    assert body["date"]["display"] == "24 January 2017"
    date_fact = next(f for f in body["facts"] if f["attribute"] == "date")
    assert date_fact["conflict"] is True
    values = {v["value"]: set(v["sources"]) for v in date_fact["values"]}
    assert values["2017-01-24"] == {"seed-000", "seed-002"}
    assert values["2017-01-23"] == {"nato-centre-2017"}
    quotes = [c["quote"] for c in body["citations"] if c["source"]["key"] == "seed-000"]
    assert any("January 24, 2017" in q for q in quotes)
    people = {a["person"]["slug"] for a in body["attendees"] if a["person"]}
    assert "jaber-mubarak-al-sabah" in people
    assert {p["country"]["iso3"] for p in body["participants_detail"] if p["country"]} >= {
        "KWT",
        "BHR",
        "QAT",
        "ARE",
    }
    assert body["actions"] == []  # anonymous: actions are internal


def test_undated_event_in_the_api():
    body = ApiClient().get(f"dialogue/events/{ref('kwt-mission-nato-opening').pk}").json()
    assert body["date"] is None and body["date_stated"] is False
    assert "no date" in body["date_note"]


def test_event_list_filters():
    api = ApiClient()
    keys = {e["key"] for e in api.get("dialogue/events", {"format": "nac_ici"}).json()["items"]}
    assert {"nac-ici-2008-11", "nac-ici-new-york-2024", "nac-ici-kuwait-2017"} <= keys
    assert "centre-inauguration-2017" not in keys
    body = api.get("dialogue/events", {"country": "SAU"}).json()
    assert [e["key"] for e in body["items"]] == ["ici-advisory-group-consultations"]
    body = api.get("dialogue/events", {"year": "2018"}).json()
    assert {e["key"] for e in body["items"]} == {
        "pag-4-centre-2018",
        "centre-first-annual-review-2018",
    }
    body = api.get("dialogue/events", {"topic": "counter-piracy"}).json()
    assert [e["key"] for e in body["items"]] == ["first-ici-foreign-ministers-2014"]
    body = api.get("dialogue/events", {"q": "chicago summit", "limit": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1  # the summit and the request
    assert body["items"][0]["key"] == "chicago-summit-2012"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "astrology"}, "topic"),
        ({"country": "XX1"}, "country"),
        ({"year": "19"}, "year"),
        ({"marking": "secret"}, "marking"),
    ],
)
def test_bad_filters_answer_400_with_the_field(params, field):
    response = ApiClient().get("dialogue/events", params)
    # a value outside a documented enumeration is refused by the schema (422)
    assert response.status_code == (422 if field == "marking" else 400)
    assert response.json()["errors"][0]["field"] == field


def test_nato_staff_create_change_and_delete_an_event(nato_staff):
    api = ApiClient(nato_staff)
    response = api.post("dialogue/events", _payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["date"]["precision"] == "day"
    assert body["topics"] == ["cyber-defence"]
    assert {
        p["organisation"]["slug"] for p in body["participants_detail"] if p["organisation"]
    } == {"gcc-secretariat"}
    assert [a["name"] for a in body["attendees"]] == ["", "Academics"]
    event_id = body["id"]
    assert AuditEntry.objects.filter(object_id=str(event_id), via="api").exists()

    response = api.patch(f"dialogue/events/{event_id}", {"date": "2026-03", "topics": []})
    assert response.status_code == 200
    assert response.json()["date"]["display"] == "March 2026"
    assert response.json()["topics"] == []
    assert len(response.json()["participants_detail"]) == 2  # untouched

    response = api.put(f"dialogue/events/{event_id}", _payload(participants=[]))
    assert response.status_code == 200 and response.json()["participants_detail"] == []

    assert api.delete(f"dialogue/events/{event_id}").status_code == 204
    assert api.get(f"dialogue/events/{event_id}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "2018-01-23/2018-01-22"}, "date"),
        ({"date": "23/01/2018"}, "date"),
        ({"topics": ["cyber-defence", "astrology"]}, "topics"),
        ({"venue": "the-moon"}, "venue"),
        ({"participants": [{"country": "ZZZ", "role": "member"}]}, "participants.0.country"),
        ({"attendees": [{"person": "nobody"}]}, "attendees.0.person"),
        ({"attendees": [{"role": "speaker"}]}, "attendees.0.name"),
        ({"marking": "rel_partner"}, "country"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_written(nato_staff, overrides, field):
    api = ApiClient(nato_staff)
    events, entries = Event.objects.count(), AuditEntry.objects.count()
    response = api.post("dialogue/events", _payload(**overrides))
    assert response.status_code == 400, response.json()
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields, fields
    assert Event.objects.count() == events
    assert AuditEntry.objects.count() == entries


def test_schema_errors_are_422_not_500(nato_staff):
    response = ApiClient(nato_staff).post("dialogue/events", {"title": "x", "format": "party"})
    assert response.status_code == 422
    assert any(e["field"] == "format" for e in response.json()["errors"])


def test_writes_need_a_writer(client, kwt_coordinator, centre_staff):
    assert ApiClient().post("dialogue/events", _payload()).status_code == 401
    assert ApiClient(kwt_coordinator).post("dialogue/events", _payload()).status_code == 403
    event = ref("first-ici-foreign-ministers-2014")
    assert (
        ApiClient(kwt_coordinator).patch(f"dialogue/events/{event.pk}", {"title": "x"}).status_code
        == 403
    )
    assert ApiClient(centre_staff).post("dialogue/events", _payload()).status_code == 403
    response = ApiClient(centre_staff).post("dialogue/events", _payload(venue="nato-ici-rc"))
    assert response.status_code == 201


def test_partner_event_is_404_for_another_coordinator(qat_coordinator, kwt_coordinator):
    event = make_event(marking=Marking.REL_PARTNER, country="KWT", actions=1)
    assert ApiClient(qat_coordinator).get(f"dialogue/events/{event.pk}").status_code == 404
    assert (
        ApiClient(qat_coordinator).patch(f"dialogue/events/{event.pk}", {"title": "x"}).status_code
        == 404
    )
    assert ApiClient(kwt_coordinator).get(f"dialogue/events/{event.pk}").status_code == 200


def test_participants_attendees_and_citations_endpoints(nato_staff):
    event = make_event(participants=())
    api = ApiClient(nato_staff)
    response = api.post(
        f"dialogue/events/{event.pk}/participants", {"country": "OMN", "role": "observer"}
    )
    assert response.status_code == 201
    pid = response.json()["id"]
    assert (
        api.post(
            f"dialogue/events/{event.pk}/participants", {"country": "OMN", "role": "guest"}
        ).status_code
        == 409
    )
    assert (
        api.post(f"dialogue/events/{event.pk}/participants", {"role": "guest"}).status_code == 400
    )
    response = api.post(
        f"dialogue/events/{event.pk}/attendees", {"person": "fawaz-al-sabah", "role": "spoke"}
    )
    assert response.status_code == 201
    aid = response.json()["id"]
    response = api.post(
        f"dialogue/events/{event.pk}/citations",
        {
            "attribute": "date",
            "kind": "date",
            "value": "2020-05",
            "source": "seed-000",
            "quote": "Manama",
        },
    )
    assert response.status_code == 201
    body = api.get(f"dialogue/events/{event.pk}").json()
    assert [p["country"]["iso3"] for p in body["participants_detail"]] == ["OMN"]
    assert body["attendees"][0]["person"]["slug"] == "fawaz-al-sabah"
    assert body["citations"][0]["source"]["key"] == "seed-000"
    assert api.delete(f"dialogue/events/{event.pk}/participants/{pid}").status_code == 204
    assert api.delete(f"dialogue/events/{event.pk}/attendees/{aid}").status_code == 204
    cid = event.citations.get().pk
    assert api.delete(f"dialogue/events/{event.pk}/citations/{cid}").status_code == 204
    assert not event.citations.exists()


def test_actions_crud_and_overdue_filter(nato_staff, kwt_coordinator):
    event = make_event(actions=1, overdue=1)
    api = ApiClient(nato_staff)
    body = api.get("dialogue/actions", {"overdue": "true"}).json()
    assert body["count"] == 1 and body["items"][0]["overdue"] is True
    assert api.get("dialogue/actions", {"overdue": "false"}).json()["count"] == 1
    due = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = api.post(
        f"dialogue/events/{event.pk}/actions",
        {"description": "Send the minutes", "owner_user": kwt_coordinator.username, "due": due},
    )
    assert response.status_code == 201
    action = response.json()
    assert action["overdue"] is True and action["owner_user"] == "coord-kwt"
    response = api.patch(f"dialogue/actions/{action['id']}", {"state": "done", "reason": "sent"})
    assert response.status_code == 200
    assert response.json()["overdue"] is False
    assert response.json()["completed_on"] == timezone.localdate().isoformat()
    assert (
        api.post(f"dialogue/events/{event.pk}/actions", {"description": "No owner"}).status_code
        == 400
    )
    assert (
        api.post(
            f"dialogue/events/{event.pk}/actions",
            {"description": "x", "owner_user": "ghost"},
        ).status_code
        == 400
    )
    assert api.delete(f"dialogue/actions/{action['id']}").status_code == 204
    assert api.get(f"dialogue/actions/{action['id']}").status_code == 404
    assert ApiClient().get("dialogue/actions").status_code == 401


def test_timeline_json_with_filters():
    api = ApiClient()
    body = api.get("dialogue/timeline").json()
    titles = [i["title"] for i in body["dated"]]
    assert titles.index("Kuwait joins the ICI") < titles.index(
        "Inauguration of the NATO-ICI Regional Centre"
    )
    inauguration = next(
        i for i in body["dated"] if i["event"] == ref("centre-inauguration-2017").pk
    )
    assert inauguration["conflict"] is True
    assert {s["key"] for s in inauguration["sources"]} >= {
        "seed-000",
        "seed-002",
        "nato-centre-2017",
    }
    assert inauguration["milestone"]["organisation"] == "nato-ici-rc"
    assert {i["title"] for i in body["undated"]} >= {
        "ICI advisory group: two-day informal consultations",
        "Opening of Kuwait's mission to NATO in Brussels",
    }
    kwt = api.get("dialogue/timeline", {"country": "KWT"}).json()
    assert kwt["country"] == "KWT"
    assert all("KWT" in i["countries"] for i in kwt["dated"] + kwt["undated"])
    cyber = api.get("dialogue/timeline", {"topic": "cyber-defence"}).json()
    assert all(i["kind"] == "event" and "cyber-defence" in i["topics"] for i in cyber["dated"])
    assert api.get("dialogue/timeline", {"topic": "astrology"}).status_code == 400


def test_openapi_documents_the_dialogue_endpoints():
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/v1/openapi.json")
    if response.status_code != 200:
        pytest.skip("another app's router breaks the OpenAPI document")
    paths = response.json()["paths"]
    assert "/api/v1/dialogue/events" in paths and "/api/v1/dialogue/timeline" in paths


# -- no N+1 ------------------------------------------------------------------------------------


def _grow():
    for i in range(3):
        make_event(
            participants=("KWT", "QAT", "ARE"),
            topics=("cbrn", "cyber-defence"),
            actions=1,
            overdue=1,
            date=f"2021-0{i + 1}",
        )


@pytest.mark.parametrize(
    "path",
    [
        "dialogue/events?limit=1000",
        "dialogue/events?country=KWT&limit=1000",
        "dialogue/actions?limit=1000",
        "dialogue/actions?overdue=true",
        "dialogue/timeline",
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(nato_staff, path):
    make_event(actions=1, overdue=1)
    api = ApiClient(nato_staff)
    assert_constant_queries(lambda: api.get(path).json(), _grow)


def test_event_detail_endpoint_runs_a_constant_number_of_queries(nato_staff):
    event = make_event(actions=1)
    event.attendees.create(name="First")
    api = ApiClient(nato_staff)

    def grow():
        for i in range(3):
            event.attendees.create(name=f"Officer {i}")
            FollowUpAction.objects.create(event=event, description=str(i), owner_user=nato_staff)

    assert_constant_queries(lambda: api.get(f"dialogue/events/{event.pk}").json(), grow)
