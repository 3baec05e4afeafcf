"""Where a list's time goes: one request per read in this process (Django's
test client, after a warm-up; the best of three), its query count and time in
SQL, and the slowest queries with their plans: ``EXPLAIN (ANALYZE, BUFFERS)``
on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/lists_10x \\
        python benchmarks/list_plans.py nato [api_cert page_instr ...] [--explain] [--top 3]

The user is a username of the dataset (``nato``, ``kuwait``); the reads are
the names below or paths. The output went into docs/benchmarks/lists-plans.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

READS = {
    "api_cert": "/api/v1/training/certificates",
    "page_cert": "/training/certificates/",
    "api_eval": "/api/v1/training/evaluations",
    "api_nom": "/api/v1/training/nominations",
    "api_att": "/api/v1/training/attendance",
    "api_trips": "/api/v1/training/trips",
    "page_instr": "/training/instructors/",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user")
    parser.add_argument("reads", nargs="*", help="names of READS or paths (default: all)")
    parser.add_argument("--explain", action="store_true", help="print the slowest queries' plans")
    parser.add_argument("--top", type=int, default=3, help="how many of the slowest queries")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from icihub.core.models import User
    from icihub.testing import client_for

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name app.css by hash
    client = client_for(User.objects.get(username=args.user))
    postgres = connection.vendor == "postgresql"
    for name in args.reads or list(READS):
        url = READS.get(name, name)
        client.get(url)
        best = None
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                ms = (time.perf_counter() - start) * 1000
            if best is None or ms < best[0]:
                best = (ms, list(ctx.captured_queries), response.status_code)
        ms, queries, status = best
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"== {name} {url} as {args.user}: {status}, {len(queries)} queries, "
            f"{ms:.1f} ms, SQL {sql_ms:.1f} ms"
        )
        for query in sorted(queries, key=lambda q: -float(q["time"]))[: args.top]:
            print(f"   {float(query['time']) * 1000:7.1f} ms  {query['sql']}")
            if args.explain:
                with connection.cursor() as cursor:
                    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                    cursor.execute(prefix + query["sql"])
                    for row in cursor.fetchall():
                        print("        " + " | ".join(str(x) for x in row))


if __name__ == "__main__":
    main()
