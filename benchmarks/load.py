"""The mixed read load (issue 11): locust, headless and bounded in time,
against gunicorn on 127.0.0.1 on PostgreSQL with the scale dataset.

    .venv/bin/python benchmarks/load.py [--scale 10] [--users 1,8,32] [--duration 60]
        [--workers N] [--postgres URL] [--no-write]

gunicorn runs with ``--workers`` sync workers (default: as many as fit, two a
CPU plus one, gunicorn's own rule). For each number of simulated clients in
``--users`` locust runs ``--duration`` seconds (clients started at once, no
pause between a client's requests) over a weighted mix of the reads people make
most: the API's lists and records of training, the menu, the programmes and the
dialogue, and the pages of the session (500 nominations), the sessions, the
participants, the menu, the home page and the dashboard, as NATO staff and as
Kuwait's coordinator (two in three requests by a coordinator). Reported: the
requests per second, the errors (any answer but 2xx) and the p50 / p95 / p99.
The table replaces the ``benchmarks/load.py`` section of
``docs/benchmarks.md``. locust runs on the same machine and takes part of its
CPU. Exit status 1 when a request failed."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time

import dataset
import run
import timing

GOAL_RPS, GOAL_P95 = 200, 100


def mix(world, tokens, cookies) -> list[dict]:
    from django.urls import reverse

    api = [
        ("/api/v1/training/nominations", 6),
        (f"/api/v1/training/nominations?session={world.session.pk}", 4),
        (f"/api/v1/training/nominations/{world.nomination.pk}", 4),
        ("/api/v1/training/participants", 4),
        (f"/api/v1/training/participants/{world.participant.pk}", 4),
        ("/api/v1/training/sessions", 4),
        (f"/api/v1/training/sessions/{world.session.pk}", 4),
        (f"/api/v1/training/courses/{world.course.pk}", 2),
        ("/api/v1/menu/activities", 4),
        ("/api/v1/dialogue/events", 2),
        ("/api/v1/programmes", 2),
        ("/api/v1/programmes/requests", 2),
        ("/api/v1/me", 2),
    ]
    pages = [
        (reverse("home:home"), 3),
        (reverse("training:session_detail", args=[world.session.pk]), 2),
        (reverse("training:session_list"), 2),
        (reverse("training:participant_list"), 2),
        (reverse("menu:activity_list"), 2),
        (reverse("reports:dashboard") + f"?year={run.YEAR}", 1),
    ]
    reads = []
    for role, share in (("staff", 1), ("coordinator", 2)):
        for path, weight in api:
            reads.append(
                {
                    "name": f"{role} {path.split('?')[0]}",
                    "path": path,
                    "headers": tokens[role],
                    "weight": weight * share,
                }
            )
        for path, weight in pages:
            reads.append(
                {
                    "name": f"{role} page {path.split('?')[0]}",
                    "path": path,
                    "headers": cookies[role],
                    "weight": weight * share,
                }
            )
    return reads


def page_cache() -> str:
    """The response cache the server runs with, in words."""
    from django.conf import settings

    seconds = settings.ICIHUB_PAGE_CACHE_SECONDS
    if os.environ["BENCH_PAGE_CACHE_SECONDS"] != "shipped":
        seconds = int(os.environ["BENCH_PAGE_CACHE_SECONDS"])
    return f"on ({seconds} s)" if seconds else "off"


def aggregate(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--users", default="1,8,32", help="simulated clients, one run each")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of warm-up, not counted")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--postgres", help="PostgreSQL URL (default: bench_<scale>x on :5433)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    # The application as shipped, its response cache on (the settings' default),
    # unless BENCH_PAGE_CACHE_SECONDS says otherwise; run.py turns it off.
    os.environ.setdefault("BENCH_PAGE_CACHE_SECONDS", "shipped")
    database = args.postgres or run.PG.format(scale=f"{args.scale:g}")
    dataset.ensure(database, scale=args.scale, seed=args.seed)
    dataset.configure(database)
    os.environ.update(run.server_environment())
    import django

    django.setup()
    from django.conf import settings

    from icihub.core.access import SYSTEM
    from icihub.core.services import create_token
    from icihub.testing import client_for

    settings.ALLOWED_HOSTS = ["*"]
    run.collect_static()  # the pages rendered below name the static files by their hash
    world = run.World()
    tokens, cookies = {}, {}
    for role, user in (("staff", world.nato), ("coordinator", world.kuwait)):
        _row, raw = create_token(SYSTEM, user, name="benchmarks/load.py")
        tokens[role] = {"Authorization": f"Bearer {raw}"}
        client = client_for(user)
        client.get("/")  # the CSRF cookie, which a browser holds after its first page
        cookies[role] = {
            "Cookie": "; ".join(
                f"{name}={client.cookies[name].value}"
                for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
            )
        }
    mix_file = dataset.DATA / "locust-mix.json"
    mix_file.write_text(json.dumps(mix(world, tokens, cookies)))
    when = dt.datetime.now(dt.UTC).strftime("%d %B %Y, %H:%M UTC")
    about = f"On {when} at commit {run.commit()}; {run.machine()}."
    host = timing.host_start()
    port = run.free_port()
    server = run.start_gunicorn(args.workers, port)
    results = []
    env = dict(os.environ, BENCH_LOCUST_MIX=str(mix_file))
    log = open(dataset.DATA / "locust.log", "ab")  # noqa: SIM115 (for the runs below)
    try:
        # Each worker loads its URLs, templates and connections on its first
        # requests: a warm-up run at the largest number of clients, not counted.
        largest = max(int(u) for u in args.users.split(","))
        print(f"warming up ({args.warmup} s)…", flush=True)
        subprocess.run(
            locust_command(largest, args.warmup, port, str(dataset.DATA / "locust-warmup")),
            env=env,
            check=False,
            stdout=log,
            stderr=log,
        )
        for users in [int(u) for u in args.users.split(",")]:
            prefix = str(dataset.DATA / f"locust-{users}")
            command = locust_command(users, args.duration, port, prefix)
            print(f"locust: {users} clients for {args.duration} s…", flush=True)
            subprocess.run(command, env=env, check=False, stdout=log, stderr=log)
            result = {"users": users, **aggregate(prefix)}
            results.append(result)
            print(
                f"  {result['rps']:.1f} req/s, {result['failures']} errors of "
                f"{result['requests']:,}, p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms",
                flush=True,
            )
            time.sleep(2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    lines = [
        "| clients | requests | req/s | errors | p50 ms | p95 ms | p99 ms | goal: 200 req/s, 0 errors, p95 ≤ 100 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        met = r["rps"] >= GOAL_RPS and r["failures"] == 0 and r["p95"] <= GOAL_P95
        lines.append(
            f"| {r['users']} | {r['requests']:,} | {r['rps']:.1f} | {r['failures']} | "
            f"{r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {'met' if met else 'missed'} |"
        )
    command = "python benchmarks/load.py " + " ".join(sys.argv[1:])
    body = (
        f"{about} Command: `{command}`. PostgreSQL 15 (`{dataset.target_name(database)}`, "
        f"dataset at {args.scale:g}×), gunicorn with {args.workers} sync workers on 127.0.0.1, "
        f"response cache {page_cache()}, "
        f"locust {locust_version()} (FastHttpUser, no wait) on the same machine, "
        f"{args.duration} s per line; {timing.host_note(host)}.\n\n" + "\n".join(lines)
    )
    if not args.no_write:
        run.DOC.write_text(run.replace_section(run.DOC.read_text(), "benchmarks/load.py", body))
    print("\n".join(lines))
    return 1 if any(r["failures"] for r in results) else 0


def locust_command(users: int, seconds: int, port: int, prefix: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(run.HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        prefix,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


if __name__ == "__main__":
    raise SystemExit(main())
