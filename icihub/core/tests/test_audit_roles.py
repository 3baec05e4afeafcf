"""The two-role PostgreSQL deployment (core.dbroles, ``icihub setup
--create-roles``): the application role cannot obtain the audit guard's
unlock, drop or disable a trigger, change an audit entry or a published
snapshot; it still writes, seals and redacts; the owner migrates.

Each test creates its own pair of roles inside the test's transaction (a
role's name is the cluster's: a random suffix keeps parallel runs apart; the
rollback at the end removes them) and acts as each with SET ROLE, which checks
privileges exactly as a connection of that role would."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from icihub.core import audit, auditchain, auditguard, dbroles
from icihub.core.models import AuditEntry, Source
from icihub.reports import services as reports
from icihub.reports.models import Snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.schema_owner, pytest.mark.django_db]

AUDIT = AuditEntry._meta.db_table
SNAPSHOT = Snapshot._meta.db_table


@pytest.fixture
def roles(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"icihub_t_owner_{suffix}", f"icihub_t_app_{suffix}"
    report = dbroles.create_roles(connection, owner=owner, app=app)
    assert set(report.created) == {owner, app}
    return owner, app


@contextlib.contextmanager
def as_role(name):
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql, params=None, match=None):
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.fixture
def entry(nato_staff):
    with audit.acting(nato_staff):
        source = Source.objects.create(key="roles", title="T", publisher="P")
    auditchain.seal()
    return AuditEntry.objects.filter(object_id=str(source.pk)).latest("id")


@pytest.fixture
def snapshot(nato_staff):
    return reports.lock_year(nato_staff, timezone.localdate().year - 1, note="as published")


def test_the_roles_own_and_may_what_they_should(roles):
    owner, app = roles
    facts = dbroles.role_facts(connection, app)
    assert facts == {"superuser": False, "createrole": False, "createdb": False, "owns": 0}
    assert dbroles.role_facts(connection, owner)["owns"] > 50
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
        assert cursor.fetchone()[0] is False
    # idempotent
    again = dbroles.create_roles(connection, owner=owner, app=app)
    assert again.created == [] and again.reassigned == 0


def test_the_application_role_cannot_set_the_unlock_to_any_effect(roles, entry):
    _owner, app = roles
    with as_role(app):
        with connection.cursor() as cursor:  # setting it is allowed, and useless
            cursor.execute("SET icihub.audit_unlocked = 'on'")
            cursor.execute("SELECT set_config('icihub.audit_unlocked', 'on', false)")
        refused(f"UPDATE {AUDIT} SET message = 'forged' WHERE id = %s", [entry.pk], "append-only")
        with auditguard.lifted():
            refused(f"UPDATE {AUDIT} SET action = 'delete' WHERE id = %s", [entry.pk])
            refused(f"DELETE FROM {AUDIT} WHERE id = %s", [entry.pk])
            refused(f"TRUNCATE {AUDIT}")
        with connection.cursor() as cursor:
            cursor.execute("RESET icihub.audit_unlocked")
    entry.refresh_from_db()
    assert entry.message == "" and entry.action == "create"


def test_the_application_role_cannot_drop_disable_or_replace_the_guard(roles):
    _owner, app = roles
    with as_role(app):
        for sql in (
            f"DROP TRIGGER core_auditentry_append_only ON {AUDIT}",
            f"ALTER TABLE {AUDIT} DISABLE TRIGGER core_auditentry_append_only",
            f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
            f"DROP TRIGGER reports_snapshot_locked ON {SNAPSHOT}",
            "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "DROP FUNCTION icihub_audit_redact(bigint, jsonb)",
            f"ALTER TABLE {AUDIT} OWNER TO CURRENT_USER",
            "CREATE FUNCTION public.icihub_forge() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
            "SET session_replication_role = replica",  # would skip every trigger
        ):
            refused(sql)
    assert auditguard.installed(connection)
    assert auditguard.installed(connection, SNAPSHOT)


def test_the_application_role_cannot_change_a_published_snapshot(roles, snapshot):
    _owner, app = roles
    with as_role(app), auditguard.lifted():
        refused(f"UPDATE {SNAPSHOT} SET note = 'forged' WHERE id = %s", [snapshot.pk])
        refused(f"UPDATE {SNAPSHOT} SET figures = '{{}}' WHERE id = %s", [snapshot.pk])
        refused(f"DELETE FROM {SNAPSHOT} WHERE id = %s", [snapshot.pk])
        refused(f"TRUNCATE {SNAPSHOT}")
    snapshot.refresh_from_db()
    assert snapshot.note == "as published"


def test_the_application_role_still_writes_seals_and_redacts(roles, administrator):
    _owner, app = roles
    with as_role(app):
        with audit.acting(administrator):
            source = Source.objects.create(key="app-role", title="Ms Example", publisher="P")
        assert auditchain.seal() >= 1
        mine = AuditEntry.objects.filter(object_id=str(source.pk)).latest("id")
        assert mine.seq is not None
        # the redaction path: the owner's function, for the redactable fields only
        assert (
            audit.redact(
                [mine], lambda e: {"object_repr": "[redacted]"}, actor=administrator, reason="r"
            )
            == 1
        )
        refused(
            "SELECT icihub_audit_redact(%s, %s::jsonb)", [mine.pk, '{"action": "x"}'], "redactable"
        )
        result = auditchain.verify()
        assert result.ok, result.broken
        assert result.redacted >= 1
    mine.refresh_from_db()
    assert mine.object_repr == "[redacted]"


def test_the_owner_migrates_and_the_application_role_cannot(roles):
    owner, app = roles
    with as_role(app), pytest.raises(DatabaseError), transaction.atomic():
        call_command("migrate", "reports", "0001", verbosity=0)
    assert auditguard.installed(connection, SNAPSHOT)
    with as_role(owner):
        call_command("migrate", "reports", "0001", verbosity=0)
        assert "content_hash" not in _columns(SNAPSHOT)
        call_command("migrate", "reports", verbosity=0)
        assert "content_hash" in _columns(SNAPSHOT)
        assert auditguard.installed(connection, SNAPSHOT)
        # and its unlock works (restore, the test harness's flush)
        with auditguard.lifted(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {AUDIT} SET message = message WHERE id = (SELECT min(id) FROM {AUDIT})"
            )


def _columns(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_setup_create_roles_command(db, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    suffix = uuid.uuid4().hex[:8]
    call_command(
        "setup",
        "--create-roles",
        "--owner-role",
        f"icihub_c_owner_{suffix}",
        "--app-role",
        f"icihub_c_app_{suffix}",
    )
    out = capsys.readouterr().out
    assert f"role icihub_c_owner_{suffix}: created" in out
    assert dbroles.role_facts(connection, f"icihub_c_app_{suffix}")["owns"] == 0
