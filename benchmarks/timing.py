"""Timing shared by the benchmark scripts (imported by their *_common modules)."""

from __future__ import annotations

import json
import statistics
import time
from typing import NamedTuple


class Timing(NamedTuple):
    median_ms: float
    worst_ms: float
    queries: int


def measure(fn, runs: int) -> Timing:
    """Median and slowest wall time (ms) of ``runs`` calls after a warm-up, and
    the number of SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return Timing(statistics.median(times), max(times), len(ctx.captured_queries))


# -- the host's speed, for comparing tables taken on different days ------------------


def yardstick(repeats: int = 7) -> float:
    """The fastest of ``repeats`` runs (ms) of one fixed pure-Python workload:
    what this host gives one process at the moment, printed beside every table
    (``host_note``). The tables of one machine differ by half between runs on a
    shared host (another guest's load: the CPU time "stolen" below); the same
    code reading the same rows is slower when this number is. The workload is
    the kind of work a request does in Python (building dictionaries, sorting
    strings, encoding JSON), about 20 ms, and never changes: a change here makes
    the old tables' figures incomparable."""
    rows = [{"id": i, "title": f"Session {i % 997:04d}", "seats": i % 40} for i in range(20_000)]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        ordered = sorted(rows, key=lambda r: (r["title"], r["id"]))
        json.dumps(ordered)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def cpu_times() -> tuple[int, int] | None:
    """(all CPU time, time stolen by the hypervisor for other guests), in ticks
    since boot, from ``/proc/stat``; None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    steal = fields[7] if len(fields) > 7 else 0
    return sum(fields[:8]), steal


def host_note(start: tuple[float, tuple[int, int] | None]) -> str:
    """The yardstick at the start (``start``: :func:`yardstick` and
    :func:`cpu_times` taken then) and now, and the share of CPU time stolen in
    between: how fast the host was during the run."""
    before, times_before = start
    after, times_after = yardstick(), cpu_times()
    note = (
        f"host yardstick {before:.1f} ms at the start, {after:.1f} ms at the end "
        "(`benchmarks/timing.py`: a fixed Python workload, the fastest of 7; "
        "lower is faster)"
    )
    if times_before and times_after:
        total = times_after[0] - times_before[0]
        stolen = times_after[1] - times_before[1]
        if total > 0:
            note += f", {100 * stolen / total:.1f} % of CPU time stolen by other guests"
    return note


def host_start() -> tuple[float, tuple[int, int] | None]:
    """What :func:`host_note` compares with, taken before a run."""
    return yardstick(), cpu_times()
