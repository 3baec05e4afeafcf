"""What is checked before a server or a worker starts serving: bad configuration
is a one-line error at start, not a stack trace in the middle of a request.

``verify(role)`` raises :class:`StartupError` with every problem found:
  * production (``ICIHUB_HTTPS``) without ``SECRET_KEY`` in the environment;
  * a Redis cache (``ICIHUB_CACHE_URL``) that does not answer;
  * a malformed schedule (``ICIHUB_SCHEDULE`` or a job's declaration);
and for the worker (``need_database=True``): a database that does not answer,
or migrations not applied."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class StartupError(ImproperlyConfigured):
    pass


def _redacted(url: str) -> str:
    """The URL without its password."""
    if "@" in url:
        scheme, _sep, rest = url.partition("://")
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url


def secret_key_problem() -> str | None:
    if settings.HTTPS and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        return (
            "SECRET_KEY is not set, and ICIHUB_HTTPS is on (production): every server must "
            "be given the same SECRET_KEY in its environment (see README.md, Deployment)."
        )
    return None


def cache_problem() -> str | None:
    config = settings.CACHES["default"]
    if not config["BACKEND"].startswith("django_redis"):
        return None  # the database cache: the database's own check covers it
    from django.core.cache import cache

    try:
        cache.set("icihub:startup-probe", 1, timeout=10)
    except Exception as exc:
        return (
            f"the cache at ICIHUB_CACHE_URL={_redacted(config['LOCATION'])} does not answer "
            f"({exc.__class__.__name__}: {exc})"
        )
    return None


def schedule_problem() -> str | None:
    from icihub.core import jobs

    try:
        jobs.autodiscover()
        jobs.jobs()
    except jobs.ScheduleError as exc:
        return f"the schedule is malformed: {exc}"
    return None


def database_problem() -> str | None:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        plan = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    except Exception as exc:
        name = settings.DATABASES[DEFAULT_DB_ALIAS].get("NAME")
        return (
            f"the database ({connection.vendor} {name}) does not answer: "
            f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        )
    if plan:
        return (
            f"the database lacks {len(plan)} migrations: run `icihub migrate` (or `icihub setup`)"
        )
    return None


def problems(*, need_database: bool = False) -> list[str]:
    found = [secret_key_problem(), cache_problem(), schedule_problem()]
    if need_database:
        found.append(database_problem())
    return [p for p in found if p]


def verify(*, need_database: bool = False) -> None:
    found = problems(need_database=need_database)
    if found:
        raise StartupError("icihub cannot start: " + "; ".join(found))


def tune_gc() -> str:
    """The garbage collector of a server process, once the application is
    loaded: what the loading made (modules, URL patterns, templates) is frozen
    out of every later collection, and the young generation is collected every
    ``ICIHUB_GC_THRESHOLD`` allocations (``50000,20,100`` by default; empty
    keeps Python's ``700,10,10``). Measured at 10×: with Python's thresholds,
    one read in four of the larger API lists ran a full collection of the
    heap, 100–180 ms on top of a 50 ms answer (the benchmarks' p95); with
    these, none in sixty. Request garbage is freed by reference counting; the
    collector only finds cycles, and still does, less often. Returns what was
    set, for the log."""
    import gc
    import os

    raw = os.environ.get("ICIHUB_GC_THRESHOLD", "50000,20,100").strip()
    if not raw:
        return "default"
    try:
        thresholds = tuple(int(part) for part in raw.split(","))
        if len(thresholds) != 3 or min(thresholds) < 1:
            raise ValueError
    except ValueError:
        raise StartupError(
            f"ICIHUB_GC_THRESHOLD must be three positive integers (gen0,gen1,gen2), not {raw!r}"
        ) from None
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
    return raw
