"""The notifications' REST API: one's own list, the count, mark read, the
preferences; bad input is a 4xx with a field error and changes nothing."""

from __future__ import annotations

import pytest
from django.utils import formats, translation

from icihub.core.access import Marking
from icihub.notifications import services
from icihub.notifications.models import Notification, Preferences
from icihub.testing import ApiClient, assert_constant_queries

pytestmark = pytest.mark.django_db


def agreed(programme):
    return services.deliver("programme_agreed", "programmes.Programme", programme.pk)


@pytest.fixture
def notice(build_programme, kwt_coordinator):
    return agreed(build_programme(kwt_coordinator))[0]


def test_list_and_count(notice, kwt_coordinator, qat_coordinator):
    api = ApiClient(kwt_coordinator)
    body = api.get("notifications").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == notice.pk and item["kind"] == "programme_agreed"
    assert item["message"].endswith("was agreed.") and item["read"] is False
    assert item["url"] == notice.params["url"]
    assert api.get("notifications/unread-count").json() == {"unread": 1}
    assert api.get("notifications", {"unread": "false"}).json()["count"] == 0
    theirs = ApiClient(qat_coordinator)
    assert theirs.get("notifications").json()["count"] == 0
    assert theirs.get("notifications/unread-count").json() == {"unread": 0}
    assert ApiClient().get("notifications").status_code == 401


def test_the_message_follows_the_request_language(session, kwt_coordinator):
    deadline = session.nomination_deadline
    services.deliver(
        "deadline_soon",
        "training.Session",
        session.pk,
        params=services._params(session, {"date": deadline}),
    )
    with translation.override("ar"):
        arabic = formats.date_format(deadline, "DATE_FORMAT")
    with translation.override("en"):
        english = formats.date_format(deadline, "DATE_FORMAT")
    assert arabic != english
    api = ApiClient(kwt_coordinator)
    assert english in api.get("notifications").json()["items"][0]["message"]
    api.headers["Accept-Language"] = "ar"
    assert arabic in api.get("notifications").json()["items"][0]["message"]


def test_mark_read(notice, kwt_coordinator, qat_coordinator):
    assert ApiClient(qat_coordinator).post(f"notifications/{notice.pk}/read").status_code == 404
    assert ApiClient().post(f"notifications/{notice.pk}/read").status_code == 401
    assert Notification.objects.get(pk=notice.pk).read_at is None
    response = ApiClient(kwt_coordinator).post(f"notifications/{notice.pk}/read")
    assert response.status_code == 200 and response.json()["read"] is True
    assert ApiClient(kwt_coordinator).get("notifications/unread-count").json() == {"unread": 0}
    assert ApiClient(kwt_coordinator).post("notifications/99999999/read").status_code == 404


def test_mark_all_read(notice, build_programme, kwt_coordinator, qat_coordinator):
    [theirs] = agreed(build_programme(qat_coordinator, "QAT"))
    agreed(build_programme(kwt_coordinator, start=2030))
    response = ApiClient(kwt_coordinator).post("notifications/read")
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_an_invisible_record_hides_its_notice(notice, kwt_coordinator):
    type(notice.subject).objects.filter(pk=notice.object_id).update(marking=Marking.NATO)
    api = ApiClient(kwt_coordinator)
    assert api.get("notifications").json()["count"] == 0
    assert api.post(f"notifications/{notice.pk}/read").status_code == 404


def test_preferences(kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    body = api.get("notifications/preferences").json()
    assert body["language"] == "" and body["language_used"] == "en"
    kinds = {k["kind"]: k["channel"] for k in body["kinds"]}
    assert kinds["programme_returned"] == "email" and "programme_submitted" not in kinds
    response = api.patch(
        "notifications/preferences",
        {"language": "ar", "channels": {"programme_returned": "digest"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "ar" and body["language_used"] == "ar"
    assert {k["kind"]: k["channel"] for k in body["kinds"]}["programme_returned"] == "digest"


def test_bad_preferences_are_refused_whole(kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    response = api.patch(
        "notifications/preferences",
        {
            "language": "fr",
            "channels": {"programme_returned": "digest", "programme_submitted": "email"},
        },
    )
    assert 400 <= response.status_code < 500
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"language", "channels"}
    assert not Preferences.objects.filter(user=kwt_coordinator).exists()
    response = api.patch("notifications/preferences", {"channels": {"programme_agreed": 7}})
    assert 400 <= response.status_code < 500
    assert ApiClient().patch("notifications/preferences", {"language": "ar"}).status_code == 401


def test_the_list_has_no_n_plus_one(build_programme, kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    programmes = [build_programme(kwt_coordinator, start=2022 + 4 * i) for i in range(4)]
    agreed(programmes[0])

    def grow():
        for programme in programmes[1:]:
            agreed(programme)

    assert_constant_queries(lambda: api.get("notifications"), grow)
