"""``core.sqlplan.joins_as_written``: on PostgreSQL the queries inside it are
planned with ``join_collapse_limit`` 1, in the same round trip, and nothing
outlasts the statement, not even inside a transaction; elsewhere the queries
run unchanged. The reads that use it answer the same rows (the values-path
tests compare them with the schema path's)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icihub.core.models import User
from icihub.core.sqlplan import joins_as_written, several_statements_a_trip

pytestmark = pytest.mark.django_db

#: The setting rides with the query only where one execute sends several
#: statements: PostgreSQL with client-side binding (not ICIHUB_DB_PREPARE;
#: ``.ci/run`` runs this file in both modes).
sent_along = pytest.mark.skipif(
    not several_statements_a_trip(connection),
    reason="PostgreSQL with client-side binding (ICIHUB_DB_PREPARE unset)",
)


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('join_collapse_limit')")
        return cursor.fetchone()[0]


@sent_along
def test_inside_the_query_plans_as_written_and_nothing_outlasts_it():
    before = _setting()
    assert before != "1"
    with joins_as_written("default"):
        with CaptureQueriesContext(connection) as queries:
            assert _setting() == "1"
        assert len(queries) == 1  # one round trip: the SET rides with the query
    assert _setting() == before  # the test runs inside a transaction: SET LOCAL is undone


def test_the_rows_are_the_query_rows(nato_staff):
    expected = list(User.objects.order_by("pk").values_list("pk", "username"))
    with joins_as_written("default"):
        rows = list(User.objects.order_by("pk").values_list("pk", "username"))
        assert User.objects.filter(pk=nato_staff.pk).count() == 1
    assert rows == expected and (nato_staff.pk, nato_staff.username) in rows


def test_writes_and_other_databases_run_unchanged(nato_staff):
    with joins_as_written("default"), CaptureQueriesContext(connection) as queries:
        User.objects.filter(pk=nato_staff.pk).update(first_name="Planned")
    assert "join_collapse_limit" not in queries[0]["sql"]
    nato_staff.refresh_from_db()
    assert nato_staff.first_name == "Planned"


@sent_along
def test_get_visible_plans_as_written_only_a_read_by_key(nato_staff):
    from icihub.core.access import get_visible

    with CaptureQueriesContext(connection) as by_key:
        get_visible(User, nato_staff, pk=nato_staff.pk)
    with CaptureQueriesContext(connection) as chosen:
        get_visible(User.objects.filter(username=nato_staff.username), nato_staff)
    with CaptureQueriesContext(connection) as by_name:
        get_visible(User, nato_staff, username=nato_staff.username)
    assert "join_collapse_limit" in by_key[-1]["sql"]
    assert "join_collapse_limit" not in chosen[-1]["sql"]
    assert "join_collapse_limit" not in by_name[-1]["sql"]


@pytest.mark.skipif(
    several_statements_a_trip(connection), reason="a statement a round trip (prepared)"
)
def test_one_statement_a_trip_runs_unchanged(nato_staff):
    from icihub.core.access import get_visible

    with joins_as_written("default"), CaptureQueriesContext(connection) as queries:
        assert get_visible(User, nato_staff, pk=nato_staff.pk) == nato_staff
    assert queries and all("join_collapse_limit" not in q["sql"] for q in queries)
