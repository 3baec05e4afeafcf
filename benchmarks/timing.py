"""Timing shared by the benchmark scripts (imported by their *_common modules)."""

from __future__ import annotations

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
