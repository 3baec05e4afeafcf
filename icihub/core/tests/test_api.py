"""The kernel's REST API: /me, /sources, /users, /tokens, /audit; one error body
for every 4xx; constant query counts for every list."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from icihub.core import audit, services
from icihub.core.access import SYSTEM
from icihub.core.models import ApiToken, AuditEntry, Source, User
from icihub.testing import ApiClient, assert_constant_queries, make_user, run_cli

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body


# -- /me -------------------------------------------------------------------------------------


def test_me_for_each_role(every_role):
    for user in every_role.values():
        body = ApiClient(user).get("me").json()
        assert body["username"] == user.username
        assert body["role"] == user.role
        assert body["country"] == (user.country.iso3 if user.country else None)
        assert body["staff"] == user.is_staff_role


def test_me_without_a_token_is_401():
    assert_error(ApiClient().get("me"), 401, "unauthenticated")


# -- sources ----------------------------------------------------------------------------------


def test_sources_list_and_filters():
    api = ApiClient()
    body = api.get("sources").json()
    keys = [s["key"] for s in body["items"]]
    assert body["count"] == len(keys) >= 13
    assert {"seed-000", "seed-004", "nato-ici-page"} <= set(keys)
    websites = api.get("sources", {"kind": "website"}).json()["items"]
    assert {s["key"] for s in websites} == set(
        Source.objects.filter(kind="website").values_list("key", flat=True)
    )
    assert {s["kind"] for s in websites} == {"website"}
    kuna = api.get("sources", {"publisher": "kuwait news"}).json()["items"]
    assert {"kuna-2025-04", "seed-000", "seed-003"} <= {s["key"] for s in kuna}
    assert all("kuwait news" in s["publisher"].lower() for s in kuna)
    found = api.get("sources", {"q": "Brussels mission"}).json()["items"]
    assert "seed-003" in [s["key"] for s in found]
    page = api.get("sources", {"limit": 2, "offset": 1}).json()
    assert len(page["items"]) == 2 and page["count"] == body["count"]
    assert page["items"][0]["key"] == keys[1]


def test_a_source_with_what_it_states():
    body = ApiClient().get("sources/nato-ici-page").json()
    assert body["publisher"] == "NATO"
    kuwait = [c for c in body["citations"] if c["subject"]["label"].startswith("Kuwait")]
    assert kuwait, body["citations"]
    assert kuwait[0]["subject"]["type"] == "partners.partnership"
    assert kuwait[0]["display"] == "January–March 2005"
    seed = ApiClient().get("sources/seed-002").json()
    assert seed["published"]["display"] == "24 January 2017"
    assert seed["published"]["precision"] == "day"


def test_marked_sources_are_invisible_to_those_below_the_marking(every_role, nato_staff):
    services.create(
        Source, nato_staff, {"key": "nato-eyes", "title": "T", "publisher": "P", "marking": "nato"}
    )
    for name, user in every_role.items():
        api = ApiClient(user)
        listed = {s["key"] for s in api.get("sources", {"limit": 1000}).json()["items"]}
        if name in {"admin", "nato_staff"}:
            assert "nato-eyes" in listed
            assert api.get("sources/nato-eyes").status_code == 200
        else:
            assert "nato-eyes" not in listed, name
            assert_error(api.get("sources/nato-eyes"), 404, "not_found")


def test_sources_are_written_by_nato_staff(nato_staff, centre_staff):
    api = ApiClient(nato_staff)
    data = {"key": "api-paper", "title": "Paper", "publisher": "NATO", "published": "June 2005"}
    response = api.post("sources", data)
    assert response.status_code == 201, response.content
    assert response.json()["published"]["value"] == "2005-06"
    response = api.put(
        "sources/api-paper",
        {**data, "title": "Paper, revised", "kind": "official", "published": "2005-06-22"},
    )
    assert response.status_code == 200
    assert response.json()["kind"] == "official"
    assert response.json()["published"]["display"] == "22 June 2005"
    response = api.patch("sources/api-paper", {"published": None})
    assert response.json()["published"] is None
    assert response.json()["title"] == "Paper, revised"

    assert_error(
        ApiClient(centre_staff).patch("sources/api-paper", {"title": "x"}), 403, "forbidden"
    )
    assert_error(ApiClient(centre_staff).post("sources", {**data, "key": "c"}), 403, "forbidden")
    assert_error(ApiClient().post("sources", {**data, "key": "anon"}), 401, "unauthenticated")
    assert not Source.objects.filter(key__in=["c", "anon"]).exists()

    assert api.delete("sources/api-paper").status_code == 204
    assert not Source.objects.filter(key="api-paper").exists()


def test_error_bodies_400_404_409_422_and_malformed_json(nato_staff):
    api = ApiClient(nato_staff)
    body = assert_error(
        api.post("sources", {"key": "seed-000", "title": "t", "publisher": "p"}), 400, "rejected"
    )
    assert body["errors"][0]["field"] == "key"
    body = assert_error(api.post("sources", {"key": "x", "title": "t", "publisher": "p", "published": "2005-13"}), 400, "rejected")  # fmt: skip
    assert body["errors"][0]["field"] == "published"
    body = assert_error(api.post("sources", {"key": "x"}), 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"title", "publisher"}
    body = assert_error(api.post("sources", {"key": "x", "title": "t", "publisher": "p", "kind": "rumour"}), 422, "invalid")  # fmt: skip
    assert body["errors"][0]["field"] == "kind"
    assert_error(api.get("sources", {"limit": 5000}), 422, "invalid")
    assert_error(api.get("sources/no-such-source"), 404, "not_found")
    # a source still cited by the registry cannot go
    body = assert_error(api.delete("sources/seed-000"), 409, "conflict")
    assert Source.objects.filter(key="seed-000").exists()
    for raw in ("{not json", "[1, 2", "", "null"):
        response = api.client.post(
            "/api/v1/sources", data=raw, content_type="application/json", headers=api.headers
        )
        assert 400 <= response.status_code < 500, (raw, response.status_code)
        assert set(response.json()) == {"detail", "code", "errors"}
    assert not Source.objects.filter(key="x").exists()


# -- users -------------------------------------------------------------------------------------


def test_users_for_staff_with_filters(centre_staff, every_role):
    api = ApiClient(centre_staff)
    body = api.get("users", {"role": "coordinator"}).json()
    assert {u["username"] for u in body["items"]} == {"coord-kwt", "coord-qat"}
    body = api.get("users", {"country": "QAT"}).json()
    assert [u["username"] for u in body["items"]] == ["coord-qat"]
    services.set_active(centre_staff, every_role["instructor"], False)
    body = api.get("users", {"active": "false"}).json()
    assert [u["username"] for u in body["items"]] == ["instructor"]
    assert api.get("users", {"active": "true"}).json()["count"] == 6
    user = every_role["coordinator_kwt"]
    body = api.get(f"users/{user.pk}").json()
    assert body["country"] == "KWT" and body["role"] == "coordinator"


@pytest.mark.parametrize("who", ["coordinator_kwt", "instructor", "participant"])
def test_users_are_staff_business(who, every_role):
    user = every_role[who]
    api = ApiClient(user)
    assert_error(api.get("users"), 403, "forbidden")
    assert_error(api.get(f"users/{every_role['nato_staff'].pk}"), 404, "not_found")
    assert api.get(f"users/{user.pk}").json()["username"] == user.username
    assert_error(api.post("users", {"username": "x", "role": "participant"}), 403, "forbidden")
    assert_error(api.patch(f"users/{user.pk}", {"role": "admin"}), 403, "forbidden")
    assert_error(
        api.patch(f"users/{every_role['nato_staff'].pk}", {"is_active": False}), 404, "not_found"
    )
    user.refresh_from_db()
    assert user.role != "admin"
    assert not User.objects.filter(username="x").exists()
    assert_error(ApiClient().get("users"), 401, "unauthenticated")


def test_staff_create_and_change_accounts(centre_staff, kuwait, qatar):
    api = ApiClient(centre_staff)
    body = assert_error(
        api.post("users", {"username": "k2", "role": "coordinator"}), 400, "rejected"
    )
    assert body["errors"] == [{"field": "country", "message": body["detail"]}]
    body = assert_error(api.post("users", {"username": "k2", "role": "coordinator", "country": "XYZ"}), 400, "rejected")  # fmt: skip
    assert body["errors"][0]["field"] == "country"
    assert_error(api.post("users", {"username": "k2", "role": "admin"}), 403, "forbidden")
    assert_error(api.post("users", {"username": "k2", "role": "king"}), 422, "invalid")
    assert not User.objects.filter(username="k2").exists()

    response = api.post("users", {"username": "k2", "role": "coordinator", "country": "KWT", "password": "Strong-Enough-Pass-7"})  # fmt: skip
    assert response.status_code == 201, response.content
    created = User.objects.get(username="k2")
    assert created.country == kuwait and created.check_password("Strong-Enough-Pass-7")

    response = api.patch(f"users/{created.pk}", {"country": "QAT", "reason": "moved"})
    assert response.json()["country"] == "QAT"
    response = api.patch(f"users/{created.pk}", {"role": "participant", "country": None})
    assert response.json()["role"] == "participant" and response.json()["country"] is None
    response = api.patch(f"users/{created.pk}", {"is_active": False})
    assert response.json()["is_active"] is False
    assert_error(api.patch(f"users/{created.pk}", {"role": "nato_staff"}), 403, "forbidden")
    # all or nothing: a bad country leaves the activation alone too
    assert_error(api.patch(f"users/{created.pk}", {"is_active": True, "role": "coordinator", "country": "XYZ"}), 400, "rejected")  # fmt: skip
    created.refresh_from_db()
    assert created.is_active is False and created.role == "participant"
    permission = AuditEntry.objects.filter(object_id=str(created.pk), action="permission")
    assert permission.filter(via="api", actor=centre_staff).count() == 4  # create, 2 roles, off


# -- tokens ----------------------------------------------------------------------------------------


def test_tokens_are_stored_hashed(participant_user):
    token, raw = services.create_token(SYSTEM, participant_user, name="laptop")
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert raw not in stored
    entry = AuditEntry.objects.get(
        object_id=str(token.pk), action="create", content_type__model="apitoken"
    )
    assert raw not in str(entry.changes) and entry.changes["key_hash"]["after"] == "••••"


def _bearer(raw):
    from django.test import Client

    return lambda path: Client().get(f"/api/v1/{path}", headers={"Authorization": f"Bearer {raw}"})


def test_expired_revoked_and_unknown_tokens_get_401(participant_user):
    token, raw = services.create_token(SYSTEM, participant_user, days=1)
    get = _bearer(raw)
    assert get("me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(seconds=1)
    )
    assert_error(get("me"), 401, "unauthenticated")
    # even for public data: a bad token is an error, not the anonymous visitor
    assert_error(get("sources"), 401, "unauthenticated")

    token2, raw2 = services.create_token(SYSTEM, participant_user)
    services.revoke_token(participant_user, token2)
    assert_error(_bearer(raw2)("me"), 401, "unauthenticated")
    assert_error(_bearer("ici_made-up")("me"), 401, "unauthenticated")

    token3, raw3 = services.create_token(SYSTEM, participant_user)
    services.set_active(SYSTEM, participant_user, False)
    assert_error(_bearer(raw3)("me"), 401, "unauthenticated")


def test_token_create_on_the_command_line_prints_a_working_token(kwt_coordinator):
    result = run_cli("token", "create", "coord-kwt", "--days", "7", "--name", "ci")
    assert result.code == 0, result.err
    raw = result.out.strip()
    assert raw.startswith("ici_") and "\n" not in raw
    assert "shown once" in result.err
    body = _bearer(raw)("me").json()
    assert body["username"] == "coord-kwt" and body["country"] == "KWT"
    token = ApiToken.objects.get(prefix=raw[:12])
    assert token.name == "ci"
    assert (token.expires_at - token.created_at) == dt.timedelta(days=7)


def test_own_tokens_through_the_api(participant_user, instructor_user):
    api = ApiClient(participant_user)  # holds one token already
    other, _ = services.create_token(SYSTEM, instructor_user)
    response = api.post("tokens", {"name": "script", "days": 30})
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith(created["prefix"])
    listed = api.get("tokens").json()
    assert listed["count"] == 2
    assert all("token" not in t for t in listed["items"])
    assert other.pk not in {t["id"] for t in listed["items"]}
    assert _bearer(created["token"])("me").status_code == 200

    assert api.delete(f"tokens/{created['id']}").status_code == 204
    assert_error(_bearer(created["token"])("me"), 401, "unauthenticated")
    assert_error(api.delete(f"tokens/{other.pk}"), 404, "not_found")
    other.refresh_from_db()
    assert other.revoked_at is None
    # the range is declared in the schema: a 422 naming the field
    body = assert_error(api.post("tokens", {"days": 0}), 422, "invalid")
    assert body["errors"][0]["field"] == "days"
    assert_error(ApiClient().post("tokens", {}), 401, "unauthenticated")


# -- audit ------------------------------------------------------------------------------------------


def test_audit_for_staff_with_filters(nato_staff, centre_staff, participant_user):
    source = services.create(Source, nato_staff, {"key": "aud", "title": "A", "publisher": "P"})
    services.update(source, nato_staff, {"title": "B"})
    api = ApiClient(centre_staff)
    body = api.get("audit", {"object_type": "core.source", "object_id": source.pk}).json()
    assert [e["action"] for e in body["items"]] == ["update", "create"]
    assert body["items"][0]["changes"] == {"title": {"before": "A", "after": "B"}}
    assert body["items"][0]["actor"] == "nato"
    assert (
        api.get("audit", {"user": "nato", "action": "update", "object_type": "source"}).json()[
            "count"
        ]
        >= 1
    )
    today = timezone.localdate()
    this = {"object_type": "core.source", "object_id": source.pk}
    assert api.get("audit", {**this, "date_from": today.isoformat()}).json()["count"] == 2
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert api.get("audit", {**this, "date_from": tomorrow}).json()["count"] == 0
    assert api.get("audit", {**this, "date_to": "2000-01-01"}).json()["count"] == 0
    assert_error(api.get("audit", {"date_from": "yesterday"}), 422, "invalid")
    assert_error(ApiClient(participant_user).get("audit"), 403, "forbidden")
    assert_error(ApiClient().get("audit"), 401, "unauthenticated")


# -- query counts -------------------------------------------------------------------------------------


def test_list_endpoints_run_a_constant_number_of_queries(nato_staff, administrator):
    api = ApiClient(administrator)
    counter = iter(range(10_000))

    def grow_sources():
        for _ in range(3):
            n = next(counter)
            services.create(Source, nato_staff, {"key": f"q-{n}", "title": "T", "publisher": "P", "published": "2004"})  # fmt: skip

    def grow_users():
        for _ in range(3):
            make_user("coordinator", country="QAT", username=f"u{next(counter)}")

    def grow_tokens():
        for _ in range(3):
            services.create_token(SYSTEM, administrator)

    def grow_audit():
        with audit.acting(nato_staff):
            for source in Source.objects.all()[:3]:
                source.author = f"a{next(counter)}"
                source.save()

    for path, grow in [
        ("sources", grow_sources),
        ("users", grow_users),
        ("tokens", grow_tokens),
        ("audit", grow_audit),
    ]:
        assert_constant_queries(lambda p=path: api.get(p, {"limit": 1000}), grow)


def grow_citations_of(source_key):
    """A function citing ``source_key`` for three more partnerships and appointments
    (records whose names use their foreign keys)."""
    from django.contrib.contenttypes.models import ContentType

    from icihub.core.models import Citation
    from icihub.partners.models import Appointment, Partnership

    source = Source.objects.get(key=source_key)
    pending = [
        *Partnership.objects.exclude(citations__source=source).order_by("pk")[:9],
        *Appointment.objects.exclude(citations__source=source).order_by("pk")[:6],
    ]

    def grow():
        for subject in [pending.pop(0), pending.pop(-1), pending.pop(0)]:
            Citation.objects.create(
                content_type=ContentType.objects.get_for_model(subject),
                object_id=subject.pk,
                attribute="test",
                value="x",
                kind="text",
                source=source,
            )

    return grow


def test_a_source_with_its_citations_runs_a_constant_number_of_queries():
    assert_constant_queries(
        lambda: ApiClient().get("sources/seed-000"), grow_citations_of("seed-000"), rounds=2
    )


# -- documentation -------------------------------------------------------------------------------------


def test_the_openapi_document_describes_the_core_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/me", "/api/v1/sources", "/api/v1/sources/{key}", "/api/v1/users",
                 "/api/v1/users/{user_id}", "/api/v1/tokens", "/api/v1/tokens/{token_id}", "/api/v1/audit"):  # fmt: skip
        assert path in paths, path
    assert {"401", "404", "409", "422"} <= set(paths["/api/v1/sources/{key}"]["patch"]["responses"])
    params = {p["name"] for p in paths["/api/v1/audit"]["get"]["parameters"]}
    assert {"user", "action", "object_type", "object_id", "date_from", "date_to", "limit", "offset"} <= params  # fmt: skip


def test_the_docs_page_loads_nothing_from_outside(client):
    import re

    for url in ("/api/v1/docs", "/", "/sources/", "/accounts/login/"):
        html = client.get(url).content.decode()
        outside = re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"', html)
        assert outside == [], (url, outside)
