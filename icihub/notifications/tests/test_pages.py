"""The bell, the list page, mark read (POST with CSRF) and the preferences page."""

from __future__ import annotations

import pytest
from django.test import Client

from icihub.core.access import Marking
from icihub.notifications import services
from icihub.notifications.models import Notification, Preferences
from icihub.testing import assert_constant_queries, client_for

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


@pytest.fixture
def notice(build_programme, kwt_coordinator):
    programme = build_programme(kwt_coordinator)
    [made] = services.deliver("programme_agreed", "programmes.Programme", programme.pk)
    return made


def test_the_bell_shows_the_unread_count(notice, kwt_coordinator, qat_coordinator):
    page = client_for(kwt_coordinator).get("/").content.decode()
    assert 'id="bell"' in page and 'data-unread="1"' in page
    other = client_for(qat_coordinator).get("/").content.decode()
    assert 'data-unread="0"' in other
    assert 'id="bell"' not in Client().get("/").content.decode()  # a visitor has no bell
    fragment = client_for(kwt_coordinator).get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'data-unread="1"' in fragment.content.decode()
    assert "every" not in fragment.content.decode()  # no polling (idle sessions end)
    # signed out meanwhile: nothing to swap (not the sign-in page in the header)
    assert Client().get("/notifications/bell/", HTTP_HX_REQUEST="true").status_code == 204


def test_the_list_shows_ones_own_notices(notice, kwt_coordinator, qat_coordinator):
    page = client_for(kwt_coordinator).get(LIST).content.decode()
    assert "was agreed" in page
    # unread: opening it is a POST that marks it read, then goes to the record
    assert 'name="open"' in page and f'href="{notice.params["url"]}"' not in page
    assert f'action="/notifications/{notice.pk}/read/"' in page
    assert "Mark all read" in page
    assert "was agreed" not in client_for(qat_coordinator).get(LIST).content.decode()
    assert Client().get(LIST).status_code == 302  # to the sign-in page


def test_a_notice_about_a_record_now_invisible_is_hidden(notice, kwt_coordinator):
    type(notice.subject).objects.filter(pk=notice.object_id).update(marking=Marking.NATO)
    client = client_for(kwt_coordinator)
    assert "was agreed" not in client.get(LIST).content.decode()
    assert 'data-unread="0"' in client.get("/").content.decode()
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404


def test_the_bell_without_unread_notices_reads_one_small_query(notice, kwt_coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from icihub.notifications.selectors import unread_count

    with CaptureQueriesContext(connection) as unread:
        assert unread_count(kwt_coordinator) == 1
    Notification.objects.filter(pk=notice.pk).update(read_at=notice.created_at)
    with CaptureQueriesContext(connection) as none:
        assert unread_count(kwt_coordinator) == 0
    # None unread: no visibility rule (its subqueries name the notified records' tables).
    assert len(none) == 1 and "programmes_programme" not in none[0]["sql"]
    assert any("programmes_programme" in q["sql"] for q in unread.captured_queries)


def test_mark_read(notice, kwt_coordinator, qat_coordinator):
    assert client_for(qat_coordinator).post(f"/notifications/{notice.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=notice.pk).read_at is None
    client = client_for(kwt_coordinator)
    assert client.get(f"/notifications/{notice.pk}/read/").status_code == 405
    response = client.post(f"/notifications/{notice.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == notice.params["url"]
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    page = client.get(LIST).content.decode()
    assert f'action="/notifications/{notice.pk}/read/"' not in page  # nothing left to do
    assert f'href="{notice.params["url"]}"' in page  # read: a plain link
    assert "Mark all read" not in page


def test_mark_read_with_htmx_swaps_the_row_and_refreshes_the_bell(notice, kwt_coordinator):
    response = client_for(kwt_coordinator).post(
        f"/notifications/{notice.pk}/read/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{notice.pk}"' in response.content.decode()
    assert "unread" not in response.content.decode().split(">")[0]


def test_mark_all_read(notice, build_programme, kwt_coordinator, qat_coordinator):
    theirs = services.deliver(
        "programme_agreed", "programmes.Programme", build_programme(qat_coordinator, "QAT").pk
    )
    response = client_for(kwt_coordinator).post("/notifications/read/")
    assert response.status_code == 302
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None


def test_writes_need_the_csrf_token(notice, kwt_coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(kwt_coordinator)
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 403
    assert client.post("/notifications/read/").status_code == 403
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_the_list_has_no_n_plus_one(build_programme, kwt_coordinator):
    client = client_for(kwt_coordinator)
    programmes = [build_programme(kwt_coordinator, start=2022 + 4 * i) for i in range(4)]
    services.deliver("programme_agreed", "programmes.Programme", programmes[0].pk)

    def grow():
        for programme in programmes[1:]:
            services.deliver("programme_agreed", "programmes.Programme", programme.pk)
            services.deliver("programme_returned", "programmes.Programme", programme.pk)

    assert_constant_queries(lambda: client.get(LIST), grow)
    assert Notification.objects.count() == 7


def test_the_list_in_arabic(notice, kwt_coordinator):
    client = client_for(kwt_coordinator)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.get(LIST).content.decode()
    # The subject in the reader's language (the programme's country in Arabic).
    assert 'dir="rtl"' in page and notice.params["subject_ar"] in page
    assert notice.params["subject"] not in page


def test_preferences_page(kwt_coordinator, centre_staff):
    client = client_for(kwt_coordinator)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="kind_programme_returned"' in page
    assert 'name="kind_programme_submitted"' not in page  # NATO staff's kind
    response = client.post(
        "/notifications/preferences/",
        {
            "language": "ar",
            "kind_programme_returned": "digest",
            "kind_nomination_accepted": "in_app",
        },
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=kwt_coordinator)
    assert prefs.language == "ar" and prefs.channel_for("programme_returned") == "digest"
    assert prefs.channel_for("nomination_accepted") == "in_app"
    assert prefs.channel_for("programme_agreed") == "email"  # not posted: its default
    staff_page = client_for(centre_staff).get("/notifications/preferences/").content.decode()
    assert 'name="kind_nominations_waiting"' in staff_page
    assert 'name="kind_programme_returned"' not in staff_page


def test_a_bad_preference_changes_nothing(kwt_coordinator):
    services.set_preferences(kwt_coordinator, language="en")
    response = client_for(kwt_coordinator).post(
        "/notifications/preferences/",
        {"language": "fr", "kind_programme_returned": "pigeon"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"language", "kind_programme_returned"}
    prefs = Preferences.objects.get(user=kwt_coordinator)
    assert prefs.language == "en" and prefs.channels == {}
