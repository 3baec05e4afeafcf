"""The response cache (core/pagecache.py): a read repeated while nothing was
written is answered from the cache; a write, another user, another language,
a read that writes, or a message waiting is never answered from it.

Transactional tests: the cache keeps nothing inside a transaction."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from icihub.core.access import SYSTEM
from icihub.core.services import create_token, revoke_token
from icihub.testing import client_for, make_user
from icihub.training import services
from icihub.training.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    from django.core.cache import cache

    cache.clear()
    settings.ICIHUB_PAGE_CACHE_SECONDS = 60
    settings.ICIHUB_API_RATE_TOKEN = 0
    settings.ICIHUB_API_RATE_ANON = 0


@pytest.fixture
def world(db):
    staff = make_user("centre_staff", username="pc-staff")
    kuwait = make_user("coordinator", "KWT", username="pc-kwt")
    course = factories.make_course(staff)
    session = factories.make_session(course, staff, capacity=4, quotas={"KWT": 2})
    return staff, kuwait, session


def hit(response) -> bool:
    return response.get("X-Icihub-Cache") == "hit"


def signed_in(user):
    """A browser that has been to one page: it holds its session and its CSRF
    cookie, both part of what makes two reads the same."""
    client = client_for(user)
    client.get(reverse("home:home"))
    return client


def test_a_repeated_page_is_answered_from_the_cache_until_a_write(world):
    staff, _kuwait, session = world
    client = signed_in(staff)
    url = reverse("training:session_detail", args=[session.pk])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert not hit(first) and hit(second)
    assert second.content == first.content
    assert "Room B-12" not in second.content.decode()

    services.update_session(staff, session, {"venue": "Room B-12"})

    third = client.get(url)
    assert not hit(third)
    assert "Room B-12" in third.content.decode()
    assert hit(client.get(url))


def test_users_do_not_share_answers(world):
    staff, kuwait, session = world
    url = reverse("training:session_list")
    signed_in(staff).get(url)
    theirs = signed_in(kuwait).get(url)
    assert theirs.status_code == 200 and not hit(theirs)


def test_the_language_is_part_of_the_read(world):
    staff, _kuwait, _session = world
    client = signed_in(staff)
    url = reverse("training:session_list")
    client.get(url, headers={"Accept-Language": "en"})
    arabic = client.get(url, headers={"Accept-Language": "ar"})
    assert not hit(arabic)
    assert 'dir="rtl"' in arabic.content.decode()


def test_the_api_authenticates_the_token_on_every_read(world):
    staff, _kuwait, session = world
    row, raw = create_token(SYSTEM, staff, name="pc")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/training/sessions/{session.pk}"
    assert api.get(url).status_code == 200
    again = api.get(url)
    assert again.status_code == 200 and hit(again)

    revoke_token(staff, row)

    assert api.get(url).status_code == 401
    assert Client(headers={"Authorization": "Bearer wrong"}).get(url).status_code == 401


def test_a_read_that_writes_is_never_answered_from_the_cache(world):
    """Exporting a session's list is audited: each export is recorded."""
    from icihub.core.models import AuditEntry

    staff, _kuwait, session = world
    client = signed_in(staff)
    url = reverse("training:session_export", args=[session.pk, "csv"])
    before = AuditEntry.objects.count()
    answers = [client.get(url) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert not any(hit(a) for a in answers)
    assert AuditEntry.objects.count() == before + 3


def test_a_waiting_message_is_shown_not_a_kept_page(world):
    staff, _kuwait, _session = world
    client = signed_in(staff)
    url = reverse("training:session_list")
    client.get(url)
    assert hit(client.get(url))
    client.cookies["messages"] = "a message waiting"  # the cookie storage's
    assert not hit(client.get(url))


def test_nothing_is_kept_when_turned_off(world, settings):
    settings.ICIHUB_PAGE_CACHE_SECONDS = 0
    staff, _kuwait, _session = world
    client = signed_in(staff)
    url = reverse("training:session_list")
    client.get(url)
    assert not hit(client.get(url))


def test_a_browser_without_its_csrf_cookie_gets_a_page_made_for_it(world):
    staff, _kuwait, _session = world
    client = signed_in(staff)
    url = reverse("training:session_list")
    client.get(url)
    assert hit(client.get(url))
    del client.cookies[settings.CSRF_COOKIE_NAME]
    answer = client.get(url)
    assert not hit(answer)
    assert settings.CSRF_COOKIE_NAME in answer.cookies


def test_errors_are_not_kept(world):
    staff, _kuwait, _session = world
    client = signed_in(staff)
    url = reverse("training:session_detail", args=[999999])
    assert client.get(url).status_code == 404
    assert not hit(client.get(url))


def test_migrate_moves_the_version_once_at_its_end(world):
    """A migration's writes (the recorder's rows, data migrations, content
    types) may come before the cache table exists: the version waits for the
    end of ``migrate`` and moves once then (a fresh PostgreSQL database once
    failed to migrate on this)."""
    from django.apps import apps
    from django.db.models.signals import post_migrate, pre_migrate

    from icihub.core import pagecache

    staff, _kuwait, _session = world
    configs = [config for config in apps.get_app_configs() if config.models_module]
    before = pagecache.current_version()
    pre_migrate.send(
        sender=configs[0], app_config=configs[0], verbosity=0, interactive=False, using="default"
    )
    try:
        staff.first_name = "During"
        staff.save()
        assert pagecache.current_version() == before
        post_migrate.send(
            sender=configs[0],
            app_config=configs[0],
            verbosity=0,
            interactive=False,
            using="default",
        )
        assert pagecache.current_version() == before  # not the last app yet
    finally:
        post_migrate.send(
            sender=configs[-1],
            app_config=configs[-1],
            verbosity=0,
            interactive=False,
            using="default",
        )
    assert pagecache.current_version() == before + 1
    staff.first_name = "After"
    staff.save()
    assert pagecache.current_version() > before + 1
