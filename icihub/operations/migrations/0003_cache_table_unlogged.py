"""On PostgreSQL the database cache's table is UNLOGGED: its writes skip the
write-ahead log, so a transaction that only writes the cache (the API's
rate-limit counter on every request, a cached page or figure) commits without
waiting for the log to reach the disk: 0.44-0.59 ms -> 0.12-0.16 ms for the
counter's upsert on this machine's disk (docs/benchmarks.md), and more on
network storage.

What a cache loses by it, and why that is right here: after a crash of the
database server the table comes back empty (every counter, cached page and
figure goes at once, with the versions that key them, so nothing stale is
served; they are recomputed), and a streaming standby holds it empty too, so
after a failover the rate limits restart their windows. Nothing in the cache
is a record: sessions, tokens, tasks and audit live in logged tables. SQLite
has no such tables; the migration does nothing there."""

from django.db import migrations

TABLE = "icihub_cache"


def _set(schema_editor, persistence: str) -> None:
    """``ALTER TABLE ... SET UNLOGGED`` (or ``LOGGED``): PostgreSQL rewrites the
    table only when its persistence changes (run again, it does nothing)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {connection.ops.quote_name(TABLE)} SET {persistence}"
        )


def unlogged(apps, schema_editor):
    _set(schema_editor, "UNLOGGED")


def logged(apps, schema_editor):
    _set(schema_editor, "LOGGED")


class Migration(migrations.Migration):
    dependencies = [("operations", "0002_cache_table")]

    operations = [migrations.RunPython(unlogged, logged)]
