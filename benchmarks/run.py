"""Every read of icihub, timed from outside on the scale dataset, on SQLite and
on PostgreSQL in one run (issue 11).

    .venv/bin/python benchmarks/run.py [--scale 10] [--runs 30]
        [--databases sqlite,postgres] [--postgres postgres://postgres@127.0.0.1:5433/bench_10x]
        [--growth 1,10,30] [--only TEXT] [--no-write]

For each database: the dataset of ``dataset.py`` at ``--scale`` (generated when
the database does not hold it), then a child process that

- starts gunicorn with 2 workers on 127.0.0.1 (a free port) on that database;
- times over HTTP every GET operation of the API (from its OpenAPI document;
  a path parameter is filled with a row of the dataset that both accounts may
  see, when there is one) and the main HTML pages (lists, record pages, the
  session page with 500 nominations, the dashboard, the annual report's
  JSON/XLSX/PDF), as NATO staff (``nato``) and as Kuwait's coordinator
  (``kuwait``): one warm-up (and ``STEADY`` more for a quick read, so that
  both workers have served it, as on a server in use), then
  ``--runs`` requests (10 for a read whose warm-up took over a second, 5 for
  a PDF), p50 and p95 (nearest rank);
- counts each read's SQL queries and their time with Django's test client and
  ``CaptureQueriesContext`` in its own process (one warm-up, one counted call);
- times the raw-SQL baseline of the main list and detail endpoints:
  hand-written SQL with the same filters, ordering and page (50) reading every
  field the endpoint answers (related rows by joins, nested lists by a query
  each keyed by the page's ids, counts by subqueries), with the count the list
  answers, fetched and serialised with the stdlib ``json`` (issue 11's method;
  ``raw_baselines.py``), after checking that each answers what its endpoint
  answers (``raw_check.py``; the run stops when one does not);
- checks each read against its budget.

The table replaces the generated section of ``docs/benchmarks.md`` (between
the ``benchmarks/run.py`` markers), with the machine, the commit and the
command. ``--growth 1,10,30`` times a set of the same reads on PostgreSQL at
each scale (databases ``bench_1x``, ``bench_10x``, ``bench_30x``) and writes
the growth table. Exit status 1 when a read answers anything but 200."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import logging
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import dataset
import raw_check
import timing
from raw_baselines import raw_baselines

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
PG = "postgres://postgres@127.0.0.1:5433/bench_{scale}x"
YEAR = 2025

# Budgets (ms, p95, one client) of issue 11.
API_MS, PAGE_MS, DASHBOARD_MS = 50, 100, 300
REPORT_MS = {"json": 500, "xlsx": 1500, "pdf": 4000}
RAW_RATIO = 3

GROWTH_READS = [
    "API /api/v1/training/nominations",
    "API /api/v1/training/participants",
    "API /api/v1/training/sessions",
    "API /api/v1/menu/activities",
    "API /api/v1/dialogue/events",
    "page session (500 nominations)",
    "page dashboard",
    "annual report JSON",
    "annual report XLSX",
]


# -- measuring (the child process, Django on one database) -------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # 30 requests of 90 endpoints a minute: the rate limit would answer 429.
            "ICIHUB_API_RATE_TOKEN": "1000000",
            "ICIHUB_API_RATE_ANON": "1000000",
            "ICIHUB_VERIFY_RATE": "0",  # the certificate check's own limit (30 an address)
            "ICIHUB_LOG_LEVEL": "ERROR",
            "PYTHONPATH": os.pathsep.join((str(ROOT), str(HERE))),
        }
    )
    # Every read computed: a repeated read is otherwise answered from the
    # response cache (core/pagecache.py), and 30 requests would time one
    # computation and 29 cache reads. load.py measures it as shipped
    # (BENCH_PAGE_CACHE_SECONDS=shipped: the settings' default).
    cache = os.environ.get("BENCH_PAGE_CACHE_SECONDS", "0")
    if cache == "shipped":
        env.pop("ICIHUB_PAGE_CACHE_SECONDS", None)
    else:
        env["ICIHUB_PAGE_CACHE_SECONDS"] = cache
    return env


def collect_static() -> None:
    """The hashed static files' manifest, as `icihub setup` makes it for a
    server: pages (rendered here or by gunicorn) name app.css by its hash.
    Django must be set up (run.measure, load.py)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def start_gunicorn(workers: int, port: int) -> subprocess.Popen:
    collect_static()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "rawwsgi:application",  # icihub.wsgi, and the raw baselines beside it
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    log = open(dataset.DATA / "gunicorn.log", "ab")  # noqa: SIM115 (the server's lifetime)
    server = subprocess.Popen(
        command, cwd=ROOT, env=server_environment(), stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body = http_get(port, "/healthz", {})
            if status == 200:
                warm_up(port, workers)
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def warm_up(port: int, workers: int) -> None:
    """Each worker imports the views and builds its URL resolver and templates on
    its first requests: send some to every worker before timing."""
    from concurrent.futures import ThreadPoolExecutor

    def hit(_i):
        for path in ("/api/v1/me", "/accounts/login/", "/api/v1/training/sessions"):
            http_get(port, path, {})

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(hit, range(workers * 4)))


def http_get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


#: Untimed requests after the first, for a read whose first took under
#: STEADY_BELOW_MS, so that both workers have served the read as a server in use
#: has (its imports and caches; with ``ICIHUB_DB_PREPARE``, its prepared
#: statements: kept from a statement's Nth run on a connection, and planned anew
#: by PostgreSQL for five more). With one warm-up the other worker's first answer
#: was cold, and became the p95 of the raw baseline as much as icihub's. The raw
#: baseline is warmed the same way, on the same connections.
STEADY, STEADY_BELOW_MS = 24, 200


def time_http(port, path, headers, runs, until=None) -> dict:
    if until and time.time() > until:
        runs = min(runs, 10)  # the run's time is nearly spent (--minutes)
    start = time.perf_counter()
    status, _ = http_get(port, path, headers)
    warm = (time.perf_counter() - start) * 1000
    if path.endswith(".pdf") or "/pdf" in path:
        runs = min(runs, 5)
    elif warm > 1000:
        runs = min(runs, 10)
    elif warm < STEADY_BELOW_MS:
        for _ in range(STEADY):
            http_get(port, path, headers)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        got, _ = http_get(port, path, headers)
        times.append((time.perf_counter() - start) * 1000)
        status = got if got != 200 else status
    return {
        "status": status,
        "runs": runs,
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
    }


def count_queries(client, path, headers) -> tuple[int, float, int]:
    """The number of SQL queries of one request and their time (ms), timed around
    each execution (the captured queries' own times are rounded to 1 ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spent = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - start)

    client.get(path, headers=headers)
    with connection.execute_wrapper(timed), CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers)
    return len(ctx.captured_queries), sum(spent) * 1000, response.status_code


class World:
    """The rows of the dataset the reads are about: each one a row that both
    NATO staff and Kuwait's coordinator may see."""

    def __init__(self):
        from icihub.core.models import User
        from icihub.dialogue.models import Event
        from icihub.menu.models import Activity
        from icihub.partners.models import Country
        from icihub.planning.models import Plan
        from icihub.programmes.models import PartnerRequest, Programme
        from icihub.training.models import Certificate, Course, Nomination, Session, Trip

        self.nato = User.objects.get(username="nato")
        self.kuwait = User.objects.get(username="kuwait")
        self.kwt = Country.objects.get(iso3="KWT")
        self.session = Session.objects.get(reference=dataset.BIG_SESSION)
        self.nomination = (
            Nomination.objects.filter(session=self.session, country=self.kwt).order_by("id").first()
        )
        self.participant = self.nomination.participant
        self.course = Course.objects.get(code="BENCH-000")
        self.activity = Activity.objects.filter(marking="public").order_by("code").first()
        self.instructor = self.session.assignments.order_by("id").first().instructor
        self.trip = Trip.objects.filter(instructor=self.instructor).order_by("id").first()
        self.programme = (
            Programme.objects.filter(country=self.kwt).order_by("-start_year", "id").first()
        )
        self.item = (
            self.programme.objectives.first().goals.first().items.order_by("id").first()
            if self.programme
            else None
        )
        self.request = PartnerRequest.objects.filter(country=self.kwt).order_by("id").first()
        self.event = Event.objects.filter(marking="public").order_by("id").first()
        self.plan = Plan.objects.filter(year=YEAR).first()
        self.certificate = (
            Certificate.objects.filter(nomination__country=self.kwt).order_by("id").first()
        )

    def path_value(self, path: str, param: str):
        """The value of a path parameter, or None when the dataset has no row."""
        fixed = {
            "/api/v1/training/sessions/{pk}": self.session.pk,
            "/api/v1/training/sessions/{pk}/evaluation-summary": self.session.pk,
            "/api/v1/training/nominations/{pk}": self.nomination.pk,
            "/api/v1/training/participants/{pk}": self.participant.pk,
            "/api/v1/training/courses/{pk}": self.course.pk,
            "/api/v1/training/courses/{pk}/evaluation-summary": self.course.pk,
            "/api/v1/training/instructors/{pk}": self.instructor.pk,
            "/api/v1/training/trips/{pk}": self.trip.pk if self.trip else None,
            "/api/v1/menu/activities/{pk}": self.activity.pk,
            "/api/v1/programmes/{pk}": self.programme.pk,
            "/api/v1/programmes/{pk}/execution": self.programme.pk,
            "/api/v1/programmes/{pk}/versions": self.programme.pk,
            "/api/v1/programmes/items/{pk}": self.item.pk,
            "/api/v1/programmes/items/{pk}/deliveries": self.item.pk,
            "/api/v1/programmes/goals/{pk}/recommendations": self.item.goal_id,
            "/api/v1/programmes/requests/{pk}": self.request.pk,
            "/api/v1/dialogue/events/{event_id}": self.event.pk,
            "/api/v1/planning/plans/{plan_id}": self.plan.pk if self.plan else None,
            "/api/v1/users/{user_id}": self.kuwait.pk,
            "/api/v1/countries/{code}": "KWT",
            "/api/v1/training/certificates/{pk}": self.certificate and self.certificate.pk,
            "/api/v1/training/certificates/{pk}/pdf": self.certificate and self.certificate.pk,
            "/api/v1/training/verify/{code}": self.certificate and self.certificate.code,
        }
        if path in fixed:
            return fixed[path]
        if param == "year":
            return YEAR
        if param == "iso3":
            return "KWT"
        return None


# Query strings that an operation needs to answer at all.
QUERY = {
    "/api/v1/gulf/problems": f"?start={YEAR}-01-01&end={YEAR}-12-31",
}
# Operations the dataset has no row for (written by services the generator does
# not run: versions are taken when a programme is submitted, snapshots when a
# year is locked, runs when the solver runs).
NO_ROW = {
    "/api/v1/programmes/{pk}/versions/{number}",
    "/api/v1/programmes/{pk}/diff",
    "/api/v1/reports/snapshots/{pk}",
    "/api/v1/planning/runs/{run_id}",
}


def api_reads(world, client, staff_headers) -> list[dict]:
    """Every GET operation of the API, its path parameters filled."""
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    reads = []
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        params = re.findall(r"{(\w+)}", template)
        path = None if template in NO_ROW else template
        for param in params if path else ():
            value = world.path_value(template, param)
            if value is None:
                value = first_of_list(client, template, param, staff_headers)
            if value is None:
                path = None
                break
            path = path.replace("{" + param + "}", str(value))
        if path:
            path += QUERY.get(template, "")
        budget = API_MS
        if template.startswith(("/api/v1/reports/annual/", "/api/v1/reports/country/")):
            budget = REPORT_MS["json"]  # a report, as JSON
        elif template.endswith(("/export", "/pdf")):
            budget = None  # a file, neither a list nor a record: issue 11 sets no budget
        reads.append(
            {
                "group": "API",
                "name": f"API {template}",
                "path": path,
                "budget": budget,
                "kind": "detail" if params else "list",
            }
        )
    return reads


def first_of_list(client, template, param, headers):
    """A path parameter taken from the first item of the list it belongs to."""
    list_path = template[: template.index("{" + param + "}")].rstrip("/")
    response = client.get(list_path, headers=headers)
    if response.status_code != 200:
        return None
    body = response.json()
    items = (body.get("items") or body.get("figures") or []) if isinstance(body, dict) else body
    if not items or not isinstance(items[0], dict):
        return None
    item = items[0]
    for key in (param, "id", "pk", "code", "key", "slug", "number"):
        if key in item and not isinstance(item[key], dict | list):
            return item[key]
    return None


def page_reads(world) -> list[dict]:
    from django.urls import reverse

    pages = [
        ("home", reverse("home:home")),
        ("menu", reverse("menu:activity_list")),
        ("menu activity", reverse("menu:activity_detail", args=[world.activity.pk])),
        ("courses", reverse("training:course_list")),
        ("course", reverse("training:course_detail", args=[world.course.pk])),
        ("sessions", reverse("training:session_list")),
        ("session (500 nominations)", reverse("training:session_detail", args=[world.session.pk])),
        ("participants", reverse("training:participant_list")),
        ("participant", reverse("training:participant_detail", args=[world.participant.pk])),
        ("nomination", reverse("training:nomination_detail", args=[world.nomination.pk])),
        ("nominations", reverse("training:nomination_list")),
        (
            "nominate: search as you type",
            reverse("training:session_nominate_search", args=[world.session.pk]) + "?q=ily12",
        ),
        ("instructors", reverse("training:instructor_list")),
        ("instructor", reverse("training:instructor_detail", args=[world.instructor.pk])),
        ("certificates", reverse("training:certificate_list")),
        ("calendar", reverse("training:calendar")),
        ("programmes", reverse("programmes:programme_list")),
        ("programme", reverse("programmes:programme_detail", args=[world.programme.pk])),
        (
            # The page's panel of sessions to record as delivered (loaded after it).
            "programme: sessions to record",
            reverse("programmes:programme_matches", args=[world.programme.pk]),
        ),
        ("requests", reverse("programmes:request_list")),
        ("request", reverse("programmes:request_detail", args=[world.request.pk])),
        ("dialogue events", reverse("dialogue:event_list")),
        ("dialogue event", reverse("dialogue:event_detail", args=[world.event.pk])),
        ("dialogue timeline", reverse("dialogue:timeline")),
        ("countries", reverse("partners:country_list")),
        ("country", reverse("partners:country_detail", args=["KWT"])),
        ("organisations", reverse("partners:organisation_list")),
        ("plans", reverse("planning:plan_list")),
    ]
    if world.certificate:
        pages.append(
            ("certificate check", reverse("verify_certificate", args=[world.certificate.code]))
        )
    if world.plan:
        pages.append(("plan", reverse("planning:plan_detail", args=[world.plan.pk])))
    reads = [
        {"group": "page", "name": f"page {name}", "path": path, "budget": PAGE_MS}
        for name, path in pages
    ]
    # The reports as pages: neither a list nor a record, but the annual report
    # (and the same for a country) on screen, held to the report's JSON budget.
    reads += [
        {"group": "page", "name": f"page {name}", "path": path, "budget": REPORT_MS["json"]}
        for name, path in (
            ("country report", reverse("reports:country", args=["KWT"]) + f"?year={YEAR}"),
            ("annual report page", reverse("reports:annual") + f"?year={YEAR}"),
        )
    ]
    reads.append(
        {
            "group": "page",
            "name": "page dashboard",
            "path": reverse("reports:dashboard") + f"?year={YEAR}",
            "budget": DASHBOARD_MS,
        }
    )
    for fmt, budget in REPORT_MS.items():
        reads.append(
            {
                "group": "report",
                "name": f"annual report {fmt.upper()}",
                "path": reverse("reports:annual_download", args=[YEAR, fmt]),
                "budget": budget,
            }
        )
    return reads


def time_raw(fn, runs) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 95)


def measure(
    database: str, runs: int, only: str | None, subset: list[str] | None, until=None
) -> dict:
    dataset.configure(database)
    os.environ.update(server_environment())
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    collect_static()

    from icihub.core.access import SYSTEM
    from icihub.core.services import create_token
    from icihub.testing import client_for

    settings.ALLOWED_HOSTS = ["*"]
    # The test client's 4xx answers (a coordinator refused) are expected, not news.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    world = World()
    tokens, clients = {}, {}
    for role, user in (("staff", world.nato), ("coordinator", world.kuwait)):
        _row, raw = create_token(SYSTEM, user, name="benchmarks/run.py")
        tokens[role] = {"Authorization": f"Bearer {raw}"}
        clients[role] = client_for(user)
    api_client = Client()
    reads = api_reads(world, api_client, tokens["staff"]) + page_reads(world)
    if only:
        reads = [r for r in reads if only in r["name"]]
    if subset:
        reads = [r for r in reads if r["name"] in subset]
    raw = raw_baselines(world)
    # A ratio means something only if the baseline reads what the endpoint
    # answers: checked on this database before anything is timed.
    differences = raw_check.check(world)
    if differences:
        raise SystemExit("raw baselines differ from their endpoints:\n" + "\n".join(differences))
    port = free_port()
    server = start_gunicorn(2, port)
    rows = []
    try:
        for read in reads:
            for role in ("staff", "coordinator"):
                row = {k: read.get(k) for k in ("group", "name", "budget", "kind")}
                row["role"] = role
                row["path"] = read["path"]
                if read["path"] is None:
                    row["status"] = "no row"
                    rows.append(row)
                    continue
                if read["group"] == "API":
                    headers, client = tokens[role], api_client
                else:
                    cookie = clients[role].cookies[settings.SESSION_COOKIE_NAME].value
                    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
                    client = clients[role]
                row.update(time_http(port, read["path"], headers, runs, until))
                queries, sql_ms, status = count_queries(
                    client, read["path"], tokens[role] if read["group"] == "API" else {}
                )
                row.update(queries=queries, sql_ms=sql_ms)
                if status != row["status"]:
                    row["status_in_process"] = status
                baseline = raw.get((read["name"], role))
                if baseline is not None:
                    # In this process (issue 11's first method), and through the
                    # same gunicorn (rawwsgi.py), which the verdict uses.
                    row["raw_inproc_p50"], row["raw_inproc_p95"] = time_raw(baseline, runs)
                    raw_path = "/__raw__/?" + urlencode({"read": read["name"], "role": role})
                    timed = time_http(port, raw_path, {}, runs, until)
                    if timed["status"] != 200:
                        raise SystemExit(f"raw baseline {read['name']} answered {timed['status']}")
                    row["raw_p50"], row["raw_p95"] = timed["p50"], timed["p95"]
                rows.append(row)
                print(
                    f"  {row['name']:<60} {role:<11} {row['status']} "
                    f"p50 {row['p50']:7.1f} p95 {row['p95']:7.1f} ms, {queries:3d} q"
                    + (
                        f", raw p95 {row['raw_p95']:.1f} (in process {row['raw_inproc_p95']:.2f})"
                        if "raw_p95" in row
                        else ""
                    ),
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "database": dataset.target_name(database),
        "vendor": connection.vendor,
        "rows": rows,
    }


# -- the orchestrating process -------------------------------------------------------------


def measure_in_child(database, runs, only, subset, until=None) -> dict:
    out = dataset.DATA / f"results-{dataset.target_name(database)}.json"
    command = [sys.executable, str(HERE / "run.py"), "--measure", database, "--out", str(out)]
    command += ["--runs", str(runs)]
    command += ["--only", only] if only else []
    command += ["--subset", json.dumps(subset)] if subset else []
    command += ["--until", str(until)] if until else []
    subprocess.run(command, check=True)
    return json.loads(out.read_text())


def verdict(row) -> str:
    if row.get("status") in (403, 404):
        return f"{row['status']} (not this role's)"
    if row.get("status") != 200:
        return f"**{row.get('status')}**"
    misses = []
    if row["budget"] and row["p95"] > row["budget"]:
        misses.append(f"> {row['budget']} ms")
    if "raw_p95" in row and row["p95"] > RAW_RATIO * row["raw_p95"]:
        misses.append(f"> {RAW_RATIO}× raw")
    if misses:
        return "over: " + ", ".join(misses)
    return "ok" if row["budget"] else "no budget"


def fmt_ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def raw_cell(row) -> str:
    raw = row.get("raw_p95")
    if not raw:
        return "—"
    ratio = row["p95"] / raw
    inproc = row.get("raw_inproc_p95")
    return f"{fmt_ms(raw)} ({ratio:.1f}×)" + (f"; {fmt_ms(inproc)}" if inproc is not None else "")


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    one, five, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"load average {one:.1f} / {five:.1f} (1 / 5 min) at the start"
    )


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def table(results: list[dict]) -> str:
    """One row per (read, role): each database's p50 / p95, queries, SQL time,
    the raw baseline's p95 and the verdict."""
    by_key: dict[tuple, dict] = {}
    order = []
    for result in results:
        for row in result["rows"]:
            key = (row["name"], row["role"])
            if key not in by_key:
                by_key[key] = {"budget": row["budget"], "path": row["path"]}
                order.append(key)
            by_key[key][result["vendor"]] = row
    vendors = [r["vendor"] for r in results]
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = ["read", "as", "budget"]
    for v in vendors:
        head += [
            f"{label[v]} p50 / p95 ms",
            "queries",
            "SQL ms",
            "raw SQL p95 ms: over HTTP (ratio); in process",
            "verdict",
        ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, role in order:
        entry = by_key[(name, role)]
        cells = [
            name.replace("|", "\\|"),
            role,
            f"{entry['budget']:,} ms" if entry["budget"] else "none",
        ]
        for v in vendors:
            row = entry.get(v)
            if row is None or "p50" not in row:
                status = row.get("status") if row else "—"
                cells += ["—", "—", "—", "—", str(status)]
                continue
            cells += [
                f"{fmt_ms(row['p50'])} / {fmt_ms(row['p95'])}",
                str(row["queries"]),
                fmt_ms(row["sql_ms"]),
                raw_cell(row),
                verdict(row),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(results: list[dict]) -> str:
    lines = []
    for result in results:
        rows = [r for r in result["rows"] if "p50" in r]
        ok = sum(1 for r in rows if verdict(r) == "ok")
        refused = sum(1 for r in rows if r.get("status") in (403, 404))
        failed = sum(1 for r in rows if r.get("status") not in (200, 403, 404))
        free = sum(1 for r in rows if verdict(r) == "no budget")
        over = len(rows) - ok - refused - failed - free
        skipped = sum(1 for r in result["rows"] if "p50" not in r)
        fewer = {r["runs"] for r in rows}
        lines.append(
            f"- {result['database']} ({result['vendor']}): {len(rows)} reads timed, "
            f"**{ok} within budget, {over} over**, {free} without a budget (files); "
            f"{refused} refused to the role "
            f"(403/404, as the access rules say), {failed} failing, {skipped} without "
            "a row in the dataset to read. Requests a read: "
            + ", ".join(
                f"{n} ({sum(1 for r in rows if r['runs'] == n)} reads)"
                for n in sorted(fewer, reverse=True)
            )
            + "."
        )
    return "\n".join(lines)


def worst(results: list[dict], count: int = 12) -> str:
    """The reads furthest over their budget, on either database."""
    rows = [
        (r["p95"] / r["budget"], res["vendor"], r)
        for res in results
        for r in res["rows"]
        if r.get("status") == 200 and r["budget"] and r["p95"] > r["budget"]
    ]
    rows.sort(key=lambda item: -item[0])
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = [
        f"- {r['name']} as {r['role']}, {label[vendor]}: p95 {fmt_ms(r['p95'])} ms "
        f"({ratio:.1f}× its {r['budget']:,} ms), {r['queries']} queries, "
        f"{fmt_ms(r['sql_ms'])} ms in SQL"
        for ratio, vendor, r in rows[:count]
    ]
    return "Furthest over budget:\n\n" + "\n".join(lines) if lines else ""


def growth_table(results: dict[float, dict]) -> str:
    scales = sorted(results)
    head = ["read", "as"] + [f"{s:g}× p50 / p95 ms (queries)" for s in scales]
    head.append(f"p50 at {scales[-1]:g}× / at {scales[0]:g}×")
    lines = ["| " + " | ".join(head) + " |"]
    lines.append("|" + "---|" * (len(scales) + 3))
    keys = []
    for row in results[scales[0]]["rows"]:
        keys.append((row["name"], row["role"]))
    for name, role in keys:
        cells = [name, role]
        p50s = []
        for s in scales:
            row = next(
                (r for r in results[s]["rows"] if (r["name"], r["role"]) == (name, role)), None
            )
            if row is None or "p50" not in row:
                cells.append("—")
                p50s.append(None)
                continue
            cells.append(f"{fmt_ms(row['p50'])} / {fmt_ms(row['p95'])} ({row['queries']})")
            p50s.append(row["p50"])
        ratio = f"{p50s[-1] / p50s[0]:.1f}×" if p50s[0] and p50s[-1] else "—"
        lines.append("| " + " | ".join(cells + [ratio]) + " |")
    return "\n".join(lines)


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = f"{start}\n{body}\n{end}"
    if start in text:
        return re.sub(re.escape(start) + r".*?" + re.escape(end), lambda m: block, text, flags=re.S)
    return text.rstrip() + "\n\n" + block + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", help="PostgreSQL URL (default: bench_<scale>x on :5433)")
    parser.add_argument("--growth", help="scales for the growth table on PostgreSQL, e.g. 1,10,30")
    parser.add_argument("--only", help="only the reads whose name contains this")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--subset", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=float, help=argparse.SUPPRESS)
    parser.add_argument(
        "--minutes",
        type=float,
        help="time for the whole run: each database gets its share, and a read "
        "timed after 80%% of it gets 10 requests instead of --runs",
    )
    args = parser.parse_args()
    if args.measure:
        subset = json.loads(args.subset) if args.subset else None
        result = measure(args.measure, args.runs, args.only, subset, args.until)
        Path(args.out).write_text(json.dumps(result, indent=1))
        return 0

    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC).strftime("%d %B %Y, %H:%M UTC")
    about = f"On {when} at commit {commit()}; {machine()}."
    host = timing.host_start()
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    if args.growth:
        scales = [float(s) for s in args.growth.split(",")]
        growth = {}
        for scale in scales:
            database = PG.format(scale=f"{scale:g}")
            dataset.ensure(database, scale=scale, seed=args.seed)
            growth[scale] = measure_in_child(database, args.runs, args.only, GROWTH_READS)
        body = (
            f"{about} Command: `{command}`. PostgreSQL 15, gunicorn with 2 workers, "
            f"one client; {timing.host_note(host)}.\n\n{growth_table(growth)}"
        )
        if not args.no_write:
            DOC.write_text(replace_section(DOC.read_text(), "benchmarks/run.py growth", body))
        print(growth_table(growth))
        return 0

    results = []
    names = args.databases.split(",")
    for index, name in enumerate(names):
        until = None
        if args.minutes:
            left = args.minutes * 60 - (time.perf_counter() - started)
            until = time.time() + 0.8 * left / (len(names) - index)
        if name == "sqlite":
            database = dataset.sqlite_path(args.scale)
        else:
            database = args.postgres or PG.format(scale=f"{args.scale:g}")
        dataset.ensure(database, scale=args.scale, seed=args.seed)
        print(f"Measuring on {dataset.target_name(database)}…", flush=True)
        results.append(measure_in_child(database, args.runs, args.only, None, until))
    elapsed = time.perf_counter() - started
    body = (
        f"{about} Dataset: `dataset.py --scale {args.scale:g}` (seed {args.seed}). "
        f"Command: `{command}` ({elapsed / 60:.0f} min). gunicorn with 2 workers on "
        f"127.0.0.1, one client; p50 / p95 of {args.runs} requests after a warm-up "
        f"({STEADY} more requests when it took under {STEADY_BELOW_MS} ms, so that both "
        "workers have served it; 10 runs when it took over a second, 5 for a PDF); "
        "queries and SQL time "
        "from one request in process (test client, `CaptureQueriesContext`); "
        f"{timing.host_note(host)}.\n\n"
        f"{summary(results)}\n\n{worst(results)}\n\n{table(results)}"
    )
    if not args.no_write:
        DOC.write_text(replace_section(DOC.read_text(), "benchmarks/run.py", body))
    print(summary(results))
    bad = [
        r
        for res in results
        for r in res["rows"]
        if r.get("status") not in (200, 403, 404, "no row")
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
