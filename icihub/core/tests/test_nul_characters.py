"""Text with a NUL character (0x00) is refused cleanly everywhere: PostgreSQL
cannot hold one, so it used to end as a server error there (found by the
API fuzzing on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

from icihub.core.models import ApiToken
from icihub.menu.models import Activity
from icihub.testing import ApiClient, client_for

pytestmark = pytest.mark.django_db


def test_a_query_parameter_with_nul_is_a_422_naming_it():
    response = ApiClient().get("menu/facets", {"q": "cyber\x00"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {"field": "q", "message": "Text may not contain the NUL character (0x00)."}
    ]


def test_a_json_body_with_nul_is_a_422_and_writes_nothing(nato_staff):
    api = ApiClient(nato_staff)
    tokens = ApiToken.objects.count()
    response = api.post("tokens", {"name": "laptop\x00", "days": 30})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert ApiToken.objects.count() == tokens
    activities = Activity.objects.count()
    response = api.post("menu/activities", {"code": "X-1", "title": "t", "areas": ["a\x00"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "areas.0"
    assert Activity.objects.count() == activities


def test_a_page_search_or_form_with_nul_is_the_400_page(nato_staff):
    client = client_for(nato_staff)
    response = client.get("/menu/", {"q": "cyber\x00"})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    response = client.post("/menu/activities/new/", {"code": "X-1", "title": "a\x00b"})
    assert response.status_code == 400
    assert not Activity.objects.filter(code="X-1").exists()


def test_a_cookie_with_nul_is_ignored(rf):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/partners/countries/KWT/")
    assert response.status_code == 200  # read as a visitor without a session
    # the middleware drops it before the session is read (SQLite would only
    # find no such session; PostgreSQL would fail on the NUL in the query)
    from icihub.core.middleware import NulCharacterMiddleware

    seen = {}
    request = rf.get("/")
    request.COOKIES.update({"sessionid": "abcdefgh\x00ijkl", "csrftoken": "fine"})
    NulCharacterMiddleware(lambda r: seen.update(r.COOKIES))(request)
    assert seen == {"csrftoken": "fine"}


def test_text_without_nul_passes(nato_staff):
    assert ApiClient().get("menu/facets", {"q": "cyber"}).status_code == 200
    assert client_for(nato_staff).get("/menu/", {"q": "cyber"}).status_code == 200
