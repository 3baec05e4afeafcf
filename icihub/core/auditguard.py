"""The database's own guard of the audit trail and of the published report
snapshots: triggers that refuse to change or delete ``core_auditentry`` and
``reports_snapshot`` rows (and on PostgreSQL to TRUNCATE them), whatever issues
them — the application, the admin, a shell or a hand-typed SQL statement.

What they let through:

* inserting an audit entry, unsealed (no chain values: ``core.auditchain``);
* sealing it once: setting its chain values while every other column stays;
* on PostgreSQL, ``icihub_audit_redact(id, values)``, a function of the schema
  owner that rewrites the redactable fields of one entry and nothing else
  (``audit.redact``, the anonymisation path, records it in the chain);
* anything, inside :func:`lifted`, for ``icihub restore`` and the test
  harness's flush — on PostgreSQL only for the schema owner: the trigger
  honours the setting ``icihub.audit_unlocked`` only when the current role
  is a member of the table's owner. The application's own role (the two-role
  deployment of SECURITY.md: ``icihub setup --create-roles``) may set it, to
  no effect, and, owning nothing, cannot drop or disable a trigger either.

SQLite: the triggers call ``icihub_audit_unlocked()``, a function this process
registers on each of its connections (any other SQLite client lacks it, so its
UPDATE or DELETE fails too). SQLite cannot stop anyone who can write the file
from dropping a trigger: that is what the hash chain is for.

The triggers are installed by migrations (``core.0004``, ``core.0006``,
``reports.0002``) and again after every ``migrate`` (``post_migrate``): on
SQLite, altering a table rebuilds it and drops its triggers.
"""

from __future__ import annotations

import contextlib
import json
import threading

from django.db import connections
from django.db.backends.signals import connection_created

_state = threading.local()

MESSAGE = "icihub: the audit trail is append-only"
SNAPSHOT_MESSAGE = "icihub: a published snapshot cannot be changed"
SEALED_MESSAGE = "icihub: audit entries are sealed by icihub alone"
AUDIT_TABLE = "core_auditentry"
SNAPSHOT_TABLE = "reports_snapshot"
SEAL_COLUMNS = ("seq", "content_hash", "prev_hash", "hash")
REDACTABLE = ("changes", "object_repr", "message", "reason", "actor_label", "ip")


def _sqlite_audit(columns: list[str], schema: str = "") -> list[str]:
    drop = [
        f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_{name}"
        for name in ("no_update", "no_delete", "no_sealed_insert")
    ]
    if "seq" in columns:
        same = " AND ".join(f'OLD."{c}" IS NEW."{c}"' for c in columns if c not in SEAL_COLUMNS)
        sealing = f" AND NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {same})"
        insert = [
            f"CREATE TRIGGER {AUDIT_TABLE}_no_sealed_insert BEFORE INSERT ON {AUDIT_TABLE} "
            "WHEN (NEW.seq IS NOT NULL OR NEW.hash != '' OR NEW.prev_hash != '' "
            "OR NEW.content_hash != '') AND NOT icihub_audit_unlocked() "
            f"BEGIN SELECT RAISE(ABORT, '{SEALED_MESSAGE}'); END"
        ]
    else:  # before core.0006
        sealing, insert = "", []
    return [
        *drop,
        f"CREATE TRIGGER {AUDIT_TABLE}_no_update BEFORE UPDATE ON {AUDIT_TABLE} "
        f"WHEN NOT icihub_audit_unlocked(){sealing} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER {AUDIT_TABLE}_no_delete BEFORE DELETE ON {AUDIT_TABLE} "
        f"WHEN NOT icihub_audit_unlocked() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        *insert,
    ]


def _sqlite_snapshot(columns: list[str], schema: str = "") -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {SNAPSHOT_TABLE}_no_update BEFORE UPDATE ON "
        f"{SNAPSHOT_TABLE} WHEN NOT icihub_audit_unlocked() "
        f"BEGIN SELECT RAISE(ABORT, '{SNAPSHOT_MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {SNAPSHOT_TABLE}_no_delete BEFORE DELETE ON "
        f"{SNAPSHOT_TABLE} WHEN NOT icihub_audit_unlocked() "
        f"BEGIN SELECT RAISE(ABORT, '{SNAPSHOT_MESSAGE}'); END",
    ]


# The unlock: the session's setting, honoured for a member of the table's owner
# role only (a superuser is a member of every role).
_PG_UNLOCKED = (
    "coalesce(current_setting('icihub.audit_unlocked', true), '') = 'on' "
    "AND pg_catalog.pg_has_role(current_user, "
    "(SELECT relowner FROM pg_catalog.pg_class WHERE oid = TG_RELID), 'MEMBER')"
)


def _pg_audit(columns: list[str], schema: str) -> list[str]:
    seal_keys = "'{" + ",".join(SEAL_COLUMNS) + "}'::text[]"
    if "seq" in columns:
        insert = f"""
        IF TG_OP = 'INSERT' THEN
            IF NEW.seq IS NULL AND NEW.hash = '' AND NEW.prev_hash = ''
               AND NEW.content_hash = '' THEN
                RETURN NEW;
            END IF;
            IF NOT ({_PG_UNLOCKED}) THEN
                RAISE EXCEPTION '{SEALED_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END IF;"""
        sealing = f"""
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND to_jsonb(OLD) - {seal_keys} = to_jsonb(NEW) - {seal_keys} THEN
            RETURN NEW;
        END IF;"""
        events = "INSERT OR UPDATE OR DELETE"
    else:  # before core.0006
        insert = sealing = ""
        events = "UPDATE OR DELETE"
    table = f'"{schema}"."{AUDIT_TABLE}"'
    statements = [
        f"""CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN{insert}
            IF {_PG_UNLOCKED} THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END IF;{sealing}
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f"DROP TRIGGER IF EXISTS core_auditentry_append_only ON {table}",
        f"CREATE TRIGGER core_auditentry_append_only BEFORE {events} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()",
        f"DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON {table}",
        f"CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()",
    ]
    if "seq" in columns:
        allowed = "{" + ",".join(REDACTABLE) + "}"
        text_sets = ",\n".join(
            f"{c} = CASE WHEN vals ? '{c}' THEN coalesce(vals->>'{c}', '') ELSE {c} END"
            for c in ("object_repr", "message", "reason", "actor_label")
        )
        statements.append(  # the schema's and table's names only: no input
            f"""CREATE OR REPLACE FUNCTION "{schema}".icihub_audit_redact(entry_id bigint, vals jsonb)
            RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = pg_catalog, pg_temp AS $$
            DECLARE
                n integer;
                was text := current_setting('icihub.audit_unlocked', true);
            BEGIN
                IF EXISTS (SELECT 1 FROM jsonb_object_keys(vals) AS k
                           WHERE NOT k = ANY ('{allowed}'::text[])) THEN
                    RAISE EXCEPTION 'icihub: only the redactable fields of an audit entry change'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                -- the unlock, for this statement of the owner's only (a function's
                -- own SET clause of a custom setting needs a superuser in PG 15)
                PERFORM set_config('icihub.audit_unlocked', 'on', true);
                UPDATE {table} SET
                    changes = CASE WHEN vals ? 'changes' THEN vals->'changes' ELSE changes END,
                    {text_sets},
                    ip = CASE WHEN vals ? 'ip' THEN (vals->>'ip')::inet ELSE ip END
                WHERE id = entry_id;
                GET DIAGNOSTICS n = ROW_COUNT;
                PERFORM set_config('icihub.audit_unlocked', coalesce(was, ''), true);
                RETURN n;
            END $$"""  # noqa: S608
        )
    return statements


def _pg_snapshot(columns: list[str], schema: str) -> list[str]:
    table = f'"{schema}"."{SNAPSHOT_TABLE}"'
    return [
        f"""CREATE OR REPLACE FUNCTION reports_snapshot_locked() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {_PG_UNLOCKED} THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{SNAPSHOT_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f"DROP TRIGGER IF EXISTS reports_snapshot_locked ON {table}",
        f"CREATE TRIGGER reports_snapshot_locked BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION reports_snapshot_locked()",
        f"DROP TRIGGER IF EXISTS reports_snapshot_no_truncate ON {table}",
        f"CREATE TRIGGER reports_snapshot_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_snapshot_locked()",
    ]


GUARDS = {
    AUDIT_TABLE: {"sqlite": _sqlite_audit, "postgresql": _pg_audit},
    SNAPSHOT_TABLE: {"sqlite": _sqlite_snapshot, "postgresql": _pg_snapshot},
}
# triggers each guarded table has once installed (with core.0006 applied)
EXPECTED = {
    AUDIT_TABLE: {"sqlite": 3, "postgresql": 2},
    SNAPSHOT_TABLE: {"sqlite": 2, "postgresql": 2},
}


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


def _columns(connection, table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _owns(connection, table: str) -> bool:
    """PostgreSQL: whether the current role may (re)create the table's triggers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class "
            "WHERE oid = %s::regclass",
            [table],
        )
        return bool(cursor.fetchone()[0])


def install(connection) -> bool:
    """Create (or re-create) the triggers of every guarded table that exists;
    returns whether the backend has them. On PostgreSQL a role that does not
    own the tables (the application's, running ``migrate`` with nothing to
    apply) leaves the owner's triggers as they are."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        return False
    tables = set(connection.introspection.table_names())
    if AUDIT_TABLE not in tables:
        return False
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        register_function(connection=connection)
        schema = ""
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = cursor.fetchone()[0]
    for table, makers in GUARDS.items():
        if table not in tables:
            continue
        if connection.vendor == "postgresql" and not _owns(connection, table):
            continue
        statements = makers[connection.vendor](_columns(connection, table), schema)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return True


def installed(connection, table: str = AUDIT_TABLE) -> bool:
    expected = EXPECTED[table].get(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            return cursor.fetchone()[0] == expected
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            return cursor.fetchone()[0] == expected
    return False


def redact_entry(connection, pk: int, values: dict) -> None:
    """Rewrite redactable fields of one audit entry (``audit.redact`` only).
    PostgreSQL: through the schema owner's ``icihub_audit_redact``; SQLite:
    inside :func:`lifted`."""
    unknown = set(values) - set(REDACTABLE)
    if unknown:
        raise ValueError(f"cannot redact {sorted(unknown)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT icihub_audit_redact(%s, %s::jsonb)", [pk, json.dumps(values)])
        return
    from django.apps import apps

    with lifted(connection.alias):
        apps.get_model("core", "AuditEntry")._base_manager.using(connection.alias).filter(
            pk=pk
        ).update(**values)


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
