"""Reads by key planned as written, on PostgreSQL.

A record's API answer, or the rows of a page whose ids are already known, is
one query that joins the record's related rows to show them: ten tables for a
nomination (its session, course, participant, countries and the three users
who acted on it). The only sensible plan for it is the order it is written in:
the rows by their keys, then each joined row by its key. PostgreSQL's join
search still weighs every order of up to eight of those tables
(``join_collapse_limit``): 3–4 ms of planning for 0.3 ms of execution at ten
times the demo data, most of such a read's time in SQL.

:func:`joins_as_written` sets ``join_collapse_limit`` to 1 for the queries run
inside it, each in the same round trip as the query (``SET LOCAL`` ahead of it
and back to the default after it, so nothing outlasts the statement, also
inside a transaction). Django has no per-query planner setting, hence this;
it is used only where the rows are chosen by their keys (``apikit``'s record
and ids-first reads, ``listing.IdsFirst``). SQLite and a server-side-binding
connection (one statement per round trip, ``ICIHUB_DB_PREPARE``: a statement
run that many times is kept prepared with its plan) run the queries unchanged."""

from __future__ import annotations

import contextlib

from django.db import connections

#: What a query planned as written is sent between (benchmarks/planning.py reads them).
AHEAD = "SET LOCAL join_collapse_limit = 1; "
AFTER = "; SET LOCAL join_collapse_limit TO DEFAULT"


def _as_written(execute, sql, params, many, context):
    if many or sql.lstrip()[:6].upper() != "SELECT":
        return execute(sql, params, many, context)
    result = execute(AHEAD + sql + AFTER, params, many, context)
    context["cursor"].nextset()  # past the SET: the query's rows
    return result


def several_statements_a_trip(connection) -> bool:
    """Whether one execute on ``connection`` may send several statements:
    PostgreSQL with client-side binding (the default). With the server binding
    the parameters (``ICIHUB_DB_PREPARE``), each statement is its own round
    trip."""
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")


@contextlib.contextmanager
def joins_as_written(using: str):
    """Inside: the SELECTs on the database ``using`` join in the order written
    (PostgreSQL with client-side binding; elsewhere nothing changes)."""
    connection = connections[using]
    if not several_statements_a_trip(connection):
        yield
        return
    with connection.execute_wrapper(_as_written):
        yield
