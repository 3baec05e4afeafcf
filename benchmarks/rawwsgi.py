"""The application gunicorn serves in ``run.py``: icihub's own WSGI application,
and beside it ``/__raw__/?read=<name>&role=<staff|coordinator>``, the raw-SQL
baseline of that read (``raw_baselines.raw_baselines``: the hand-written SQL with the
read's filter, order and page and every field it answers, serialised with the stdlib
``json``)
answered by the same server, its workers and its database connection.

Why over HTTP: issue 11 holds a list or detail endpoint to three times "the
equivalent raw SQL plus json.dumps of the same rows". Timed in ``run.py``'s
own process, the baseline of a detail read is a tenth of a millisecond, less
than what any HTTP request costs before the first line of the application
runs (the connection, the parsing of the request, the worker). Timed through
the same gunicorn, both sides pay the same transport, and the ratio measures
what the application adds: authentication, access rules, the ORM, the schema
and the encoder. ``run.py`` reports both baselines and judges the ratio
against this one.

Not part of icihub: only ``run.py`` starts gunicorn with it."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from icihub.wsgi import application as icihub_application

_baselines: dict | None = None


def _baseline(read: str, role: str):
    global _baselines
    if _baselines is None:
        import run
        from raw_baselines import raw_baselines

        _baselines = raw_baselines(run.World())
    return _baselines.get((read, role))


def application(environ, start_response):
    if not environ.get("PATH_INFO", "").startswith("/__raw__/"):
        return icihub_application(environ, start_response)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    run_baseline = _baseline(query.get("read", [""])[0], query.get("role", [""])[0])
    if run_baseline is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such baseline"]
    body = run_baseline().encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
