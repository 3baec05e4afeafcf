"""The API's busy reads in process, three ways in one run (issue 11): as before
(model instances validated by the response schemas, ninja's json.dumps), with
orjson only, and as served (values() rows or prebuilt dicts, orjson).

Reads a scale dataset and writes nothing to it: the tokens it needs are created
inside one transaction that is rolled back at the end, and the rate limit is off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/bench_10x \\
        .venv/bin/python benchmarks/api_paths.py [--rounds 30] [--profile] [READ ...]

Prints, per read, the median wall and CPU milliseconds of ``--rounds`` requests
of each way (the three ways interleaved, so that the machine's noise falls on
all three alike) and the number of queries; ``--profile`` adds cProfile's top
functions of five requests as served. READ filters the reads by their label."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
os.environ["ICIHUB_API_RATE_TOKEN"] = "0"
os.environ["ICIHUB_API_RATE_ANON"] = "0"

LISTS = [
    "training/sessions",
    "training/nominations",
    "training/participants",
    "training/courses",
    "programmes",
    "programmes/requests",
    "dialogue/events",
]
USERS = (("staff", "nato"), ("kuwait", "kuwait"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("reads", nargs="*")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core import signals
    from django.db import close_old_connections, connection, transaction
    from django.test import Client
    from ninja.renderers import JSONRenderer

    from icihub.api import api
    from icihub.core.access import SYSTEM
    from icihub.core.apikit import OrjsonRenderer, schema_path
    from icihub.core.models import User
    from icihub.core.services import create_token

    settings.ALLOWED_HOSTS = ["*"]
    # As Django's tests do: a request's end must not close the connection (and
    # with it the transaction that is rolled back at the end).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    ways = {
        "before": (JSONRenderer(), schema_path),
        "orjson": (OrjsonRenderer(), schema_path),
        "served": (OrjsonRenderer(), nullcontext),
    }
    with transaction.atomic():
        client = Client()
        heads = {}
        for role, name in USERS:
            _row, raw = create_token(SYSTEM, User.objects.get(username=name), name="api_paths")
            heads[role] = {"Authorization": f"Bearer {raw}"}
        reads = []
        for path in LISTS:
            response = client.get(f"/api/v1/{path}", headers=heads["staff"])
            assert response.status_code == 200, (path, response.status_code)
            first = json.loads(response.content)["items"][0]
            for role, _name in USERS:
                reads.append((f"{path} [{role}]", f"/api/v1/{path}", role))
            reads.append((f"{path}/ID [staff]", f"/api/v1/{path}/{first['id']}", "staff"))
        print(
            f"{'read':36s}"
            + "".join(f"{way:>22s}" for way in ways)
            + "   (p50 wall ms / p50 CPU ms / queries)"
        )
        for label, url, role in reads:
            if args.reads and not any(part in label for part in args.reads):
                continue
            headers = heads[role]
            results = {}
            for way, (renderer, path_of) in ways.items():
                api.renderer = renderer
                with path_of():
                    for _ in range(3):
                        response = client.get(url, headers=headers)
                    assert response.status_code == 200, (url, response.status_code)
                    queries: list[str] = []

                    def count(execute, sql, *rest, queries=queries):
                        queries.append(sql)
                        return execute(sql, *rest)

                    with connection.execute_wrapper(count):
                        client.get(url, headers=headers)
                results[way] = ([], [], len(queries))
            for _ in range(args.rounds):
                for way, (renderer, path_of) in ways.items():
                    api.renderer = renderer
                    with path_of():
                        wall, cpu = time.perf_counter(), time.process_time()
                        client.get(url, headers=headers)
                        results[way][0].append((time.perf_counter() - wall) * 1000)
                        results[way][1].append((time.process_time() - cpu) * 1000)
            api.renderer = OrjsonRenderer()
            print(
                f"{label:36s}"
                + "".join(
                    f"{statistics.median(w):9.1f} /{statistics.median(c):6.1f} /{q:3d}"
                    for w, c, q in results.values()
                ),
                flush=True,
            )
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(5):
                    client.get(url, headers=headers)
                profile.disable()
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(25)
                print(text.getvalue())
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
