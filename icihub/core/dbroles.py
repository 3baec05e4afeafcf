"""The two-role PostgreSQL deployment (SECURITY.md): the *schema owner*
migrates and owns every table, trigger and function; the *application role*
that the web server, the worker and the everyday commands connect as has
data rights only (SELECT, INSERT, UPDATE, DELETE; not TRUNCATE, REFERENCES or
TRIGGER), owns nothing, and so cannot drop or disable a trigger, replace the
guard's functions or obtain the audit guard's unlock (``core.auditguard``
honours it for members of the owner role only). It may not even delete audit
entries or change published snapshots: those rights are withheld on top of the
triggers.

:func:`create_roles` (``icihub setup --create-roles``), run by a superuser (or
a role with CREATEROLE that owns the database's objects) on the icihub
database, creates the two roles when missing, hands the database and every
object of its schema to the owner, grants the application role its rights on
what exists and, through default privileges, on every table the owner's
migrations create later. It is idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

OWNER = "icihub_owner"
APP = "icihub_app"
# rights the application role does not get on these tables (the triggers
# refuse the same; this is a second wall)
WITHHELD = {"core_auditentry": "DELETE", "reports_snapshot": "UPDATE, DELETE"}


class RoleError(Exception):
    pass


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    reassigned: int = 0
    statements: list[str] = field(default_factory=list)


def _ident(name: str) -> str:
    from psycopg import sql

    return sql.Identifier(name).as_string()


def create_roles(
    connection,
    *,
    owner: str = OWNER,
    app: str = APP,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> Report:
    if connection.vendor != "postgresql":
        raise RoleError(_("The two-role deployment is for PostgreSQL."))
    if owner == app:
        raise RoleError(_("The owner and the application role must differ."))
    from psycopg import sql

    report = Report()

    def run(statement, params=None):
        text = statement if isinstance(statement, str) else statement.as_string()
        report.statements.append(text)
        cursor.execute(text, params)

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        for name, password in ((owner, owner_password), (app, app_password)):
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [name])
            row = cursor.fetchone()
            if row is None:
                run(
                    f"CREATE ROLE {_ident(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                    "NOREPLICATION NOBYPASSRLS"
                )
                report.created.append(name)
            elif row[0] and name == app:
                raise RoleError(
                    _("The application role %(name)s is a superuser: choose another.")
                    % {"name": name}
                )
            if password:
                run(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(name), sql.Literal(password)
                    )
                )
        # the application role must not be a member of the owner (nor of a
        # role the owner is a member of): membership would give it the unlock
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
        if cursor.fetchone()[0]:
            run(f"REVOKE {_ident(owner)} FROM {_ident(app)}")
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
            if cursor.fetchone()[0]:
                raise RoleError(
                    _("%(app)s is a member of %(owner)s through another role: revoke it first.")
                    % {"app": app, "owner": owner}
                )
        o, a, s = _ident(owner), _ident(app), _ident(schema)
        run(f"ALTER DATABASE {_ident(database)} OWNER TO {o}")
        run(f"ALTER SCHEMA {s} OWNER TO {o}")
        run(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC")
        run(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {a}")
        run(f"GRANT USAGE ON SCHEMA {s} TO {a}")
        # what exists: to the owner (tables carry their indexes, triggers and
        # identity sequences along)
        cursor.execute(
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c "
            "WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r','p','v','m','f','S') "
            "AND pg_get_userbyid(c.relowner) <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
            "  AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))",
            [schema, owner],
        )
        kinds = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}
        for name, kind in cursor.fetchall():
            run(f"ALTER {kinds.get(kind, 'TABLE')} {name} OWNER TO {o}")
            report.reassigned += 1
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.pronamespace = %s::regnamespace AND pg_get_userbyid(p.proowner) <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
            "  AND d.objid = p.oid AND d.deptype = 'e')",
            [schema, owner],
        )
        for (signature,) in cursor.fetchall():
            run(f"ALTER ROUTINE {signature} OWNER TO {o}")
            report.reassigned += 1
        run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {a}")
        run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}")
        run(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}"
        )
        run(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {a}"
        )
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace "
            "AND relname = ANY(%s)",
            [schema, list(WITHHELD)],
        )
        for (table,) in cursor.fetchall():
            run(f"REVOKE {WITHHELD[table]} ON {s}.{_ident(table)} FROM {a}")
    return report


def role_facts(connection, role: str) -> dict:
    """What a role may do here (for the command's summary and the tests)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return {}
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND pg_get_userbyid(relowner) = %s",
            [role],
        )
        owned = cursor.fetchone()[0]
    return {"superuser": row[0], "createrole": row[1], "createdb": row[2], "owns": owned}
