"""PostgreSQL's planning time under every read of icihub: each read of
``run.py`` (API and pages, as NATO staff and as Kuwait's coordinator) is run
once in process on the scale dataset, and each SELECT it ran is planned again
with ``EXPLAIN (SUMMARY)`` under the settings it ran with (the reads by key of
``core.sqlplan`` with ``join_collapse_limit`` 1), the second of two runs
counted. Prints the reads with the most planning, and their costliest query
("by key:" a query run under ``core.sqlplan``).

    .venv/bin/python benchmarks/planning.py [--postgres postgres://postgres@127.0.0.1:5433/bench_10x]
        [--top 30] [--as-default]

``--as-default`` plans every query with the server's default settings (what
the reads cost before ``core.sqlplan``). Why: a one-row read of ten joined
tables ran in 0.3 ms and was planned in 3–10 ms; the timings of ``run.py``
show the sum, this shows where it goes. The output goes into the section
"Planning" of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys

import dataset
import run


def planning_ms(cursor, sql: str, written: bool) -> float | None:
    setting = "1" if written else "DEFAULT"
    times = []
    for _ in range(2):  # the first plans with cold caches of this backend
        try:
            cursor.execute(f"SET join_collapse_limit = {setting}; EXPLAIN (SUMMARY) {sql}")
        except Exception:  # a statement EXPLAIN cannot take: not counted
            cursor.execute("RESET join_collapse_limit")
            return None
        cursor.nextset()
        line = next(r[0] for r in cursor.fetchall() if "Planning Time" in r[0])
        times.append(float(re.findall(r"[\d.]+", line)[0]))
    cursor.execute("RESET join_collapse_limit")
    return times[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=run.PG.format(scale=10))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--as-default", action="store_true")
    args = parser.parse_args()
    dataset.configure(args.postgres)
    os.environ.update(run.server_environment())
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from icihub.core.access import SYSTEM
    from icihub.core.services import create_token
    from icihub.core.sqlplan import AFTER, AHEAD
    from icihub.testing import client_for

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    world = run.World()
    api = Client()
    found = []
    for role, user in (("staff", world.nato), ("coordinator", world.kuwait)):
        _row, raw = create_token(SYSTEM, user, name="benchmarks/planning.py")
        headers = {"Authorization": f"Bearer {raw}"}
        pages = client_for(user)
        for read in run.api_reads(world, api, headers) + run.page_reads(world):
            if read["path"] is None:
                continue
            client, extra = (
                (api, {"HTTP_AUTHORIZATION": headers["Authorization"]})
                if read["group"] == "API"
                else (pages, {})
            )
            client.get(read["path"], **extra)
            with CaptureQueriesContext(connection) as captured:
                client.get(read["path"], **extra)
            total, worst = 0.0, (0.0, "")
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    sql, written = query["sql"], False
                    if sql.startswith(AHEAD) and sql.endswith(AFTER):
                        sql, written = sql[len(AHEAD) : -len(AFTER)], True
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    ms = planning_ms(cursor, sql, written and not args.as_default)
                    if ms is None:
                        continue
                    total += ms
                    worst = max(worst, (ms, ("by key: " if written else "") + sql[:80]))
            found.append((total, read["name"], role, len(captured.captured_queries), worst))
    print("| read | as | queries | planning ms | costliest query (ms) |")
    print("|---|---|---|---|---|")
    for total, name, role, count, (ms, sql) in sorted(found, reverse=True)[: args.top]:
        print(f"| {name} | {role} | {count} | {total:.1f} | {ms:.1f}: `{sql}…` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
