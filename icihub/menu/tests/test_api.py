"""REST API of the cooperation menu."""

from __future__ import annotations

import pytest

from icihub.menu import sample
from icihub.menu.models import Activity
from icihub.testing import ApiClient, assert_constant_queries

pytestmark = pytest.mark.django_db


def test_search_with_filters_and_facets(make_activity):
    make_activity("API-1", title="Cyber", areas=["cyber-defence"], frameworks=["ici"])
    make_activity("API-2", title="Cyber two", format="seminar", areas=["cyber-defence"])
    make_activity("API-3", title="Hidden", marking="nato")
    api = ApiClient()
    response = api.get("menu/activities", {"q": "cyber", "format": "course"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["code"] == "API-1"
    assert body["items"][0]["areas"] == ["cyber-defence"]
    facets = api.get("menu/facets", {"q": "cyber", "format": "course"}).json()
    formats = {
        v["value"]: v["count"]
        for f in facets["facets"]
        if f["name"] == "format"
        for v in f["values"]
    }
    assert formats == {"course": 1, "seminar": 1}
    several = api.get("menu/activities?area=cyber-defence&format=course&format=seminar").json()
    assert several["count"] == 2
    assert api.get("menu/activities", {"q": "hidden"}).json()["count"] == 0


def test_detail_and_404(make_activity, kwt_coordinator):
    a = make_activity("API-D", marking="nato")
    assert ApiClient(kwt_coordinator).get(f"menu/activities/{a.pk}").status_code == 404
    assert ApiClient().get("menu/activities/999999").json()["code"] == "not_found"


def test_write_endpoints_follow_the_policy(nato_staff, kwt_coordinator):
    payload = {
        "code": "API-N",
        "title": "New",
        "format": "course",
        "areas": ["cbrn"],
        "eligible_frameworks": ["ici"],
        "provider": "jallc",
    }
    assert ApiClient(kwt_coordinator).post("menu/activities", payload).status_code == 403
    assert ApiClient().post("menu/activities", payload).status_code == 401
    api = ApiClient(nato_staff)
    response = api.post("menu/activities", payload)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = api.post("menu/activities", {**payload, "code": "API-M", "areas": ["nope"]})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "areas"
    dup = api.post("menu/activities", payload)
    assert dup.status_code in (400, 409)
    response = api.patch(f"menu/activities/{pk}", {"title": "Renamed", "last_year": 2030})
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    wrong = api.patch(f"menu/activities/{pk}", {"first_year": 2031})
    assert wrong.status_code == 400
    assert api.post(f"menu/activities/{pk}/retire").json()["status"] == "retired"
    assert api.post(f"menu/activities/{pk}/retire").status_code == 409
    assert api.post(f"menu/activities/{pk}/reinstate").json()["status"] == "active"


def test_import_and_export_endpoints(nato_staff, kwt_coordinator):
    api = ApiClient(nato_staff)
    content = sample.csv_bytes(sample.rows(30, prefix="AI"))

    def post(user_api, data, dry_run):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return user_api.client.post(
            "/api/v1/menu/import",
            {"file": SimpleUploadedFile("m.csv", data, "text/csv"), "dry_run": dry_run},
            headers=user_api.headers,
        )

    dry = post(api, content, "true")
    assert dry.status_code == 200 and dry.json()["created"] == 30 and not dry.json()["committed"]
    assert not Activity.objects.filter(code__startswith="AI-").exists()
    done = post(api, content, "false")
    assert done.status_code == 200 and done.json()["committed"]
    assert Activity.objects.filter(code__startswith="AI-").count() == 30
    bad = post(api, b"code,title,format\nAI-00001,X,picnic\n", "false")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "row 2.format"
    assert post(ApiClient(kwt_coordinator), content, "true").status_code == 403
    export = ApiClient(kwt_coordinator).get("menu/export", {"download": "csv", "q": "AI"})
    assert export.status_code == 200 and export["X-Icihub-Marking"] == "rel_ici"
    assert "AI-00002" in export.content.decode("utf-8-sig")


def test_list_endpoints_query_count_is_constant(make_activity):
    api = ApiClient()
    counter = iter(range(1000))

    def grow():
        for _ in range(10):
            make_activity(
                f"QA-{next(counter):04d}",
                areas=["cbrn"],
                frameworks=["ici"],
                countries=["SAU"],
                provider="marcom",
            )

    grow()
    assert_constant_queries(lambda: api.get("menu/activities", {"q": "activity"}), grow)
    assert_constant_queries(lambda: api.get("menu/facets", {"area": "cbrn"}), grow)
    assert_constant_queries(lambda: api.get("menu/areas"), grow)
