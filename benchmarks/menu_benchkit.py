"""Shared set-up of the menu and programmes benchmarks (menu_search.py,
menu_import.py, programmes_page.py): a throw-away SQLite database in a
temporary directory, migrated, with the reference data; timing helpers."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def django_on_scratch_db(prefix: str) -> str:
    tmp = tempfile.mkdtemp(prefix=f"icihub-bench-{prefix}-")
    os.environ["ICIHUB_DATA_DIR"] = tmp
    os.makedirs(os.path.join(tmp, "static"), exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from icihub.core import audit
    from icihub.core.reference import load_all

    with audit.suspended():
        load_all(progress=lambda line: None)
    return tmp


def measure(fn, runs: int) -> tuple[float, float, int]:
    """Median wall time and median CPU time of this process (ms) of ``runs``
    calls after one warm-up, and the SQL query count of one call. SQLite runs
    in the process, so the CPU time includes the database's work; it is the
    fairer figure on a machine shared with other jobs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _must_succeed(fn())
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return statistics.median(walls), statistics.median(cpus), len(ctx.captured_queries)


def _must_succeed(result):
    """A page or endpoint that redirects or fails must not be timed as if it
    answered: refuse anything but a 200."""
    status = getattr(result, "status_code", 200)
    if status != 200:
        raise SystemExit(f"benchmark read answered {status}, not 200")
    return result


def report(rows, target_ms: float | None = None) -> bool:
    """Print the rows (name, wall ms, cpu ms, queries); True when every wall
    time (or, on a loaded machine, every CPU time) is under the target."""
    ok = True
    width = max(len(row[0]) for row in rows)
    print(f"{'':<{width}}  {'wall':>8}     {'cpu':>8}")
    for name, wall, cpu, queries in rows:
        flag = ""
        if target_ms is not None:
            if wall < target_ms:
                flag = "  ok"
            elif cpu < target_ms:
                flag = "  ok on CPU time (the machine is busy)"
            else:
                flag = f"  OVER {target_ms:.0f} ms"
                ok = False
        print(f"{name:<{width}}  {wall:8.1f} ms  {cpu:8.1f} ms  {queries:3d} queries{flag}")
    return ok


def load_average() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
