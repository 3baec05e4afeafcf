import pytest

from icihub.gulf import calendar as gulf
from icihub.planning.models import Plan
from icihub.testing import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(year_world, centre_staff, django_capture_on_commit_callbacks):
    api = ApiClient(centre_staff)
    r = api.post("planning/plans", {"year": 2027})
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"planning/plans/{plan_id}/solve", {"time_limit": 5})
    assert r.status_code == 202, r.content
    run = api.get(f"planning/runs/{r.json()['id']}").json()
    assert run["status"] == "done" and run["solutions"] >= 1 and run["gap"] is not None
    return api, plan_id


def test_plan_solve_detail_and_the_comparison(solved):
    api, plan_id = solved
    body = api.get(f"planning/plans/{plan_id}").json()
    assert body["state"] == "solved"
    assert len(body["sessions"]) == 4
    assert all(s["reasons"] for s in body["sessions"])
    assert {row["term"] for row in body["comparison"]} >= {"trips", "travel_days"}
    trips = next(r for r in body["comparison"] if r["term"] == "trips")
    assert trips["plan"] <= trips["greedy"]
    assert body["trips"]


def test_a_move_onto_eid_answers_400_with_the_reason(solved):
    api, plan_id = solved
    session = api.get(f"planning/plans/{plan_id}").json()["sessions"][0]
    eid = next(b for b in gulf.islamic_periods(2027) if b.kind == "eid_al_adha")
    r = api.post(f"planning/sessions/{session['id']}/preview", {"start": eid.start.isoformat()})
    assert r.status_code == 200 and any("Eid al-Adha" in c for c in r.json()["conflicts"])
    r = api.post(f"planning/sessions/{session['id']}/move", {"start": eid.start.isoformat()})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"start"}
    assert any("Eid al-Adha" in e["message"] for e in r.json()["errors"])
    r = api.post(f"planning/sessions/{session['id']}/move", {"start": "not a date"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["start"]


def test_bad_weights_and_years_are_field_errors(solved):
    api, plan_id = solved
    r = api.put(f"planning/plans/{plan_id}/weights", {"weights": {"trips": -1}})
    assert r.status_code == 422, r.json()
    assert [e["field"] for e in r.json()["errors"]] == ["weights.trips"]
    r = api.put(f"planning/plans/{plan_id}/weights", {"weights": {"trips": 2, "nope": 3}})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"nope"}
    r = api.post("planning/plans", {"year": 1900})
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["year"]


def test_publish_then_coordinators_read_and_instructors_see_their_own(
    solved, kwt_coordinator, instructor_user
):
    api, plan_id = solved
    coordinator = ApiClient(kwt_coordinator)
    assert coordinator.get(f"planning/plans/{plan_id}").status_code == 404
    assert coordinator.post(f"planning/plans/{plan_id}/publish", {}).status_code == 404
    r = api.post(f"planning/plans/{plan_id}/publish", {})
    assert r.status_code == 200 and r.json()["state"] == "published"
    body = coordinator.get(f"planning/plans/{plan_id}").json()
    assert len(body["sessions"]) == 4 and body["courses"] == []
    assert coordinator.post(f"planning/plans/{plan_id}/versions", {}).status_code == 403
    mine = ApiClient(instructor_user).get("planning/my-sessions").json()
    assert mine and all("Anna Berg" in s["instructors"] for s in mine)
    r = api.post(f"planning/plans/{plan_id}/versions", {})
    assert r.status_code == 201 and r.json()["version"] == 2
    assert Plan.objects.filter(year=2027).count() == 2
    diff = api.get(f"planning/plans/{r.json()['id']}/diff", {"against": plan_id})
    assert diff.status_code == 200


def test_bad_moves_and_course_changes_are_field_errors_and_change_nothing(solved):
    api, plan_id = solved
    body = api.get(f"planning/plans/{plan_id}").json()
    session = body["sessions"][0]
    for verb in ("preview", "move"):
        r = api.post(f"planning/sessions/{session['id']}/{verb}", {"start": "9999-12-31"})
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "start"
    course = body["courses"][0]
    r = api.patch(f"planning/courses/{course['id']}", {"instructors": [999999]})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "instructors"
    r = api.patch(f"planning/courses/{course['id']}", {"preferred_months": [13]})
    assert r.status_code == 422
    after = api.get(f"planning/plans/{plan_id}").json()
    assert after["courses"][0] == course
    assert after["sessions"][0]["start"] == session["start"]
    r = api.patch(f"planning/courses/{course['id']}", {"iterations": 3, "preferred_months": [4]})
    assert r.status_code == 200 and r.json()["iterations"] == 3


def test_the_plan_list_answers_in_constant_queries(year_world, centre_staff):
    from icihub.planning import services
    from icihub.testing import assert_constant_queries

    api = ApiClient(centre_staff)
    years = iter(range(2030, 2060))

    def grow():
        for _ in range(3):
            services.create_plan(centre_staff, next(years), propose=False)

    assert_constant_queries(lambda: api.get("planning/plans"), grow)


def test_the_plans_page_answers_in_constant_queries(year_world, centre_staff):
    from django.urls import reverse

    from icihub.planning import services
    from icihub.testing import assert_constant_queries, client_for

    client = client_for(centre_staff)
    years = iter(range(2030, 2060))

    def grow():
        for _ in range(3):
            services.create_plan(centre_staff, next(years), propose=False)

    assert_constant_queries(lambda: client.get(reverse("planning:plan_list")), grow)


def test_a_plan_answers_the_same_on_the_fast_path_as_the_schema_validates(solved, kwt_coordinator):
    """The plan's answer is built from values and served without ninja's
    re-validation: the same bytes as the schema path, for staff (courses,
    trips, comparison) and, once published, for a coordinator."""
    from icihub.testing import assert_both_paths_agree

    api, plan_id = solved
    body = assert_both_paths_agree(api, f"planning/plans/{plan_id}")
    assert body["trips"] and body["courses"] and body["comparison"]
    assert all(s["instructors"] for s in body["sessions"])
    assert any(c["instructors"] for c in body["courses"])
    assert api.post(f"planning/plans/{plan_id}/publish", {}).status_code == 200
    body = assert_both_paths_agree(ApiClient(kwt_coordinator), f"planning/plans/{plan_id}")
    assert len(body["sessions"]) == 4 and body["courses"] == []
