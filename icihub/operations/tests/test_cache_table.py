"""The database cache's table on PostgreSQL is UNLOGGED (migration 0003): its
writes, a rate-limit count on every API request among them, skip the
write-ahead log. The counter still counts through it."""

import importlib

import pytest
from django.db import connection

from icihub.operations.cache import DatabaseCache

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

migration = importlib.import_module("icihub.operations.migrations.0003_cache_table_unlogged")


def persistence() -> tuple[str, int]:
    """The table's persistence ("u" unlogged, "p" logged) and its file: a
    rewrite gives it a new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence, relfilenode FROM pg_class "
            "WHERE oid = to_regclass('icihub_cache')"
        )
        return cursor.fetchone()


def test_the_migrated_cache_table_is_unlogged_and_counts():
    assert persistence()[0] == "u"
    cache = DatabaseCache("icihub_cache", {})
    assert [cache.hit("unlogged-test", 60) for _ in range(3)] == [1, 2, 3]


@pytest.mark.schema_owner
def test_the_migration_is_reversible_and_idempotent():
    with connection.schema_editor() as editor:
        migration.logged(None, editor)
    assert persistence()[0] == "p"
    with connection.schema_editor() as editor:
        migration.unlogged(None, editor)
    state = persistence()
    assert state[0] == "u"
    with connection.schema_editor() as editor:
        migration.unlogged(None, editor)  # already unlogged: not rewritten
    assert persistence() == state
