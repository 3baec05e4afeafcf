"""Kernel pages: record history, user management, navigation by role."""

import pytest
from django.urls import NoReverseMatch, reverse

from icihub.core import audit, services
from icihub.core.access import Role
from icihub.core.models import Source, User
from icihub.core.navigation import MODULES
from icihub.testing import client_for

pytestmark = pytest.mark.django_db


# -- history ---------------------------------------------------------------------------


@pytest.fixture
def nato_source(nato_staff):
    source = services.create(
        Source,
        nato_staff,
        {"key": "nato-only", "title": "Internal", "publisher": "NATO", "marking": "nato"},
    )
    services.update(source, nato_staff, {"title": "Internal note"}, reason="clearer title")
    return source


def test_history_is_shown_to_whoever_may_see_the_record(client, nato_staff, nato_source):
    url = f"/history/core.source/{nato_source.pk}/"
    response = client_for(nato_staff).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Internal note" in body and "clearer title" in body
    assert "nato" in body  # who


@pytest.mark.parametrize("who", ["coordinator_kwt", "centre_staff", "participant", None])
def test_history_of_a_record_one_may_not_see_is_404(who, every_role, client, nato_source):
    c = client if who is None else client_for(every_role[who])
    assert c.get(f"/history/core.source/{nato_source.pk}/").status_code == 404


def test_history_of_a_public_record_and_the_htmx_fragment(client, nato_staff):
    public = Source.objects.get(key="seed-000")
    with audit.acting(nato_staff):
        public.author = "KUNA"
        public.save()
    response = client.get(f"/history/core.source/{public.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"KUNA" in response.content


def test_history_of_users_and_of_unknown_things(participant_user, kwt_coordinator):
    c = client_for(participant_user)
    assert c.get(f"/history/core.user/{participant_user.pk}/").status_code == 200
    assert c.get(f"/history/core.user/{kwt_coordinator.pk}/").status_code == 404
    assert c.get("/history/core.nothing/1/").status_code == 404
    assert c.get("/history/auth.permission/1/").status_code == 404  # no access policy
    assert c.get("/history/core.source/999999/").status_code == 404


def test_a_record_page_links_to_its_history(client):
    source = Source.objects.get(key="seed-002")
    response = client.get(f"/sources/{source.key}/")
    assert f"/history/core.source/{source.pk}/".encode() in response.content


# -- users ---------------------------------------------------------------------------------


def test_staff_create_a_coordinator(centre_staff, kuwait):
    response = client_for(centre_staff).post(
        "/users/new/",
        {
            "username": "coord-kwt-2",
            "role": "coordinator",
            "country": "KWT",
            "first_name": "Noura",
            "last_name": "Al-Sabah",
            "email": "noura@example.test",
            "password": "Another-Good-Pass-42",
        },
    )
    created = User.objects.get(username="coord-kwt-2")
    assert response.status_code == 302 and response.url == f"/users/{created.pk}/"
    assert created.role == Role.COORDINATOR and created.country == kuwait
    assert created.check_password("Another-Good-Pass-42")


def test_a_coordinator_without_a_country_is_a_form_error(centre_staff):
    response = client_for(centre_staff).post(
        "/users/new/", {"username": "nowhere", "role": "coordinator"}
    )
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert b"must be bound to a country" in response.content
    assert not User.objects.filter(username="nowhere").exists()


@pytest.mark.parametrize("role", ["admin", "nato_staff"])
def test_centre_staff_cannot_grant_admin_or_nato_roles(centre_staff, role):
    response = client_for(centre_staff).post("/users/new/", {"username": "climber", "role": role})
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="climber").exists()


def test_a_weak_password_is_a_form_error(nato_staff):
    response = client_for(nato_staff).post(
        "/users/new/", {"username": "weak", "role": "participant", "password": "123"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="weak").exists()


def test_staff_change_a_role_and_deactivate(centre_staff, participant_user, qatar):
    c = client_for(centre_staff)
    url = f"/users/{participant_user.pk}/"
    response = c.post(url, {"role": "coordinator", "country": "", "is_active": "on"})
    assert response.status_code == 200 and response.context["form"].errors
    participant_user.refresh_from_db()
    assert participant_user.role == Role.PARTICIPANT
    # the page shows the account as it is, not as it was asked to become
    assert response.context["account"].role == Role.PARTICIPANT

    response = c.post(url, {"role": "coordinator", "country": "QAT", "reason": "appointed"})
    assert response.status_code == 302
    participant_user.refresh_from_db()
    assert participant_user.role == Role.COORDINATOR and participant_user.country == qatar
    assert participant_user.is_active is False  # is_active unticked


def test_centre_staff_cannot_touch_an_administrator(centre_staff, administrator):
    response = client_for(centre_staff).post(
        f"/users/{administrator.pk}/", {"role": "participant", "is_active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMIN


@pytest.mark.parametrize("who", ["coordinator_kwt", "instructor", "participant"])
def test_non_staff_get_403_on_user_pages_and_404_on_other_accounts(who, every_role):
    user = every_role[who]
    c = client_for(user)
    assert c.get("/users/").status_code == 403
    assert c.get("/users/new/").status_code == 403
    assert c.post("/users/new/", {"username": "x", "role": "admin"}).status_code == 403
    other = every_role["nato_staff"]
    assert c.get(f"/users/{other.pk}/").status_code == 404
    assert c.post(f"/users/{other.pk}/", {"role": "admin"}).status_code == 404
    own = c.get(f"/users/{user.pk}/")
    assert own.status_code == 200 and own.context["form"] is None
    assert c.post(f"/users/{user.pk}/", {"role": "admin"}).status_code == 403
    user.refresh_from_db()
    assert user.role != Role.ADMIN
    assert not User.objects.filter(username="x").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/users/", "/users/new/", "/audit/", "/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_user_list_filters(centre_staff, every_role):
    c = client_for(centre_staff)
    response = c.get("/users/", {"role": "coordinator"})
    names = {u.username for u in response.context["object_list"]}
    assert names == {"coord-kwt", "coord-qat"}
    response = c.get("/users/", {"q": "qat"})
    assert {u.username for u in response.context["object_list"]} == {"coord-qat"}


# -- navigation ------------------------------------------------------------------------------


def _url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _nav_links(response) -> set[str]:
    import re

    nav = re.search(rb'<nav id="mainnav".*?</nav>', response.content, re.S).group(0).decode()
    return set(re.findall(r'href="([^"]+)"', nav))


ALWAYS = {"core:source_list"}
SIGNED_IN_ONLY = {"core:token_list"}
STAFF_ONLY = {"core:user_list", "core:audit_list"}
ADMIN_ONLY = {"admin:index"}


@pytest.mark.parametrize(
    "who",
    [None, "participant", "instructor", "coordinator_kwt", "centre_staff", "nato_staff", "admin"],
)
def test_navigation_shows_only_what_the_role_may_use(who, every_role, client):
    user = None if who is None else every_role[who]
    c = client if user is None else client_for(user)
    links = _nav_links(c.get("/sources/"))
    role = None if user is None else user.role
    staff = role in {"admin", "nato_staff", "centre_staff"}

    for name in ALWAYS:
        assert reverse(name) in links
    for name in SIGNED_IN_ONLY:
        assert (reverse(name) in links) == (user is not None)
    for name in STAFF_ONLY:
        assert (reverse(name) in links) == staff, name
    for name in ADMIN_ONLY:
        assert (reverse(name) in links) == (role == "admin"), name

    # every module entry: shown exactly to the roles it names, and it opens for them
    for module in MODULES:
        for item in module.items:
            url = _url(item.url_name)
            if url is None:
                continue
            assert (url in links) == item.shown_to(role), (who, item.url_name)
            if url in links:
                status = c.get(url).status_code
                assert status == 200, (who, url, status)


# -- query counts ----------------------------------------------------------------------------------


def test_kernel_list_pages_run_a_constant_number_of_queries(administrator, nato_staff):
    from icihub.testing import assert_constant_queries, make_user

    c = client_for(administrator)
    counter = iter(range(10_000))

    def grow_sources():
        for _ in range(30):
            services.create(Source, nato_staff, {"key": f"p-{next(counter)}", "title": "T", "publisher": "P"})  # fmt: skip

    def grow_users():
        for _ in range(5):
            make_user("coordinator", country="QAT", username=f"pu{next(counter)}")

    def grow_tokens():
        for _ in range(5):
            services.create_token(administrator, administrator)

    def grow_history():
        source = Source.objects.get(key="seed-001")
        with audit.acting(nato_staff):
            for _ in range(5):
                source.author = f"a{next(counter)}"
                source.save()

    seed = Source.objects.get(key="seed-001")
    for url, grow in [
        ("/sources/?page=1", grow_sources),
        ("/users/", grow_users),
        ("/audit/", grow_history),
        ("/tokens/", grow_tokens),
        (f"/history/core.source/{seed.pk}/", grow_history),
    ]:
        assert_constant_queries(lambda u=url: c.get(u), grow)


def test_a_source_page_with_its_citations_runs_a_constant_number_of_queries(client):
    from icihub.core.tests.test_api import grow_citations_of
    from icihub.testing import assert_constant_queries

    assert_constant_queries(
        lambda: client.get("/sources/seed-000/"), grow_citations_of("seed-000"), rounds=2
    )
