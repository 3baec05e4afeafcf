"""REST API of the programmes: nested structure, transitions, versions and diff,
execution, recommendations, requests; access and constant queries."""

from __future__ import annotations

import datetime as dt

import pytest

from icihub.programmes import services
from icihub.programmes.models import Programme
from icihub.testing import ApiClient, assert_both_paths_agree, assert_constant_queries

pytestmark = pytest.mark.django_db


def test_build_submit_agree_and_diff_through_the_api(kwt_coordinator, nato_staff, activity):
    cyber = activity("API-CYB", areas=["cyber-defence"])
    maritime = activity("API-MAR", areas=["maritime-security"])
    api = ApiClient(kwt_coordinator)
    response = api.post(
        "programmes", {"country": "KWT", "kind": "itpp", "start_year": 2025, "end_year": 2028}
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["state"] == "draft" and response.json()["actions"]["submit"]
    objective = api.post(f"programmes/{pk}/objectives", {"title": "Resilience"}).json()
    goal = api.post(
        f"programmes/objectives/{objective['id']}/goals",
        {"title": "Cyber", "areas": ["cyber-defence"]},
    ).json()
    recommended = api.get(f"programmes/goals/{goal['id']}/recommendations").json()
    assert recommended[0]["activity"]["code"] == "API-CYB" and recommended[0]["reasons"]
    item = api.post(
        f"programmes/goals/{goal['id']}/items",
        {"activity": "API-CYB", "planned_year": 2025, "seats": 3},
    )
    assert item.status_code == 201 and item.json()["activity"]["id"] == cyber.pk
    bad = api.post(f"programmes/goals/{goal['id']}/items", {"activity": "NOPE"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "activity"
    bad = api.post(
        f"programmes/goals/{goal['id']}/items", {"activity": "API-MAR", "planned_year": 2040}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "planned_year"
    detail = api.get(f"programmes/{pk}").json()
    assert detail["objectives"][0]["goals"][0]["items"][0]["activity"]["code"] == "API-CYB"
    assert api.post(f"programmes/{pk}/submit").json()["state"] == "submitted"
    frozen = api.patch(f"programmes/objectives/{objective['id']}", {"title": "Changed"})
    assert frozen.status_code == 409
    assert api.post(f"programmes/{pk}/agree").status_code == 403
    staff = ApiClient(nato_staff)
    agreed = staff.post(f"programmes/{pk}/agree", {"reason": "NAC", "signed": "2025-02"}).json()
    assert agreed["state"] == "agreed" and agreed["agreed_by"] == "nato" and agreed["version"] == 1
    assert agreed["signed"]["display"] == "February 2025"
    assert staff.post(f"programmes/{pk}/agree").status_code == 409
    staff.post(
        f"programmes/goals/{goal['id']}/items", {"activity": "API-MAR", "planned_year": 2026}
    )
    versions = staff.get(f"programmes/{pk}/versions").json()
    assert [v["number"] for v in versions["items"]] == [1, 2]
    diff = staff.get(f"programmes/{pk}/diff", {"from": 1, "to": 2}).json()
    assert [c["label"].split(" ")[0] for c in diff["items"]["added"]] == ["API-MAR"]
    assert diff["objectives"] == {"added": [], "removed": [], "changed": []}
    assert (
        staff.get(f"programmes/{pk}/versions/1").json()["snapshot"]["objectives"][0]["title"]
        == "Resilience"
    )
    assert staff.get(f"programmes/{pk}/versions/9").status_code == 404
    assert maritime.pk


def test_qatar_gets_404_and_never_lists_kuwait(build_programme, every_role):
    programme = build_programme(every_role["coordinator_kwt"])
    goal = programme.objectives.first().goals.first()
    item = goal.items.first()
    request = services.create_request(
        every_role["coordinator_kwt"], {"kind": "expert", "subject": "Kuwait only"}
    )
    qatar = ApiClient(every_role["coordinator_qat"])
    for path in (
        f"programmes/{programme.pk}",
        f"programmes/{programme.pk}/versions",
        f"programmes/{programme.pk}/execution",
        f"programmes/{programme.pk}/diff?from=1",
        f"programmes/goals/{goal.pk}/recommendations",
        f"programmes/items/{item.pk}",
        f"programmes/items/{item.pk}/deliveries",
        f"programmes/requests/{request.pk}",
    ):
        assert qatar.get(path).status_code == 404, path
    assert qatar.post(f"programmes/{programme.pk}/submit").status_code == 404
    assert qatar.patch(f"programmes/goals/{goal.pk}", {"title": "x"}).status_code == 404
    assert qatar.post(f"programmes/requests/{request.pk}/close").status_code == 404
    assert qatar.get("programmes").json()["count"] == 0
    assert qatar.get("programmes/requests").json()["count"] == 0
    assert (
        qatar.post(
            "programmes", {"country": "KWT", "kind": "itpp", "start_year": 2030, "end_year": 2031}
        ).status_code
        == 403
    )
    assert ApiClient().get("programmes").json()["count"] == 0
    assert ApiClient().get(f"programmes/{programme.pk}").status_code == 404
    assert ApiClient(every_role["centre_staff"]).get("programmes").json()["count"] == 1


def test_requests_and_execution_endpoints(
    build_programme, kwt_coordinator, nato_staff, attended_session
):
    from icihub.training.models import Course

    course = Course.objects.create(code="NIRC-API-1", title="Lessons learned", marking="public")
    programme = build_programme(kwt_coordinator)
    goal = programme.objectives.first().goals.first()
    services.add_item(kwt_coordinator, goal, {"activity": course, "planned_year": 2025})
    services.submit(kwt_coordinator, programme)
    services.agree(nato_staff, programme)
    session = attended_session(course, "KWT", attendees=4)
    staff = ApiClient(nato_staff)
    execution = assert_both_paths_agree(staff, f"programmes/{programme.pk}/execution")
    assert execution["progress"]["delivered"] == 0
    assert [(m["activity"], m["attendees"]) for m in execution["suggested_matches"]] == [
        ("NIRC-API-1", 4)
    ]
    match = execution["suggested_matches"][0]
    created = staff.post(
        f"programmes/{programme.pk}/matches",
        {"matches": [{"item": match["item"], "session": session.pk}]},
    )
    assert created.status_code == 200 and created.json()[0]["participants"] == 4
    execution = staff.get(f"programmes/{programme.pk}/execution").json()
    assert execution["progress"]["delivered"] == 1 and execution["suggested_matches"] == []
    item = goal.items.exclude(activity=course).first()
    visit = staff.post(
        f"programmes/items/{item.pk}/deliveries",
        {"kind": "expert_visit", "title": "Advisory visit", "delivered_on": "2025-03-01"},
    )
    assert visit.status_code == 201
    assert (
        ApiClient(kwt_coordinator)
        .post(
            f"programmes/items/{item.pk}/deliveries",
            {"kind": "other", "title": "x", "delivered_on": "2025-03-01"},
        )
        .status_code
        == 403
    )
    # Requests: filed by the coordinator, answered by staff, age shown.
    coordinator = ApiClient(kwt_coordinator)
    filed = coordinator.post(
        "programmes/requests",
        {
            "kind": "course_seat",
            "subject": "Two seats",
            "requested_on": "2006-04-01",
            "activity": "NIRC-API-1",
        },
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["country"] == "KWT" and body["unanswered"] and body["overdue"]
    assert body["age_days"] == (dt.date.today() - dt.date(2006, 4, 1)).days
    summary = staff.get("programmes/requests/unanswered").json()
    assert summary["count"] == 1 and summary["oldest"] == body["id"]
    assert (
        coordinator.post(f"programmes/requests/{body['id']}/respond", {"response": "x"}).status_code
        == 403
    )
    answered = staff.post(
        f"programmes/requests/{body['id']}/respond", {"response": "Offered", "close": True}
    ).json()
    assert answered["state"] == "closed" and not answered["unanswered"]
    bad = coordinator.post("programmes/requests", {"kind": "nonsense", "subject": "x"})
    assert bad.status_code == 422  # the kinds are documented: the schema refuses it
    assert bad.json()["errors"][0]["field"] == "kind"


def test_list_endpoints_run_constant_queries(build_programme, nato_staff):
    api = ApiClient(nato_staff)
    years = iter(range(2021, 2100, 7))
    isos = iter(["KWT", "QAT", "BHR", "ARE", "EGY", "JOR", "MAR", "TUN"] * 3)

    def grow():
        for _ in range(2):
            programme = build_programme(nato_staff, next(isos), start=next(years), items=2)
            services.create_request(
                nato_staff,
                {
                    "country": programme.country,
                    "kind": "expert",
                    "subject": "x",
                    "programme": programme,
                },
            )
            services.submit(nato_staff, programme)
            services.agree(nato_staff, programme)

    grow()
    assert_constant_queries(lambda: api.get("programmes"), grow)
    assert_constant_queries(lambda: api.get("programmes/requests"), grow)
    first = Programme.objects.order_by("pk").first()
    assert_constant_queries(
        lambda: api.get(f"programmes/{first.pk}/versions"),
        lambda: services.update_programme(nato_staff, first, {"summary": str(dt.datetime.now())}),
    )


def test_detail_endpoint_constant_queries(build_programme, nato_staff, kwt_coordinator, activity):
    programme = build_programme(kwt_coordinator)
    api = ApiClient(nato_staff)
    goal = programme.objectives.first().goals.first()

    def grow():
        for _ in range(10):
            services.add_item(kwt_coordinator, goal, {"activity": activity()})

    assert_constant_queries(lambda: api.get(f"programmes/{programme.pk}"), grow)
    assert_constant_queries(lambda: api.get(f"programmes/{programme.pk}/execution"), grow)
    assert_constant_queries(lambda: api.get(f"programmes/goals/{goal.pk}/recommendations"), grow)


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/programmes",
        "/api/v1/programmes/{pk}",
        "/api/v1/programmes/{pk}/agree",
        "/api/v1/programmes/{pk}/diff",
        "/api/v1/programmes/{pk}/execution",
        "/api/v1/programmes/goals/{pk}/recommendations",
        "/api/v1/programmes/requests",
        "/api/v1/programmes/requests/{pk}/respond",
        "/api/v1/menu/activities",
        "/api/v1/menu/facets",
        "/api/v1/menu/import",
        "/api/v1/menu/export",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/programmes/{pk}/agree"]["post"]["responses"]
