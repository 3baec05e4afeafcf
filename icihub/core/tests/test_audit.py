"""The audit trail: every write, through every channel, records who, when, the
channel and the values before and after; the trail itself is append-only."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from icihub.core import audit, services
from icihub.core.models import AuditEntry, Source, User
from icihub.partners.models import Country, Grouping
from icihub.testing import PASSWORD, ApiClient, client_for, run_cli

pytestmark = pytest.mark.django_db


def entries_for(obj, action=None):
    qs = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("id"))


@pytest.fixture
def source(db):
    with audit.suspended():
        return Source.objects.create(key="audit-test", title="Old title", publisher="Test")


def test_a_service_write_records_who_when_and_the_values(nato_staff):
    before = timezone.now()
    created = services.create(
        Source, nato_staff, {"key": "svc", "title": "A paper", "publisher": "NATO"}, reason="why"
    )
    (entry,) = entries_for(created)
    assert entry.action == audit.Action.CREATE
    assert entry.actor == nato_staff
    assert entry.actor_label == "nato"
    assert entry.reason == "why"
    assert before <= entry.timestamp <= timezone.now()
    assert entry.changes["title"] == {"before": None, "after": "A paper"}

    services.update(created, nato_staff, {"title": "A better paper"})
    update = entries_for(created, audit.Action.UPDATE)[-1]
    assert update.changes == {"title": {"before": "A paper", "after": "A better paper"}}
    assert "updated_at" not in update.changes


def test_an_update_that_changes_nothing_records_nothing(nato_staff, source):
    services.update(source, nato_staff, {"title": "Old title"})
    assert entries_for(source) == []


def test_a_delete_records_the_values_before(nato_staff, source):
    pk = source.pk
    services.delete(source, nato_staff, reason="duplicate")
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Source), object_id=str(pk)
    )
    assert entry.action == audit.Action.DELETE
    assert entry.actor == nato_staff
    assert entry.reason == "duplicate"
    assert entry.changes["title"] == {"before": "Old title", "after": None}
    assert entry.object_repr.startswith("Test: Old title")


def test_a_ui_write_records_the_ui_channel_and_address(centre_staff, kuwait):
    response = client_for(centre_staff).post(
        "/users/new/",
        {"username": "new-coord", "role": "coordinator", "country": "KWT", "email": ""},
    )
    assert response.status_code == 302
    created = User.objects.get(username="new-coord")
    entries = entries_for(created)
    assert {e.action for e in entries} == {"create", "permission"}
    for entry in entries:
        assert entry.via == audit.VIA_UI
        assert entry.actor == centre_staff
        assert entry.ip == "127.0.0.1"
    permission = next(e for e in entries if e.action == "permission")
    assert permission.changes["role"] == {"before": None, "after": "coordinator"}
    assert permission.changes["country_id"] == {"before": None, "after": kuwait.pk}
    assert entries[0].changes["password"] == {"before": None, "after": "••••"}


def test_an_admin_write_records_the_admin_channel(administrator, source):
    response = client_for(administrator).post(
        f"/admin/core/source/{source.pk}/change/",
        {
            "key": source.key,
            "title": "Changed in the admin",
            "publisher": "Test",
            "author": "",
            "published": "2004-12",
            "kind": "news",
            "language": "en",
            "url": "",
            "file_name": "",
            "text": "",
            "marking": "public",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    (entry,) = entries_for(source, audit.Action.UPDATE)
    assert entry.via == audit.VIA_ADMIN
    assert entry.actor == administrator
    assert entry.changes["title"] == {"before": "Old title", "after": "Changed in the admin"}
    assert entry.changes["published"] == {"before": None, "after": "2004-12"}


def test_an_api_write_records_the_api_channel(nato_staff, source):
    api = ApiClient(nato_staff)
    response = api.patch(f"sources/{source.key}", {"title": "Through the API"})
    assert response.status_code == 200, response.content
    (entry,) = entries_for(source, audit.Action.UPDATE)
    assert entry.via == audit.VIA_API
    assert entry.actor == nato_staff
    assert entry.changes == {"title": {"before": "Old title", "after": "Through the API"}}
    response = api.delete(f"sources/{source.key}")
    assert response.status_code == 204
    assert AuditEntry.objects.filter(
        action="delete", object_id=str(source.pk), via="api", actor=nato_staff
    ).exists()


def test_a_cli_write_records_the_cli_channel(kuwait):
    result = run_cli(
        "user", "create", "cli-user", "--role", "coordinator", "--country", "KWT",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.code == 0, result.err
    created = User.objects.get(username="cli-user")
    entries = entries_for(created)
    assert entries and all(e.via == audit.VIA_CLI for e in entries)
    assert all(e.actor is None and e.actor_label.startswith("cli:") for e in entries)
    # the channel stays with the command: later writes here are not "cli"
    assert audit.current().via == audit.VIA_SYSTEM


def test_many_to_many_changes_are_recorded(administrator):
    gcc = Grouping.objects.get(code="gcc")
    members = list(gcc.members.all())
    yemen = Country.objects.get(iso3="YEM")
    services.update(gcc, administrator, {"members": [*members, yemen]})
    entry = entries_for(gcc, audit.Action.UPDATE)[-1]
    assert entry.changes == {"members": {"added": [yemen.pk]}}
    assert entry.actor == administrator
    services.update(gcc, administrator, {"members": members})
    entry = entries_for(gcc, audit.Action.UPDATE)[-1]
    assert entry.changes == {"members": {"removed": [yemen.pk]}}


def test_bulk_created_rows_are_recorded(nato_staff):
    rows = Source.objects.bulk_create(
        [Source(key=f"bulk-{i}", title=f"Bulk {i}", publisher="Test") for i in range(3)]
    )
    rows = list(Source.objects.filter(key__startswith="bulk-"))
    with audit.acting(nato_staff, reason="import"):
        audit.record_bulk_create(rows)
    for row in rows:
        (entry,) = entries_for(row)
        assert entry.action == "create" and entry.actor == nato_staff and entry.reason == "import"


def test_the_trail_cannot_be_changed_or_deleted(nato_staff, source):
    services.update(source, nato_staff, {"title": "x"})
    entry = entries_for(source)[0]
    entry.message = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(message="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.message == ""


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(client, kwt_coordinator):
    response = client.post("/accounts/login/", {"username": "coord-kwt", "password": "wrong"})
    assert response.status_code == 200
    failed = AuditEntry.objects.get(action=audit.Action.LOGIN_FAILED)
    assert failed.changes == {"username": "coord-kwt"}
    assert failed.ip == "127.0.0.1"

    response = client.post("/accounts/login/", {"username": "coord-kwt", "password": PASSWORD})
    assert response.status_code == 302
    login = AuditEntry.objects.get(action=audit.Action.LOGIN)
    assert login.actor == kwt_coordinator and login.via == audit.VIA_UI

    client.post("/accounts/logout/")
    logout = AuditEntry.objects.get(action=audit.Action.LOGOUT)
    assert logout.actor == kwt_coordinator
    assert logout.timestamp >= login.timestamp


def test_audit_page_is_for_staff_and_filters(client, centre_staff, participant_user, source):
    with audit.acting(centre_staff):
        source.title = "Edited"
        source.save()
    staff = client_for(centre_staff)
    today = dt.date.today().isoformat()
    response = staff.get(
        "/audit/", {"object_id": source.pk, "object_type": "source", "from": today}
    )
    assert response.status_code == 200
    assert b"Edited" in response.content
    response = staff.get("/audit/", {"object_id": source.pk, "from": "2999-01-01"})
    assert b"Edited" not in response.content
    assert client_for(participant_user).get("/audit/").status_code == 403
    assert client.get("/audit/").status_code == 302  # to the sign-in page


def test_a_password_change_is_recorded_without_the_password(participant_user, centre_staff):
    services.set_password(centre_staff, participant_user, "A-Fresh-Password-31")
    (entry,) = entries_for(participant_user, audit.Action.UPDATE)
    assert entry.actor == centre_staff
    assert entry.changes == {"password": {"before": "••••", "after": "•••• (changed)"}}
    assert "A-Fresh" not in str(entry.changes)
    participant_user.refresh_from_db()
    assert participant_user.password not in str(entry.changes)
