"""The audit trail is append-only from the application and in the database,
records security events, and is searchable by user, object and date."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import get_resolver
from django.utils import timezone

from icihub.core import audit, auditguard, services
from icihub.core.models import AuditEntry, Source, User
from icihub.testing import ApiClient, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(nato_staff):
    with audit.acting(nato_staff):
        source = Source.objects.create(key="guarded", title="T", publisher="P")
    return AuditEntry.objects.filter(object_id=str(source.pk)).latest("id")


# The trigger's own refusal: the application role is refused earlier, without
# the right to update at all (core/tests/test_audit_roles.py).
@pytest.mark.schema_owner
def test_the_database_refuses_to_update_or_delete_an_entry(entry):
    assert auditguard.installed(connection)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET message = 'forged' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.message == ""
    # through the ORM's plain manager too (past the application's own refusal)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(message="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, message="").exists()


def test_the_application_refuses_too(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(message="x")
    with pytest.raises(PermissionError):
        entry.delete()
    entry.message = "x"
    with pytest.raises(PermissionError):
        entry.save()


def test_redaction_is_the_one_audited_way_to_change_entries(entry, administrator):
    before = AuditEntry.objects.count()
    count = audit.redact(
        AuditEntry.objects.filter(pk=entry.pk),
        lambda e: {"object_repr": "[redacted]", "changes": {}},
        actor=administrator,
        reason="retention period over",
    )
    assert count == 1
    entry.refresh_from_db()
    assert entry.object_repr == "[redacted]" and entry.changes == {}
    record = AuditEntry.objects.latest("id")
    assert record.action == audit.Action.REDACTION and record.reason == "retention period over"
    assert AuditEntry.objects.count() == before + 1
    with pytest.raises(ValueError):  # never who, when or what was done
        audit.redact([entry], lambda e: {"action": "x"}, reason="r")
    # the guard is back once the block ends
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(message="forged")


def test_deleting_an_account_keeps_its_entries(db):
    user = make_user("participant", username="leaving")
    ids = list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("pk", flat=True))
    assert ids
    with audit.suspended():
        User.objects.filter(pk=user.pk).delete()
    assert AuditEntry.objects.filter(pk__in=ids).count() == len(ids)
    entries = client_for(make_user("centre_staff", username="c2")).get("/audit/?user=system")
    assert entries.status_code == 200


def test_no_ui_admin_or_api_operation_writes_the_trail(administrator, entry):
    # the admin shows entries read-only
    client = client_for(administrator)
    url = f"/admin/core/auditentry/{entry.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"message": "forged"})
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.message == ""
    # the API has read operations only on the trail
    schema = ApiClient(administrator).get("/api/v1/openapi.json").json()
    audit_paths = {p: ops for p, ops in schema["paths"].items() if "audit" in p}
    assert audit_paths
    assert {m for ops in audit_paths.values() for m in ops} == {"get"}
    # pages: the only audit page is the list
    patterns = [str(p.pattern) for p in get_resolver("icihub.core.urls").url_patterns]
    assert [p for p in patterns if "audit" in p] == ["audit/"]


def test_permission_changes_and_security_events_are_recorded(administrator, centre_staff):
    user = make_user("participant", username="promoted")
    services.change_role(administrator, user, role="instructor", reason="joined faculty")
    entry = AuditEntry.objects.filter(action=audit.Action.PERMISSION, object_id=str(user.pk))
    assert entry.latest("id").changes["role"] == {"before": "participant", "after": "instructor"}
    from icihub.core import security

    security.install_device(centre_staff)
    security.end_sessions(administrator, centre_staff)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {audit.Action.TWO_FACTOR, audit.Action.SESSIONS_ENDED} <= actions


def test_staff_search_the_trail_by_user_object_and_date(centre_staff, nato_staff, entry):
    client = client_for(centre_staff)
    source_id = entry.object_id
    day = timezone.localdate().isoformat()
    page = client.get(
        f"/audit/?user=nato&object_type=source&object_id={source_id}&from={day}&to={day}"
    )
    assert page.status_code == 200
    assert "guarded" in page.content.decode() or "P: T" in page.content.decode()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    empty = client.get(f"/audit/?user=nato&to={yesterday}")
    assert "Nothing recorded" in empty.content.decode()
    api = ApiClient(centre_staff)
    found = api.get(
        "audit",
        {"user": "nato", "object_type": "core.source", "object_id": source_id, "date_from": day},
    ).json()
    assert found["count"] >= 1
    assert {i["object_id"] for i in found["items"]} == {source_id}
    assert api.get("audit", {"user": "nato", "date_to": yesterday}).json()["count"] == 0
    # a coordinator has no access to the trail
    assert ApiClient(make_user("coordinator", "KWT", username="ck")).get("audit").status_code == 403
