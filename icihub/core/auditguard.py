"""The database's own guard of the audit trail: triggers that refuse UPDATE,
DELETE (and on PostgreSQL TRUNCATE) of ``core_auditentry``, whatever issues
them — the application, the admin, a shell or a hand-typed SQL statement.

The application never edits the trail (``AuditEntry.save``/``delete`` and its
queryset refuse already). Three operations must, and lift the guard for the
length of a block with :func:`lifted`:

* ``icihub restore`` (the whole database is replaced);
* the redaction of personal data in old entries (``audit.redact``, the
  anonymisation path: documented and itself audited);
* the test harness's flush of the database between transactional tests.

SQLite: the triggers call ``icihub_audit_unlocked()``, a function this process
registers on each of its connections (any other SQLite client lacks it, so its
UPDATE or DELETE fails too). PostgreSQL: the trigger function reads the
setting ``icihub.audit_unlocked`` of the session.

The triggers are installed by migration ``core.0004`` and again after every
``migrate`` (``post_migrate``): on SQLite, altering the table rebuilds it and
drops its triggers.
"""

from __future__ import annotations

import contextlib
import threading

from django.db import connections
from django.db.backends.signals import connection_created

_state = threading.local()

MESSAGE = "icihub: the audit trail is append-only"

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    f"WHEN NOT icihub_audit_unlocked() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    f"WHEN NOT icihub_audit_unlocked() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('icihub.audit_unlocked', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()",
]


def _unlocked() -> int:
    return 1 if getattr(_state, "depth", 0) > 0 else 0


def register_function(sender=None, connection=None, **kwargs) -> None:
    """connection_created: give a new SQLite connection ``icihub_audit_unlocked()``."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function("icihub_audit_unlocked", 0, _unlocked)


def connect_signals() -> None:
    connection_created.connect(register_function, dispatch_uid="icihub_audit_guard_fn")
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            register_function(connection=conn)


def install(connection) -> bool:
    """Create (or re-create) the triggers; returns whether the backend has them."""
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor)
    if not statements:
        return False
    if "core_auditentry" not in connection.introspection.table_names():
        return False
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        register_function(connection=connection)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return True


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditentry'"
            )
            return cursor.fetchone()[0] == 2
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                "AND NOT tgisinternal"
            )
            return cursor.fetchone()[0] == 2
    return False


@contextlib.contextmanager
def lifted(using: str = "default"):
    """Let this thread's connection change or delete audit entries inside the
    block (restore, redaction, test flush). Nest freely. On PostgreSQL, inside
    a transaction the setting is local to it (it cannot outlive it)."""
    from django.db import DatabaseError

    connection = connections[using]
    _state.depth = getattr(_state, "depth", 0) + 1
    postgres = connection.vendor == "postgresql"
    local = "true" if connection.in_atomic_block else "false"
    try:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT set_config('icihub.audit_unlocked', 'on', {local})")
        yield
    finally:
        _state.depth -= 1
        if postgres and _state.depth == 0 and connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT set_config('icihub.audit_unlocked', 'off', {local})")
            except DatabaseError:
                # an aborted transaction: a local setting ends with it; a session
                # one must not outlive the block
                if local == "false":
                    connection.close()


def post_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "core":
        install(connections[using])
