"""Prometheus metrics (prometheus-client) for an operator's scraper at ``/metrics``.

Per process, counted by :class:`MetricsMiddleware`: requests by method, route
(the URL pattern, not the path: bounded) and status; latency by route; errors
(responses 5xx). Under gunicorn with several worker processes set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory private to the server (the
client library's multi-process mode): every process writes its counts there
and ``/metrics`` adds them up.

Read from the database at each scrape (the same figures whichever server
answers): the queue's length, tasks by state (run, failed), scheduled runs by
job and state, and the workers alive. Access: ``settings.ICIHUB_METRICS_IPS`` and
``ICIHUB_METRICS_TOKEN`` (:func:`allowed`)."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "icihub_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "icihub_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ERRORS = Counter("icihub_http_errors_total", "HTTP responses with a 5xx status", ["route"])
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return "/" + (match.route or "").lstrip("^")


class MetricsMiddleware:
    """Outermost middleware: counts and times every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        route = _route(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        if response.status_code >= 500:
            ERRORS.labels(route).inc()
        return response


class DatabaseCollector:
    """Figures read from the database at scrape time (shared by every server)."""

    def collect(self):
        from django.db.models import Count
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from .models import JobRun, WorkerHeartbeat

        queued = GaugeMetricFamily("icihub_tasks_queued", "Tasks waiting for a worker")
        queued.add_metric([], DBTaskResult.objects.ready().count())
        yield queued
        tasks = GaugeMetricFamily(
            "icihub_tasks", "Tasks kept in the database, by state", labels=["status"]
        )
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")):
            tasks.add_metric([row["status"].lower()], row["n"])
        yield tasks
        runs = GaugeMetricFamily(
            "icihub_scheduled_runs",
            "Scheduled runs recorded, by job and state",
            labels=["job", "status"],
        )
        for row in JobRun.objects.values("job", "status").annotate(n=Count("id")):
            runs.add_metric([row["job"], row["status"]], row["n"])
        yield runs
        since = timezone.now() - timezone.timedelta(seconds=settings.ICIHUB_WORKER_STALE_SECONDS)
        alive = GaugeMetricFamily("icihub_workers_alive", "Workers seen recently")
        alive.add_metric([], WorkerHeartbeat.objects.filter(seen_at__gte=since).count())
        yield alive


def exposition() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, ERRORS):
            registry.register(metric)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def allowed(request) -> bool:
    """A bearer token equal to ``ICIHUB_METRICS_TOKEN``, or a client address in
    ``ICIHUB_METRICS_IPS`` (addresses or networks)."""
    from icihub.core.middleware import client_ip

    token = settings.ICIHUB_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.lower().startswith("bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.ICIHUB_METRICS_IPS:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
